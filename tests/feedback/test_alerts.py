"""Alert rules fire once per breach, re-arm when the metric recovers, and tell admins and owners."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from apps.feedback import selectors, services
from apps.feedback.models import Alert, AlertRule, AlertState
from apps.workspaces.models import Membership
from tests.factories import ResponseFactory, SurveyFactory, TouchpointFactory

from .factories import AlertFactory, AlertRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def touchpoint(workspace):
    return TouchpointFactory(stage__journey__workspace=workspace, name="Delivery")


def respond(workspace, touchpoint, scores, when):
    """Responses a minute before `when` (a period ends before its last instant)."""
    survey = SurveyFactory(workspace=workspace)
    for score in scores:
        ResponseFactory(survey=survey, touchpoint=touchpoint, nps_score=score, submitted_at=when - timedelta(minutes=1))


def check(workspace, now):
    return services.alert_rules_check(workspace=workspace, now=now)


def test_a_falling_nps_fires_once_then_rearms_after_recovery(workspace, touchpoint, alice,
                                                              django_capture_on_commit_callbacks):
    AlertRuleFactory(workspace=workspace, threshold=0, min_responses=4)
    now = timezone.now()
    respond(workspace, touchpoint, [1, 2, 3, 10], now - timedelta(days=1))  # NPS −50
    with django_capture_on_commit_callbacks(execute=True):
        fired = check(workspace, now)
    assert len(fired) == 1
    alert = fired[0]
    assert (alert.touchpoint, alert.value, alert.sample_size) == (touchpoint, -50.0, 4)
    assert [message.to for message in mail.outbox] == [[alice.email]]
    assert check(workspace, now + timedelta(minutes=15)) == []  # still breached: no second alert
    respond(workspace, touchpoint, [10] * 6, now)  # NPS +40: recovered
    assert check(workspace, now + timedelta(minutes=30)) == []
    alert.refresh_from_db()
    assert alert.recovered_at is not None
    assert not AlertState.objects.get().is_breached
    respond(workspace, touchpoint, [0] * 12, now + timedelta(hours=1))  # falls again
    assert len(check(workspace, now + timedelta(hours=1, minutes=5))) == 1
    assert Alert.objects.count() == 2


def test_too_few_responses_change_nothing(workspace, touchpoint):
    AlertRuleFactory(workspace=workspace, threshold=0, min_responses=10)
    now = timezone.now()
    respond(workspace, touchpoint, [0] * 9, now)
    assert check(workspace, now) == []


def test_responses_older_than_seven_days_do_not_count(workspace, touchpoint):
    AlertRuleFactory(workspace=workspace, threshold=0, min_responses=3)
    now = timezone.now()
    respond(workspace, touchpoint, [0] * 5, now - timedelta(days=8))
    assert check(workspace, now) == []


def test_a_rule_scoped_to_a_touchpoint_ignores_the_others(workspace, touchpoint):
    other = TouchpointFactory(stage__journey__workspace=workspace)
    AlertRuleFactory(workspace=workspace, threshold=0, min_responses=3, touchpoint=other)
    now = timezone.now()
    respond(workspace, touchpoint, [0] * 5, now)
    assert check(workspace, now) == []
    respond(workspace, other, [0] * 5, now)
    assert [alert.touchpoint for alert in check(workspace, now)] == [other]


def test_each_touchpoint_breaches_on_its_own(workspace, touchpoint):
    other = TouchpointFactory(stage__journey__workspace=workspace)
    AlertRuleFactory(workspace=workspace, threshold=0, min_responses=3)
    now = timezone.now()
    respond(workspace, touchpoint, [0] * 5, now)
    respond(workspace, other, [0] * 5, now)
    assert {alert.touchpoint for alert in check(workspace, now)} == {touchpoint, other}


def test_the_daily_detractor_share_fires_once_a_day(workspace, touchpoint):
    workspace.time_zone = "Asia/Seoul"
    workspace.save()
    AlertRuleFactory(workspace=workspace, kind=AlertRule.Kind.DETRACTOR_SHARE_ABOVE, threshold=40, min_responses=5)
    seoul = ZoneInfo("Asia/Seoul")
    morning = datetime(2026, 3, 2, 9, 0, tzinfo=seoul)
    respond(workspace, touchpoint, [0, 1, 2, 9, 10], morning - timedelta(hours=1))  # 60% detractors
    respond(workspace, touchpoint, [0] * 5, morning - timedelta(days=1))  # yesterday: not today's
    fired = check(workspace, morning)
    assert [(alert.value, alert.sample_size, alert.touchpoint) for alert in fired] == [(60.0, 5, None)]
    assert check(workspace, morning + timedelta(hours=2)) == []
    next_day = morning + timedelta(days=1)
    respond(workspace, touchpoint, [0] * 6, next_day - timedelta(hours=1))
    assert len(check(workspace, next_day)) == 1  # a new day re-arms the rule


def test_inactive_and_comment_rules_are_not_checked(workspace, touchpoint):
    AlertRuleFactory(workspace=workspace, threshold=0, min_responses=1, is_active=False)
    AlertRuleFactory(workspace=workspace, kind=AlertRule.Kind.COMMENT_KEYWORDS, keywords="x")
    respond(workspace, touchpoint, [0], timezone.now())
    assert check(workspace, timezone.now()) == []


def test_the_periodic_task_checks_every_workspace_with_rules(workspace, touchpoint):
    from apps.feedback import tasks

    AlertRuleFactory(workspace=workspace, threshold=0, min_responses=1)
    respond(workspace, touchpoint, [0], timezone.now())
    assert tasks.check_alert_rules() == 1
    assert Alert.objects.count() == 1


def test_the_alert_email_goes_to_admins_and_owners_in_their_language(workspace, alice, bob):
    admin = Membership.objects.create(workspace=workspace, user=bob.__class__.objects.create(
        username="kim", email="kim@example.kr", language="ko"), role="admin").user
    alert = AlertFactory(rule__workspace=workspace)
    from apps.feedback import tasks

    assert tasks.send_alert_email(alert.pk) == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted([alice.email, admin.email])
    assert all(f"/w/{workspace.slug}/alerts/" in message.body for message in mail.outbox)


def test_the_alert_page_badge_and_acknowledging(client, workspace, alice, bob, vera):
    alert = AlertFactory(rule__workspace=workspace)
    AlertFactory(rule__workspace=workspace, status="acknowledged")
    assert selectors.open_alert_count(workspace) == 1
    client.force_login(vera)
    page = client.get(f"/w/{workspace.slug}/alerts/")
    assert page.status_code == 200 and alert.rule.name in page.content.decode()
    assert client.post(f"/w/{workspace.slug}/alerts/{alert.pk}/acknowledge/").status_code == 403
    client.force_login(bob)
    assert client.post(f"/w/{workspace.slug}/alerts/{alert.pk}/acknowledge/").status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == ("acknowledged", bob)
    assert selectors.open_alert_count(workspace) == 0


def test_admins_create_edit_and_delete_rules(client, workspace, alice, touchpoint):
    client.force_login(alice)
    url = f"/w/{workspace.slug}/alerts/rules/new/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Delivery NPS", "kind": "touchpoint_nps_below", "touchpoint": touchpoint.pk,
                                 "threshold": "-10", "min_responses": "20", "is_active": "on"})
    assert response.status_code == 302
    rule = AlertRule.objects.get()
    assert (rule.threshold, rule.touchpoint, rule.created_by) == (-10, touchpoint, alice)
    bad = client.post(f"/w/{workspace.slug}/alerts/rules/{rule.pk}/", {
        "name": "Words", "kind": "comment_keywords", "threshold": "0", "min_responses": "1", "keywords": ""})
    assert bad.status_code == 400
    assert client.post(f"/w/{workspace.slug}/alerts/rules/{rule.pk}/delete/").status_code == 302
    assert not AlertRule.objects.exists()


@pytest.mark.parametrize("user", ["bob", "vera"])
def test_only_admins_manage_rules(client, workspace, user, request):
    rule = AlertRuleFactory(workspace=workspace)
    client.force_login(request.getfixturevalue(user))
    assert client.get(f"/w/{workspace.slug}/alerts/rules/new/").status_code == 403
    assert client.post(f"/w/{workspace.slug}/alerts/rules/{rule.pk}/delete/").status_code == 403
