"""Factories for the survey app's own models (the shared ones live in tests/factories.py)."""

from datetime import timedelta

import factory
from django.utils import timezone

from apps.surveys.models import Choice, Distribution, PartialResponse, Question, Quota, SurveyInvitation, WaveSchedule
from tests.factories import CustomerFactory, SegmentFactory, SurveyFactory


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    workspace = factory.SelfAttribute("survey.workspace")
    position = factory.Sequence(lambda n: n)
    kind = Question.Kind.NPS
    text = factory.Sequence(lambda n: f"Question {n}?")


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory, kind=Question.Kind.SINGLE_CHOICE)
    workspace = factory.SelfAttribute("question.workspace")
    position = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Choice {n}")


class DistributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Distribution

    survey = factory.SubFactory(SurveyFactory, status="live")
    workspace = factory.SelfAttribute("survey.workspace")
    name = factory.Sequence(lambda n: f"Distribution {n}")


class SurveyInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyInvitation

    distribution = factory.SubFactory(DistributionFactory)
    workspace = factory.SelfAttribute("distribution.workspace")
    survey = factory.SelfAttribute("distribution.survey")
    customer = factory.SubFactory(CustomerFactory, workspace=factory.SelfAttribute("..workspace"))
    status = SurveyInvitation.Status.SENT


class WaveScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaveSchedule

    survey = factory.SubFactory(SurveyFactory, status="live")
    workspace = factory.SelfAttribute("survey.workspace")
    segment = factory.SubFactory(SegmentFactory, workspace=factory.SelfAttribute("..workspace"))
    name = factory.Sequence(lambda n: f"Relationship NPS {n}")
    every = 3
    unit = WaveSchedule.Unit.MONTHS
    next_wave_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quota

    survey = factory.SubFactory(SurveyFactory, status="live")
    workspace = factory.SelfAttribute("survey.workspace")
    limit = 10


class PartialResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartialResponse

    survey = factory.SubFactory(SurveyFactory, status="live")
    workspace = factory.SelfAttribute("survey.workspace")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
