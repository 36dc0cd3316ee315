import pytest
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from tests.factories import CustomerFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def list_url(workspace):
    return f"/w/{workspace.slug}/customers/"


def names(response) -> set[str]:
    return {customer.name for customer in response.context["page"].object_list}


def test_list_query_count_does_not_grow_with_customers(client, workspace, vera, django_assert_max_num_queries):
    CustomerFactory.create_batch(60, workspace=workspace, attributes={"segment": "family", "tier": "gold"})
    client.force_login(vera)
    with django_assert_max_num_queries(8):
        response = client.get(list_url(workspace))
    assert response.status_code == 200
    assertContains(response, "60 customers")
    assert len(response.context["page"].object_list) == 50


def test_viewer_reads_the_list_but_gets_no_import_or_export(client, workspace, vera):
    CustomerFactory(workspace=workspace)
    client.force_login(vera)
    response = client.get(list_url(workspace))
    assertNotContains(response, "Import CSV")
    assertNotContains(response, "Export CSV")


def test_analyst_sees_import_and_export(client, workspace, bob):
    CustomerFactory(workspace=workspace)
    client.force_login(bob)
    response = client.get(list_url(workspace))
    assertContains(response, "Import CSV")
    assertContains(response, "/customers/export/")


@pytest.mark.parametrize("query,expected", [("minji", {"김민지"}), ("010-9999", {"Lee"}), ("VIP-7", {"Park"}),
                                             ("EXAMPLE.KR", {"김민지"})])
def test_search_covers_name_email_phone_and_external_id(client, workspace, vera, query, expected):
    CustomerFactory(workspace=workspace, name="김민지", email="minji@example.kr")
    CustomerFactory(workspace=workspace, name="Lee", phone="010-9999-0000")
    CustomerFactory(workspace=workspace, name="Park", external_id="VIP-7")
    client.force_login(vera)
    if query == "minji":
        query = "민지"
    response = client.get(list_url(workspace), {"q": query})
    assert names(response) == expected


def test_filters_on_attributes_and_consent(client, workspace, vera):
    CustomerFactory(workspace=workspace, name="A", consent=True,
                    attributes={"segment": "family", "tier": "gold", "region": "서울"})
    CustomerFactory(workspace=workspace, name="B", consent=False,
                    attributes={"segment": "family", "tier": "silver", "region": "서울"})
    CustomerFactory(workspace=workspace, name="C", consent=True,
                    attributes={"segment": "business", "tier": "gold", "region": "부산"})
    client.force_login(vera)
    assert names(client.get(list_url(workspace), {"segment": "family"})) == {"A", "B"}
    assert names(client.get(list_url(workspace), {"tier": "gold", "region": "서울"})) == {"A"}
    assert names(client.get(list_url(workspace), {"consent": "no"})) == {"B"}
    assert names(client.get(list_url(workspace), {"consent": "yes", "tier": "gold"})) == {"A", "C"}
    # An unknown consent value is ignored rather than refused.
    assert names(client.get(list_url(workspace), {"consent": "maybe"})) == {"A", "B", "C"}


def test_filter_dropdowns_offer_the_values_that_occur(client, workspace, vera):
    CustomerFactory(workspace=workspace, attributes={"segment": "family", "region": "제주"})
    client.force_login(vera)
    response = client.get(list_url(workspace))
    assertContains(response, '<option value="family">family</option>', html=True)
    assertContains(response, '<option value="제주">제주</option>', html=True)


def test_pagination_keeps_the_filters(client, workspace, vera):
    CustomerFactory.create_batch(55, workspace=workspace, attributes={"tier": "gold"})
    CustomerFactory.create_batch(3, workspace=workspace, attributes={"tier": "silver"})
    client.force_login(vera)
    response = client.get(list_url(workspace), {"tier": "gold"})
    assertContains(response, "Page 1 of 2")
    assertContains(response, "?tier=gold&amp;page=2")
    response = client.get(list_url(workspace), {"tier": "gold", "page": 2})
    assert len(response.context["page"].object_list) == 5


def test_the_export_link_carries_the_filters_but_not_the_page(client, workspace, bob):
    CustomerFactory.create_batch(2, workspace=workspace, attributes={"tier": "gold"})
    client.force_login(bob)
    response = client.get(list_url(workspace), {"tier": "gold", "page": "1"})
    assertContains(response, f'href="/w/{workspace.slug}/customers/export/?tier=gold"')


def test_htmx_request_gets_only_the_table(client, workspace, vera):
    CustomerFactory(workspace=workspace)
    client.force_login(vera)
    response = client.get(list_url(workspace), {"q": "x"}, headers={"HX-Request": "true"})
    assertTemplateUsed(response, "customers/partials/customer_table.html")
    assert b"<html" not in response.content
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client, workspace, vera):
    client.force_login(vera)
    response = client.get(list_url(workspace), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert b"<html" in response.content


def test_the_filter_form_swaps_the_table_and_pushes_the_url(client, workspace, vera):
    CustomerFactory(workspace=workspace)
    client.force_login(vera)
    response = client.get(list_url(workspace))
    assertContains(response, 'hx-target="#customer-table"')
    assertContains(response, 'hx-push-url="true"')


def test_empty_workspace_explains_and_links_to_import(client, workspace, bob):
    client.force_login(bob)
    response = client.get(list_url(workspace))
    assertContains(response, "No customers yet")
    assertContains(response, f"/w/{workspace.slug}/customers/import/")


def test_no_match_is_not_the_empty_workspace(client, workspace, vera):
    CustomerFactory(workspace=workspace, name="Ann")
    client.force_login(vera)
    response = client.get(list_url(workspace), {"q": "nobody"})
    assertContains(response, "No customers match these filters")
    assertNotContains(response, "No customers yet")


def test_list_shows_only_this_workspaces_customers(client, workspace, vera):
    CustomerFactory(workspace=workspace, name="Mine")
    CustomerFactory(workspace=WorkspaceFactory(), name="Theirs")
    client.force_login(vera)
    assert names(client.get(list_url(workspace))) == {"Mine"}


def test_list_is_not_found_for_outsiders(client, workspace, charlie):
    client.force_login(charlie)
    assert client.get(list_url(workspace)).status_code == 404
