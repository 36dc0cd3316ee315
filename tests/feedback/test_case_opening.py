"""A detractor's answer (or a comment matching an alert rule) opens a follow-up case in the submission's
transaction, assigned to the touchpoint's owner or, round-robin, to the least busy analyst."""

from datetime import timedelta

import pytest
from django.core import mail

from apps.feedback import services
from apps.feedback.models import AlertRule, CaseEvent, FollowUpCase
from apps.workspaces.models import Role
from tests.factories import MembershipFactory, UserFactory

from .factories import AlertRuleFactory, FollowUpCaseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("score", "opens"), [(0, True), (6, True), (7, False), (10, False)])
def test_a_case_opens_at_or_below_the_threshold(workspace, submit, alice, score, opens):
    submit(nps=score)
    assert FollowUpCase.objects.exists() is opens


def test_the_workspace_threshold_is_used(workspace, submit, alice):
    workspace.follow_up_nps_threshold = 3
    workspace.save()
    submit(nps=4)
    assert not FollowUpCase.objects.exists()
    submit(nps=3)
    assert FollowUpCase.objects.count() == 1


def test_the_case_carries_the_response_and_its_feedback(workspace, survey, touchpoint, submit, alice):
    response = submit(nps=2, comment="기사님이 늦게 오셨어요")
    case = FollowUpCase.objects.get()
    assert (case.response, case.survey, case.touchpoint, case.nps_score) == (response, survey, touchpoint, 2)
    assert case.feedback_item.text == "기사님이 늦게 오셨어요"
    assert case.status == "new" and case.reason == "detractor"
    assert case.due_at == case.created_at + timedelta(hours=workspace.follow_up_sla_hours)
    assert CaseEvent.objects.get(case=case).kind == "opened"


def test_a_comment_matching_an_alert_rule_opens_a_case_for_a_promoter(workspace, submit, alice):
    rule = AlertRuleFactory(workspace=workspace, kind=AlertRule.Kind.COMMENT_KEYWORDS, keywords="해지, cancel")
    submit(nps=9, comment="좋은데 해지하고 싶어요")
    submit(nps=9, comment="좋아요")
    case = FollowUpCase.objects.get()
    assert (case.reason, case.alert_rule) == ("alert_rule", rule)


def test_the_touchpoint_owner_gets_the_case_while_a_member(workspace, touchpoint, submit, alice, bob):
    touchpoint.owner = alice
    touchpoint.save()
    submit(nps=1)
    assert FollowUpCase.objects.get().assignee == alice


def test_a_former_member_or_a_viewer_owner_is_skipped(workspace, touchpoint, submit, bob, vera):
    touchpoint.owner = UserFactory()  # not a member any more
    touchpoint.save()
    submit(nps=1)
    touchpoint.owner = vera  # a viewer cannot work cases
    touchpoint.save()
    submit(nps=1)
    assert set(FollowUpCase.objects.values_list("assignee__username", flat=True)) == {"bob"}


def test_round_robin_goes_to_the_analyst_with_fewest_open_cases_ties_by_seniority(workspace, submit, alice, bob):
    carol = MembershipFactory(workspace=workspace, user=UserFactory(username="carol"), role=Role.ANALYST).user
    FollowUpCaseFactory(workspace=workspace, assignee=bob)
    FollowUpCaseFactory(workspace=workspace, assignee=carol, status="closed")  # closed cases do not count
    order = [submit(nps=0) and FollowUpCase.objects.order_by("-pk").first().assignee.username for _ in range(4)]
    assert order == ["carol", "bob", "carol", "bob"]


def test_without_analysts_admins_and_owners_share_the_cases(workspace, submit, alice):
    admin = MembershipFactory(workspace=workspace, role=Role.ADMIN).user
    submit(nps=0)
    submit(nps=0)
    assert sorted(FollowUpCase.objects.values_list("assignee", flat=True)) == sorted([alice.pk, admin.pk])


def test_a_workspace_of_viewers_leaves_the_case_unassigned(workspace, submit, vera):
    submit(nps=0)
    assert FollowUpCase.objects.get().assignee is None
    assert mail.outbox == []


def test_the_assignee_is_emailed_after_commit_in_their_language(workspace, submit, bob,
                                                                 django_capture_on_commit_callbacks):
    bob.language, bob.email = "ko", "bob@example.com"
    bob.save()
    with django_capture_on_commit_callbacks(execute=True):
        submit(nps=2, comment="배송이 늦었어요")
    case = FollowUpCase.objects.get()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@example.com"]
    assert f"/w/{workspace.slug}/cases/{case.pk}/" in message.body
    assert "배송이 늦었어요" in message.body
    assert message.alternatives and f"/cases/{case.pk}/" in message.alternatives[0][0]


def test_no_email_before_commit(workspace, submit, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(nps=2)
    assert mail.outbox == [] and callbacks


def test_the_backfill_picker_is_as_fair_as_the_live_one(workspace, alice, bob):
    carol = MembershipFactory(workspace=workspace, role=Role.ANALYST).user
    FollowUpCaseFactory.create_batch(2, workspace=workspace, assignee=bob)
    picker = services.AssigneePicker(workspace)
    picks = [picker.pick(None) for _ in range(4)]
    assert picks == [carol.pk, carol.pk, bob.pk, carol.pk]
