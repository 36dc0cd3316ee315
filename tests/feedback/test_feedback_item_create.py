"""services.feedback_item_create: the door for feedback from the API and integrations."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.feedback import services
from apps.feedback.models import FeedbackItem, FeedbackTag
from tests.factories import CustomerFactory, TouchpointFactory, WorkspaceFactory

from .factories import TagRuleFactory

pytestmark = pytest.mark.django_db


def test_it_creates_an_item_with_its_links(workspace):
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace)
    customer = CustomerFactory(workspace=workspace)
    when = timezone.now() - timedelta(days=2)
    item = services.feedback_item_create(workspace=workspace, text="  The app crashes at checkout  ",
                                         source="app_review", score=2, touchpoint=touchpoint, customer=customer,
                                         created_at=when)
    item.refresh_from_db()
    assert item.text == "The app crashes at checkout"
    assert (item.score_group, item.language, item.created_at) == ("detractor", "en", when)
    assert (item.touchpoint, item.customer) == (touchpoint, customer)


def test_the_language_is_detected_from_the_text(workspace):
    item = services.feedback_item_create(workspace=workspace, text="상담원이 친절했어요", source="call_centre",
                                         language="en")
    assert item.language == "ko"


def test_the_same_external_id_returns_the_first_item(workspace):
    first = services.feedback_item_create(workspace=workspace, text="One", source="api", external_id="R-1")
    second = services.feedback_item_create(workspace=workspace, text="Two", source="api", external_id="R-1")
    assert first.pk == second.pk
    assert FeedbackItem.objects.count() == 1


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"text": " "}, "text"), ({"text": "x" * 10_001}, "text"), ({"source": "fax"}, "source"),
    ({"score": 11}, "score"), ({"score": True}, "score"), ({"language": "fr"}, "language"),
])
def test_bad_input_is_refused_with_the_field(workspace, kwargs, field):
    arguments = {"workspace": workspace, "text": "Fine", "source": "api", **kwargs}
    with pytest.raises(ValidationError) as error:
        services.feedback_item_create(**arguments)
    assert field in error.value.message_dict


def test_objects_of_another_workspace_are_refused(workspace):
    foreign = TouchpointFactory(stage__journey__workspace=WorkspaceFactory())
    with pytest.raises(ValidationError):
        services.feedback_item_create(workspace=workspace, text="Hi", source="api", touchpoint=foreign)


def test_tag_rules_apply(workspace):
    rule = TagRuleFactory(tag__workspace=workspace, keywords="crash")
    item = services.feedback_item_create(workspace=workspace, text="It crashed", source="app_review")
    assert FeedbackTag.objects.get(item=item).tag == rule.tag
