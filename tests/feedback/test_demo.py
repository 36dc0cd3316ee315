"""seed_feedback on a small demo brand: items, tags, themes, cases in every status, alert rules."""

import pytest

from apps.feedback.models import AlertRule, CaseEvent, FeedbackItem, FeedbackTag, FollowUpCase, Tag
from cxm.demo_feedback import seed_feedback
from cxm.demo_journeys import seed_journeys
from cxm.demo_surveys import seed_surveys
from tests.factories import MembershipFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def test_the_demo_feedback_is_complete_and_idempotent():
    workspace = WorkspaceFactory(slug="hanbit-telecom", default_language="ko")
    MembershipFactory(workspace=workspace, role="analyst")
    seed_journeys(workspace)
    seed_surveys(workspace, responses=1500)
    counts = seed_feedback(workspace, analyse_limit=300, case_days=120)
    items = FeedbackItem.objects.for_workspace(workspace)
    assert counts["items"] == items.count() > 100
    assert items.exclude(analysed_at=None).count() == 300
    assert Tag.objects.for_workspace(workspace).count() == 4 and FeedbackTag.objects.exists()
    statuses = set(FollowUpCase.objects.for_workspace(workspace).values_list("status", flat=True))
    assert statuses == {"new", "contacted", "resolved", "closed"}
    closed = FollowUpCase.objects.for_workspace(workspace).filter(status="closed")
    assert not closed.filter(time_to_close=None).exists()
    assert CaseEvent.objects.filter(kind="note").exists()
    assert FollowUpCase.objects.for_workspace(workspace).overdue().exists()
    assert AlertRule.objects.for_workspace(workspace).count() == 3
    before = (items.count(), FollowUpCase.objects.count(), CaseEvent.objects.count())
    again = seed_feedback(workspace, analyse_limit=300, case_days=120)
    assert (again["items"], again["cases"]) == (0, 0)
    assert (items.count(), FollowUpCase.objects.count(), CaseEvent.objects.count()) == before
