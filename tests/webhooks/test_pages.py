"""The settings pages under /w/<slug>/settings/webhooks/: admins only, secret shown once, test event,
delivery log, bounded queries, Korean."""

import pytest
from pytest_django.asserts import assertTemplateUsed

from apps.webhooks.models import Event, WebhookDelivery, WebhookEndpoint
from apps.workspaces.models import Role
from tests.factories import MembershipFactory

from .factories import WebhookDeliveryFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db

BASE = "/w/hanbit/settings/webhooks/"


@pytest.fixture
def admin_client(client, alice):
    """Alice owns the workspace and reads English; minji (admin_user) is the Korean-speaking admin."""
    client.force_login(alice)
    return client


def test_creating_an_endpoint_shows_its_secret_once(admin_client, workspace, receiver):
    response = admin_client.post(BASE + "new/", {"name": "CRM", "url": receiver.url,
                                                 "events": ["response.completed", "alert.fired"], "format": "json"})
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}{endpoint.pk}/secret/"
    assert (endpoint.workspace, endpoint.events, endpoint.is_active) == (workspace, ["response.completed",
                                                                                      "alert.fired"], True)
    workspace.refresh_from_db()
    assert workspace.webhook_events == ["alert.fired", "response.completed"]

    page = admin_client.get(response["Location"])
    assert page.status_code == 200 and endpoint.secret in page.content.decode()
    assert "no-cache" in page["Cache-Control"]
    again = admin_client.get(response["Location"])
    assert again.status_code == 302 and again["Location"] == f"{BASE}{endpoint.pk}/"
    assert endpoint.secret not in admin_client.get(again["Location"]).content.decode()


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://files.example.com/in", "Use an http:// or https:// address."),
    ("javascript:alert(1)", "Use an http:// or https:// address."),
    ("https://user:pw@hooks.example.com/", "Put no user name or password in the address"),
])
def test_a_bad_url_is_refused_with_a_clear_message(admin_client, url, message):
    response = admin_client.post(BASE + "new/", {"name": "CRM", "url": url, "events": ["alert.fired"],
                                                 "format": "json"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/", "http://10.1.2.3/hook", "http://[::1]/",
                                 "http://169.254.169.254/latest/", "http://192.168.0.10/"])
def test_production_refuses_private_addresses(admin_client, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    response = admin_client.post(BASE + "new/", {"name": "CRM", "url": url, "events": ["alert.fired"],
                                                 "format": "json"})
    assert response.status_code == 400
    assert "private network" in response.content.decode()


def test_no_event_chosen_keeps_what_was_typed(admin_client):
    response = admin_client.post(BASE + "new/", {"name": "CRM", "url": "https://hooks.example.com/x",
                                                 "format": "slack"})
    html = response.content.decode()
    assert response.status_code == 400 and "Choose at least one event." in html
    assert 'value="https://hooks.example.com/x"' in html


def test_the_test_event_button_delivers_and_reports(admin_client, workspace, receiver):
    endpoint = WebhookEndpointFactory(workspace=workspace, url=receiver.url)
    response = admin_client.post(f"{BASE}{endpoint.pk}/test/", follow=True)
    html = response.content.decode()
    assert "Test event delivered: HTTP 200" in html
    [request] = receiver.requests
    assert request["headers"]["X-Cxm-Event"] == "webhook.test"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.status, delivery.attempts) == (Event.TEST, "delivered", 1)
    assert "webhook.test" in html  # in the delivery log below


def test_a_failing_test_event_says_why_and_does_not_count_towards_disabling(admin_client, workspace, receiver):
    endpoint = WebhookEndpointFactory(workspace=workspace, url=receiver.url)
    receiver.statuses.append(500)
    html = admin_client.post(f"{BASE}{endpoint.pk}/test/", follow=True).content.decode()
    assert "The test event was not delivered: HTTP 500" in html
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0
    assert WebhookDelivery.objects.get().status == "failed"  # tried once, no retries


def test_editing_disabling_and_enabling(admin_client, workspace, receiver):
    endpoint = WebhookEndpointFactory(workspace=workspace, url=receiver.url)
    admin_client.post(f"{BASE}{endpoint.pk}/edit/", {"name": "Slack #cx", "url": receiver.url,
                                                     "events": ["alert.fired"], "format": "slack"})
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.events, endpoint.format) == ("Slack #cx", ["alert.fired"], "slack")
    admin_client.post(f"{BASE}{endpoint.pk}/status/", {"active": "0"})
    endpoint.refresh_from_db()
    workspace.refresh_from_db()
    assert not endpoint.is_active and not endpoint.disabled_automatically and workspace.webhook_events == []
    admin_client.post(f"{BASE}{endpoint.pk}/status/", {"active": "1"})
    endpoint.refresh_from_db()
    workspace.refresh_from_db()
    assert endpoint.is_active and workspace.webhook_events == ["alert.fired"]


def test_rotating_asks_first_then_shows_the_new_secret(admin_client, workspace):
    endpoint = WebhookEndpointFactory(workspace=workspace)
    old = endpoint.secret
    assert "Rotate the signing secret" in admin_client.get(f"{BASE}{endpoint.pk}/rotate/").content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret == old
    page = admin_client.post(f"{BASE}{endpoint.pk}/rotate/", follow=True)
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert endpoint.secret in page.content.decode() and old not in page.content.decode()


