import pytest

from apps.feedback.models import CaseEvent, FeedbackTag, FeedbackTheme
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

from .factories import (
    AlertFactory,
    FeedbackImportFactory,
    FeedbackItemFactory,
    FollowUpCaseFactory,
    TagRuleFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

MODELS = ["feedbackitem", "tag", "tagrule", "feedbacktag", "theme", "feedbacktheme", "feedbackimport",
          "followupcase", "caseevent", "alertrule", "alertstate", "alert"]


@pytest.fixture
def rows(workspace):
    item = FeedbackItemFactory(workspace=workspace)
    rule = TagRuleFactory(tag__workspace=workspace)
    FeedbackTag.objects.create(workspace=workspace, item=item, tag=rule.tag)
    FeedbackTheme.objects.create(workspace=workspace, item=item, theme=ThemeFactory(workspace=workspace))
    FeedbackImportFactory(workspace=workspace)
    case = FollowUpCaseFactory(workspace=workspace)
    CaseEvent.objects.create(workspace=workspace, case=case, kind="note", text="a note")
    AlertFactory(rule__workspace=workspace)


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_search_and_filter(client, rows, model):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/feedback/{model}/", {"q": "a"})
    assert page.status_code == 200
    assert b'id="changelist-search"' in page.content
    assert b'id="changelist-filter"' in page.content


@pytest.mark.parametrize("model", MODELS)
def test_staff_operators_see_only_their_workspaces(client, rows, model):
    from django.contrib.auth.models import Permission

    operator = UserFactory(is_staff=True)
    operator.user_permissions.set(Permission.objects.filter(content_type__app_label="feedback"))
    MembershipFactory(workspace=WorkspaceFactory(), user=operator)
    client.force_login(operator)
    page = client.get(f"/admin/feedback/{model}/")
    assert page.status_code == 200
    assert page.context["cl"].result_count == 0


def test_a_case_page_shows_its_timeline(client, workspace):
    case = FollowUpCaseFactory(workspace=workspace)
    CaseEvent.objects.create(workspace=workspace, case=case, kind="note", text="called twice")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert b"called twice" in client.get(f"/admin/feedback/followupcase/{case.pk}/change/").content
