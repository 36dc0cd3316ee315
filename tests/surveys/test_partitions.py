"""Responses partitioned by month on PostgreSQL (apps/surveys/partitions.py): rows land in their month's
partition (or the default one), `ensure` creates months and takes their rows out of the default, a detached
month is archived with its answers and leaves the rest working. On SQLite the same calls are no-ops."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from apps.feedback.models import FeedbackItem, FollowUpCase
from apps.surveys import partitions, services
from apps.surveys.models import Answer, Response
from tests.factories import ResponseFactory, SurveyFactory
from tests.feedback.factories import FollowUpCaseFactory
from tests.services import skip_without_services

from .factories import QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partitioned():
    if connection.vendor != "postgresql":
        skip_without_services("responses are partitioned on PostgreSQL only (CI's second pass)")
    assert partitions.is_partitioned(), "the migration did not partition surveys_response"


def partition_of(response: Response) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM surveys_response WHERE id = %s", [response.pk])
        return cursor.fetchone()[0]


def months_ago(months: int, day: int = 15) -> datetime:
    first = partitions.month_start(timezone.now().date(), -months)
    return datetime(first.year, first.month, day, 12, tzinfo=UTC)


def test_rows_land_in_their_months_partition_or_the_default(partitioned, workspace):
    now = ResponseFactory(survey__workspace=workspace)
    older = ResponseFactory(survey=now.survey, submitted_at=months_ago(5))
    ancient = ResponseFactory(survey=now.survey, submitted_at=datetime(2001, 3, 4, tzinfo=UTC))
    assert partition_of(now) == partitions.partition_name(partitions.month_start(now.submitted_at.date()))
    assert partition_of(older) == partitions.partition_name(partitions.month_start(older.submitted_at.date()))
    assert partition_of(ancient) == partitions.DEFAULT
    # The table reads as one: by id, by period, in aggregates.
    assert Response.objects.for_workspace(workspace).count() == 3
    assert Response.objects.get(pk=ancient.pk).submitted_at.year == 2001
    assert list(Response.objects.for_workspace(workspace).in_period(months_ago(6), None)) == [now, older]


def test_ensure_creates_the_months_ahead_and_moves_rows_out_of_the_default(partitioned, workspace):
    ancient = ResponseFactory(survey__workspace=workspace, submitted_at=datetime(2001, 3, 4, tzinfo=UTC))
    created = partitions.partitions_ensure(since=date(2001, 2, 1), months_ahead=5)
    assert created[:2] == ["surveys_response_p2001_02", "surveys_response_p2001_03"]
    assert partitions.partition_name(partitions.month_start(timezone.now().date(), 5)) in created
    assert partition_of(ancient) == "surveys_response_p2001_03"
    assert partitions.partitions_ensure(since=date(2001, 2, 1), months_ahead=5) == []  # idempotent


def test_a_detached_month_is_archived_and_the_rest_keeps_working(partitioned, workspace, client, alice):
    survey = SurveyFactory(workspace=workspace, status="live")
    nps = QuestionFactory(survey=survey, kind="nps")
    comment = QuestionFactory(survey=survey, kind="long_text", required=False)
    old_month = partitions.month_start(months_ago(3).date())
    old = services.response_record(survey=survey, questions=[nps, comment], answers={nps.pk: 2, comment.pk: "느려요"},
                                   submission_key="old", submitted_at=months_ago(3))
    kept = services.response_record(survey=survey, questions=[nps, comment], answers={nps.pk: 10},
                                    submission_key="kept", submitted_at=months_ago(1))
    case = FollowUpCase.objects.get(response=old)
    assert FeedbackItem.objects.filter(response=old).exists()

    result = partitions.partition_detach(month=old_month)

    assert (result["responses"], result["answers"]) == (1, 2)
    assert result["table"] == f"archive.{partitions.partition_name(old_month)}"
    assert list(Response.objects.for_workspace(workspace)) == [kept]
    assert not Answer.objects.filter(response_id=old.pk).exists()
    case.refresh_from_db()
    assert case.response_id is None  # the case and the feedback stay, unlinked
    assert FeedbackItem.objects.filter(workspace=workspace, response__isnull=True).count() == 1
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT nps_score FROM {result["table"]}')  # noqa: S608 (a name made by the test)
        assert cursor.fetchall() == [(2,)]
        cursor.execute(f'SELECT count(*) FROM {result["table"]}_answers')  # noqa: S608
        assert cursor.fetchone()[0] == 2
    assert partitions.strays() == {"answers": 0, "feedback items": 0, "follow-up cases": 0}
    assert partitions.partition_name(old_month) not in {partition.name for partition in partitions.partitions()}

    # The rest works: a new submission, the dashboard, the consistency check, the raw figures.
    fresh = services.response_record(survey=survey, questions=[nps, comment], answers={nps.pk: 9},
                                     submission_key="fresh")
    assert Response.objects.for_workspace(workspace).count() == 2
    assert services.response_record(survey=survey, questions=[nps, comment], answers={nps.pk: 1},
                                    submission_key="fresh") == fresh
    client.force_login(alice)
    assert client.get(f"/w/{workspace.slug}/").status_code == 200
    call_command("kpi_consistency", samples=5, seed=1)
    call_command("response_partitions", "check")
    with pytest.raises(ValueError, match="no attached partition"):
        partitions.partition_detach(month=old_month)


def test_stray_answers_are_reported(partitioned, workspace):
    response = ResponseFactory(survey__workspace=workspace)
    question = QuestionFactory(survey=response.survey, kind="nps")
    Answer.objects.create(workspace=workspace, response=response, question=question, number=5)
    with connection.cursor() as cursor:
        # Behind the ORM's back (the link has no database constraint): what `check` is there for.
        cursor.execute("DELETE FROM surveys_response WHERE id = %s", [response.pk])
    assert partitions.strays()["answers"] == 1


def test_the_orm_still_deletes_what_hangs_off_a_response(workspace):
    case = FollowUpCaseFactory(workspace=workspace, response=ResponseFactory(survey__workspace=workspace))
    question = QuestionFactory(survey=case.response.survey, kind="nps")
    Answer.objects.create(workspace=workspace, response=case.response, question=question, number=3)
    case.response.delete()
    assert not Answer.objects.exists() and not FollowUpCase.objects.exists()
    assert partitions.strays() == {"answers": 0, "feedback items": 0, "follow-up cases": 0}


def test_partitions_are_a_no_op_without_postgresql(workspace):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite pass checks this")
    assert not partitions.is_partitioned()
    assert partitions.partitions_ensure() == []
    assert partitions.partitions() == []
    with pytest.raises(ValueError):
        partitions.partition_detach(month=date(2024, 1, 1))


def test_submission_keys_older_than_any_live_form_are_purged(workspace):
    survey = SurveyFactory(workspace=workspace, status="live")
    nps = QuestionFactory(survey=survey, kind="nps")
    services.response_record(survey=survey, questions=[nps], answers={nps.pk: 9}, submission_key="k")
    assert services.submission_keys_purge(now=timezone.now() + timedelta(hours=47)) == 0
    assert services.submission_keys_purge(now=timezone.now() + timedelta(hours=49)) == 1
    assert Response.objects.count() == 1  # the response stays