def test_deleting_asks_first(admin_client, workspace):
    endpoint = WebhookEndpointFactory(workspace=workspace)
    WebhookDeliveryFactory(endpoint=endpoint)
    assert admin_client.get(f"{BASE}{endpoint.pk}/delete/").status_code == 200
    assert WebhookEndpoint.objects.exists()
    response = admin_client.post(f"{BASE}{endpoint.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == BASE
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    workspace.refresh_from_db()
    assert workspace.webhook_events == []


def test_a_failed_delivery_can_be_sent_again(admin_client, workspace, receiver):
    endpoint = WebhookEndpointFactory(workspace=workspace, url=receiver.url)
    delivery = WebhookDeliveryFactory(endpoint=endpoint, status="failed", attempts=8, max_attempts=8,
                                      next_attempt_at=None, last_status_code=500)
    html = admin_client.post(f"{BASE}{endpoint.pk}/deliveries/{delivery.pk}/redeliver/", follow=True) \
        .content.decode()
    assert "Delivered on the new attempt." in html
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 9)
    assert receiver.requests[0]["headers"]["X-Cxm-Attempt"] == "9"


def test_a_delivery_shows_its_attempts_and_body(admin_client, workspace):
    endpoint = WebhookEndpointFactory(workspace=workspace)
    delivery = WebhookDeliveryFactory(endpoint=endpoint)
    url = f"{BASE}{endpoint.pk}/deliveries/{delivery.pk}/"
    page = admin_client.get(url)
    assert page.status_code == 200 and "Not attempted yet." in page.content.decode()
    assertTemplateUsed(admin_client.get(url, headers={"HX-Request": "true"}), "webhooks/partials/delivery_detail.html")
    other_endpoint = WebhookEndpointFactory(workspace=workspace)
    assert admin_client.get(f"{BASE}{other_endpoint.pk}/deliveries/{delivery.pk}/").status_code == 404


@pytest.mark.parametrize("role", [Role.ANALYST, Role.VIEWER])
def test_analysts_and_viewers_cannot_configure(client, workspace, role):
    endpoint = WebhookEndpointFactory(workspace=workspace)
    delivery = WebhookDeliveryFactory(endpoint=endpoint)
    client.force_login(MembershipFactory(workspace=workspace, role=role).user)
    for url in (BASE, BASE + "new/", f"{BASE}{endpoint.pk}/", f"{BASE}{endpoint.pk}/edit/",
                f"{BASE}{endpoint.pk}/deliveries/{delivery.pk}/"):
        assert client.get(url).status_code == 403, url
    for url in (f"{BASE}{endpoint.pk}/test/", f"{BASE}{endpoint.pk}/status/", f"{BASE}{endpoint.pk}/rotate/",
                f"{BASE}{endpoint.pk}/delete/", BASE + "new/"):
        assert client.post(url).status_code == 403, url
    assert WebhookEndpoint.objects.get().secret == endpoint.secret
    assert WebhookDelivery.objects.count() == 1
    assert "/settings/webhooks/" not in client.get("/w/hanbit/").content.decode()


def test_the_list_query_count_does_not_grow_with_endpoints(admin_client, workspace, django_assert_max_num_queries):
    for _ in range(15):
        endpoint = WebhookEndpointFactory(workspace=workspace)
        WebhookDeliveryFactory.create_batch(2, endpoint=endpoint, attempts=1, status="delivered",
                                            last_status_code=200)
    with django_assert_max_num_queries(7):
        response = admin_client.get(BASE)
    assert response.status_code == 200 and response.content.decode().count("Delivered · 200") == 15


def test_the_detail_query_count_does_not_grow_with_deliveries(admin_client, workspace,
                                                              django_assert_max_num_queries):
    endpoint = WebhookEndpointFactory(workspace=workspace)
    WebhookDeliveryFactory.create_batch(60, endpoint=endpoint, attempts=2, last_status_code=500,
                                        last_error="HTTP 500 Internal Server Error")
    with django_assert_max_num_queries(8):
        response = admin_client.get(f"{BASE}{endpoint.pk}/")
    html = response.content.decode()
    assert "Page 1 of 3" in html and html.count("HTTP 500 Internal Server Error") == 25
    with django_assert_max_num_queries(8):
        fragment = admin_client.get(f"{BASE}{endpoint.pk}/?status=pending&page=3",
                                    headers={"HX-Request": "true"})
    assertTemplateUsed(fragment, "webhooks/partials/delivery_log.html")
    assert "Page 3 of 3" in fragment.content.decode()


def test_the_pages_speak_korean(client, workspace, admin_user):
    endpoint = WebhookEndpointFactory(workspace=workspace)
    WebhookDeliveryFactory(endpoint=endpoint, attempts=1, status="failed", last_status_code=500)
    client.force_login(admin_user)  # minji reads Korean
    list_html = client.get(BASE).content.decode()
    assert "웹훅" in list_html and "서명 확인" in list_html
    detail_html = client.get(f"{BASE}{endpoint.pk}/").content.decode()
    assert "테스트 이벤트 보내기" in detail_html and "전송 기록" in detail_html


def test_the_empty_list_explains_what_to_do(admin_client):
    html = admin_client.get(BASE).content.decode()
    assert "No endpoints yet" in html and "X-Cxm-Signature" in html and "def verify(" in html


def test_the_django_admin_takes_an_address_without_a_scheme_as_https(rf, alice):
    from django.contrib import admin

    request = rf.get("/")
    request.user = alice
    field = admin.site.get_model_admin(WebhookEndpoint).get_form(request)().fields["url"]
    assert field.clean("hooks.brand.example/cx") == "https://hooks.brand.example/cx"
