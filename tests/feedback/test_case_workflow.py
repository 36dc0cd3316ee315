"""Case transitions, notes, reassignment, SLA and time to close."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.feedback import services
from apps.feedback.models import CaseEvent, FollowUpCase
from apps.workspaces.models import Membership, Role
from tests.factories import MembershipFactory

from .factories import FollowUpCaseFactory

pytestmark = pytest.mark.django_db


def member(workspace, user) -> Membership:
    return Membership.objects.get(workspace=workspace, user=user)


@pytest.fixture
def case(workspace, bob):
    return FollowUpCaseFactory(workspace=workspace, assignee=bob)


def test_the_happy_path_records_each_moment(workspace, case, bob):
    actor = member(workspace, bob)
    for status in ("contacted", "resolved", "closed"):
        services.follow_up_case_set_status(case=case, status=status, actor=actor)
    case.refresh_from_db()
    assert case.status == "closed"
    assert case.contacted_at <= case.resolved_at <= case.closed_at
    assert case.time_to_close == case.closed_at - case.created_at
    assert list(CaseEvent.objects.filter(case=case).values_list("from_status", "to_status")) == [
        ("new", "contacted"), ("contacted", "resolved"), ("resolved", "closed")]


def test_time_to_close_counts_from_opening(workspace, bob):
    opened = timezone.now() - timedelta(hours=30)
    case = FollowUpCaseFactory(workspace=workspace, assignee=bob, created_at=opened)
    services.follow_up_case_close(case=case, closed_by=member(workspace, bob), note="Called and sorted.")
    case.refresh_from_db()
    assert timedelta(hours=29, minutes=59) < case.time_to_close < timedelta(hours=30, minutes=1)
    assert CaseEvent.objects.get(case=case).text == "Called and sorted."


@pytest.mark.parametrize(("allowed", "refused"), [
    (["contacted"], "new"), (["closed"], "contacted"), (["closed"], "resolved"),
    (["contacted"], "contacted"), (["resolved", "closed"], "closed"), ([], "bogus"),
])
def test_forbidden_transitions_are_refused(workspace, case, bob, allowed, refused):
    actor = member(workspace, bob)
    for status in allowed:
        services.follow_up_case_set_status(case=case, status=status, actor=actor)
    with pytest.raises(ValidationError):
        services.follow_up_case_set_status(case=case, status=refused, actor=actor)
    case.refresh_from_db()
    assert case.status == (allowed[-1] if allowed else "new")


def test_a_resolved_case_can_be_reopened(workspace, case, bob):
    actor = member(workspace, bob)
    services.follow_up_case_set_status(case=case, status="resolved", actor=actor)
    services.follow_up_case_set_status(case=case, status="contacted", actor=actor, note="Customer called back")
    case.refresh_from_db()
    assert (case.status, case.resolved_at) == ("contacted", None)


def test_viewers_cannot_work_cases(workspace, case, vera):
    with pytest.raises(PermissionDenied):
        services.follow_up_case_set_status(case=case, status="contacted", actor=member(workspace, vera))
    with pytest.raises(PermissionDenied):
        services.follow_up_case_add_note(case=case, actor=member(workspace, vera), text="hi")


def test_due_and_overdue(workspace, bob):
    now = timezone.now()
    late = FollowUpCaseFactory(workspace=workspace, created_at=now - timedelta(hours=50))
    on_time = FollowUpCaseFactory(workspace=workspace, created_at=now - timedelta(hours=10))
    resolved_late = FollowUpCaseFactory(workspace=workspace, created_at=now - timedelta(hours=60), status="resolved")
    assert late.is_overdue and not on_time.is_overdue and not resolved_late.is_overdue
    assert list(FollowUpCase.objects.for_workspace(workspace).overdue()) == [late]


def test_admins_reassign_and_the_new_assignee_is_emailed(workspace, case, alice, bob,
                                                          django_capture_on_commit_callbacks):
    carol = MembershipFactory(workspace=workspace, role=Role.ANALYST).user
    with django_capture_on_commit_callbacks(execute=True):
        services.follow_up_case_reassign(case=case, actor=member(workspace, alice), assignee_id=carol.pk)
    case.refresh_from_db()
    assert case.assignee == carol
    assert [message.to for message in mail.outbox] == [[carol.email]]
    with pytest.raises(PermissionDenied):
        services.follow_up_case_reassign(case=case, actor=member(workspace, bob), assignee_id=bob.pk)


def test_cases_go_only_to_members_who_work_cases(workspace, case, alice, vera):
    with pytest.raises(ValidationError):
        services.follow_up_case_reassign(case=case, actor=member(workspace, alice), assignee_id=vera.pk)
