import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.kpis import selectors, services
from apps.kpis.models import DailyRollup, DirtySlice, InvitationRollup, SegmentRollup
from apps.kpis.selectors import KpiFilters
from apps.kpis.tasks import process_dirty_slices, recompute_rollup_slice
from apps.surveys import services as survey_services
from apps.surveys.models import Question
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory, TouchpointFactory, WorkspaceFactory
from tests.surveys.factories import QuestionFactory, SurveyInvitationFactory

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(time_zone="Asia/Seoul")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SEOUL)


def test_a_slice_counts_by_local_day_and_recomputing_it_changes_nothing(workspace):
    day = date(2026, 11, 20)
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace)
    survey = SurveyFactory(workspace=workspace, touchpoint=touchpoint)
    for score in (10, 9, 7, 3):
        ResponseFactory(survey=survey, touchpoint=touchpoint, channel="web", nps_score=score, submitted_at=at(day, 12))
    # 23:30 in Seoul is still the 20th there (14:30 UTC), 00:10 is the 21st.
    ResponseFactory(survey=survey, touchpoint=touchpoint, channel="web", nps_score=0, submitted_at=at(day, 23, 30))
    ResponseFactory(survey=survey, touchpoint=touchpoint, channel="web", nps_score=10,
                    submitted_at=at(day + timedelta(days=1), 0, 10))
    for _ in range(2):
        recompute_rollup_slice(workspace.pk, day.isoformat())
    row = DailyRollup.objects.get(day=day)
    assert (row.responses, row.promoters, row.passives, row.detractors) == (5, 2, 1, 2)
    assert selectors.summary(workspace, day, day).nps == 0


def test_rollups_match_raw_scores_for_every_filter(workspace):
    rng = random.Random(7)
    touchpoints = [TouchpointFactory(stage__journey__workspace=workspace, channel=channel)
                   for channel in ("web", "store", "call_centre")]
    surveys = [SurveyFactory(workspace=workspace, touchpoint=touchpoint) for touchpoint in touchpoints]
    customers = [CustomerFactory(workspace=workspace, attributes={"tier": tier, "segment": segment})
                 for tier in ("gold", "silver") for segment in ("family", "youth")]
    start = date(2026, 10, 1)
    for _ in range(300):
        survey = rng.choice(surveys)
        ResponseFactory(survey=survey, touchpoint=survey.touchpoint, channel=survey.touchpoint.channel,
                        customer=rng.choice([*customers, None]), nps_score=rng.randint(0, 10),
                        csat_score=rng.choice([None, 1, 2, 3, 4, 5]), ces_score=rng.choice([None, 1, 4, 7]),
                        submitted_at=at(start + timedelta(days=rng.randint(0, 40)), rng.randint(0, 23)))
    services.rollups_rebuild(workspace=workspace)
    last = start + timedelta(days=40)
    for filters in (KpiFilters(), KpiFilters(touchpoint_id=touchpoints[0].pk), KpiFilters(channel="store"),
                    KpiFilters(survey_id=surveys[2].pk), KpiFilters(segments=(("tier", "gold"),)),
                    KpiFilters(stage_id=touchpoints[1].stage_id), KpiFilters(segments=(("segment", "youth"),),
                                                                             touchpoint_id=touchpoints[2].pk)):
        assert selectors.matches_raw(workspace, start, last, filters), filters
        assert selectors.matches_raw(workspace, start + timedelta(days=5), start + timedelta(days=9), filters)
    assert selectors.summary(workspace, start, last).responses == 300
    assert SegmentRollup.objects.for_workspace(workspace).filter(attribute="tier").exists()
    call_command("kpi_consistency", samples=30, seed=1)


def test_consistency_command_catches_a_wrong_rollup(workspace):
    survey = SurveyFactory(workspace=workspace)
    day = date(2026, 11, 2)
    ResponseFactory(survey=survey, nps_score=10, submitted_at=at(day, 10))
    ResponseFactory(survey=survey, nps_score=1, submitted_at=at(day + timedelta(days=1), 10))
    services.rollups_rebuild(workspace=workspace)
    DailyRollup.objects.filter(day=day).update(promoters=5)
    with pytest.raises(CommandError, match="differ"):
        call_command("kpi_consistency", samples=20, seed=3)


def test_a_recorded_response_marks_its_day_dirty_and_updates_the_rollup(workspace,
                                                                         django_capture_on_commit_callbacks):
    survey = SurveyFactory(workspace=workspace, status="live")
    question = QuestionFactory(survey=survey, kind=Question.Kind.NPS)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = survey_services.response_record(survey=survey, questions=[question], answers={question.pk: 2},
                                                   submission_key="k1")
    day = services.local_day(workspace, response.submitted_at)
    assert DirtySlice.objects.filter(workspace=workspace, day=day).exists()
    assert not DailyRollup.objects.exists()
    for callback in callbacks:
        callback()
    assert DailyRollup.objects.get(day=day).detractors == 1
    assert not DirtySlice.objects.exists()


def test_the_beat_job_catches_up_what_a_lost_message_left_stale(workspace, django_capture_on_commit_callbacks):
    survey = SurveyFactory(workspace=workspace, status="live")
    question = QuestionFactory(survey=survey, kind=Question.Kind.NPS)
    # The on-commit enqueue never runs: as when Redis is down.
    with django_capture_on_commit_callbacks(execute=False):
        survey_services.response_record(survey=survey, questions=[question], answers={question.pk: 10},
                                        submission_key="k2")
    assert process_dirty_slices() == 1
    assert DailyRollup.objects.get().promoters == 1
    assert process_dirty_slices() == 0


def test_invitations_sent_and_answered_are_rolled_up(workspace):
    survey = SurveyFactory(workspace=workspace)
    now = timezone.now()
    for answered in (True, False, False):
        SurveyInvitationFactory(distribution__survey=survey, sent_at=now, answered_at=now if answered else None)
    services.rollups_rebuild(workspace=workspace)
    today = services.local_day(workspace, now)
    assert selectors.invitations(workspace, today, today) == (3, 1)
    assert InvitationRollup.objects.get().survey == survey


def test_rebuild_command_covers_a_period(workspace):
    survey = SurveyFactory(workspace=workspace)
    ResponseFactory(survey=survey, submitted_at=at(date(2026, 1, 5), 9))
    ResponseFactory(survey=survey, submitted_at=at(date(2026, 3, 5), 9))
    call_command("kpi_rebuild", workspace=workspace.slug, first=date(2026, 1, 1), last=date(2026, 1, 31))
    assert list(DailyRollup.objects.values_list("day", flat=True)) == [date(2026, 1, 5)]
    with pytest.raises(CommandError):
        call_command("kpi_rebuild", workspace="nope")


def test_rollups_never_mix_workspaces(workspace):
    other = WorkspaceFactory()
    ResponseFactory(survey=SurveyFactory(workspace=other), submitted_at=at(date(2026, 5, 5), 9))
    ResponseFactory(survey=SurveyFactory(workspace=workspace), submitted_at=at(date(2026, 5, 5), 9))
    services.rollups_rebuild(workspace=workspace)
    assert DailyRollup.objects.get().workspace == workspace
