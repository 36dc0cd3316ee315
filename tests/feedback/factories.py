"""Factories for the feedback app's models (the shared ones live in tests/factories.py)."""

from datetime import timedelta

import factory
from django.utils import timezone

from apps.feedback.models import (
    Alert,
    AlertRule,
    FeedbackImport,
    FeedbackItem,
    FollowUpCase,
    Tag,
    TagRule,
    Theme,
)
from tests.factories import WorkspaceFactory


class FeedbackItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackItem

    workspace = factory.SubFactory(WorkspaceFactory)
    text = factory.Sequence(lambda n: f"Feedback number {n}")
    source = "survey"
    language = "en"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Tag {n}")


class TagRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TagRule

    tag = factory.SubFactory(TagFactory)
    workspace = factory.SelfAttribute("tag.workspace")
    keywords = "delivery"


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    workspace = factory.SubFactory(WorkspaceFactory)
    key = factory.Sequence(lambda n: f"theme{n}")
    label_ko = factory.SelfAttribute("key")
    label_en = factory.SelfAttribute("key")


class FollowUpCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpCase

    workspace = factory.SubFactory(WorkspaceFactory)
    nps_score = 3
    created_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda case: case.created_at + timedelta(hours=48))


class AlertRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AlertRule

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Rule {n}")
    kind = AlertRule.Kind.TOUCHPOINT_NPS_BELOW
    threshold = 0
    min_responses = 3


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    rule = factory.SubFactory(AlertRuleFactory)
    workspace = factory.SelfAttribute("rule.workspace")
    value = -40
    threshold = 0
    sample_size = 10


class FeedbackImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackImport

    workspace = factory.SubFactory(WorkspaceFactory)
    file_name = "feedback.csv"
    content = b"text\nGreat service\n"
