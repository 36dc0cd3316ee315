"""Helpers that build responses with known scores for the NPS tests."""

from datetime import timedelta

import factory
from django.utils import timezone

from apps.kpis.services import rollups_rebuild
from apps.surveys.models import Answer
from tests.factories import ResponseFactory


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    workspace = factory.SelfAttribute("response.workspace")
    question = None
    number = None


def responses(workspace, scores, *, days_ago: float = 1, **fields):
    """One response per NPS score in `scores` (None: no NPS answer), submitted `days_ago` days ago."""
    survey = fields.pop("survey", None)
    submitted_at = fields.pop("submitted_at", None) or timezone.now() - timedelta(days=days_ago)
    extra = {"survey": survey} if survey is not None else {"survey__workspace": workspace}
    return [ResponseFactory(workspace=workspace, nps_score=score, submitted_at=submitted_at, **extra, **fields)
            for score in scores]


def mix(promoters: int, passives: int, detractors: int) -> list[int]:
    """NPS answers making the given counts of promoters (10), passives (8) and detractors (3)."""
    return [10] * promoters + [8] * passives + [3] * detractors


def rolled_up(workspace):
    """The report reads the KPI rollups; in production the on-commit job keeps them current."""
    rollups_rebuild(workspace=workspace)
    return workspace
