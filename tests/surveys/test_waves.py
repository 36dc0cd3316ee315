"""Relationship NPS in waves: recipients from a saved segment, the beat job, pause/resume, the
wave-over-wave figures and the pages."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.nps.scores import nps_change
from apps.surveys import selectors, services
from apps.surveys.models import Distribution, SurveyInvitation, WaveSchedule, add_interval
from apps.surveys.tasks import create_due_waves
from tests.factories import CustomerFactory, ResponseFactory, SegmentFactory
from tests.surveys.factories import SurveyInvitationFactory, WaveScheduleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule(workspace):
    segment = SegmentFactory(workspace=workspace, rules={"attributes": {"tier": "gold"}})
    return WaveScheduleFactory(survey__workspace=workspace, segment=segment,
                               next_wave_at=timezone.now() - timedelta(minutes=1))


def test_recipients_from_a_segment_respect_consent_and_fatigue(workspace, mailoutbox,
                                                                django_capture_on_commit_callbacks):
    workspace.contact_fatigue_days = 30
    workspace.save()
    gold = {"tier": "gold"}
    fresh = CustomerFactory(workspace=workspace, attributes=gold)
    refused = CustomerFactory(workspace=workspace, attributes=gold, consent=False)
    tired = CustomerFactory(workspace=workspace, attributes=gold, last_surveyed_at=timezone.now() - timedelta(days=3))
    CustomerFactory(workspace=workspace, attributes={"tier": "silver"})
    segment = SegmentFactory(workspace=workspace, rules={"attributes": gold})
    survey = WaveScheduleFactory(survey__workspace=workspace, segment=segment).survey
    with django_capture_on_commit_callbacks(execute=True):
        distribution = services.distribution_create(survey=survey, created_by=None, name="Gold", filters={},
                                                    segment=segment)
    invitations = SurveyInvitation.objects.for_workspace(workspace).filter(distribution=distribution)
    assert dict(invitations.values_list("customer_id", "skip_reason")) == {
        fresh.pk: "", refused.pk: "no_consent", tired.pk: "fatigue"}
    assert [message.to for message in mailoutbox] == [[fresh.email]]


def test_a_distribution_keeps_its_copy_of_the_segment_rules(workspace):
    segment = SegmentFactory(workspace=workspace, rules={"attributes": {"tier": "gold"}})
    survey = WaveScheduleFactory(survey__workspace=workspace, segment=segment).survey
    distribution = services.distribution_create(survey=survey, created_by=None, name="Gold", filters={},
                                                segment=segment)
    segment.rules = {"attributes": {"tier": "silver"}}
    segment.save()
    distribution.refresh_from_db()
    assert distribution.segment_rules["attributes"] == {"tier": "gold"}


def test_the_beat_job_creates_a_due_wave_once(schedule, mailoutbox, django_capture_on_commit_callbacks):
    CustomerFactory(workspace=schedule.workspace, attributes={"tier": "gold"})
    with django_capture_on_commit_callbacks(execute=True):
        assert create_due_waves() == 1
        assert create_due_waves() == 0
    # A second call for the same schedule (a duplicate beat) finds nothing due.
    assert services.wave_create_due(schedule_id=schedule.pk) is None
    wave = Distribution.objects.for_workspace(schedule.workspace).get(wave_schedule=schedule)
    assert wave.wave_number == 1 and wave.segment == schedule.segment
    assert len(mailoutbox) == 1
    schedule.refresh_from_db()
    assert schedule.waves_created == 1 and schedule.next_wave_at > timezone.now()


def test_a_wave_number_is_unique_per_schedule(schedule):
    from django.db import IntegrityError, transaction

    services.wave_create_due(schedule_id=schedule.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Distribution.objects.create(workspace=schedule.workspace, survey=schedule.survey, name="again",
                                    wave_schedule=schedule, wave_number=1)


def test_a_paused_schedule_sends_nothing_until_resumed(schedule):
    services.wave_schedule_set_status(schedule=schedule, status=WaveSchedule.Status.PAUSED)
    assert create_due_waves() == 0
    services.wave_schedule_set_status(schedule=schedule, status=WaveSchedule.Status.ACTIVE)
    assert create_due_waves() == 1


def test_missed_waves_are_not_sent_in_a_burst(schedule):
    WaveSchedule.objects.filter(pk=schedule.pk).update(next_wave_at=timezone.now() - timedelta(days=200), every=1)
    assert create_due_waves() == 1
    assert create_due_waves() == 0
    schedule.refresh_from_db()
    assert timezone.now() < schedule.next_wave_at < timezone.now() + timedelta(days=32)


def test_a_wave_waits_for_a_survey_that_is_not_live(schedule):
    schedule.survey.status = "paused"
    schedule.survey.save()
    assert create_due_waves() == 0
    schedule.refresh_from_db()
    assert schedule.waves_created == 0


def test_month_steps_keep_the_day_or_the_last_day():
    moment = datetime(2026, 1, 31, 9, tzinfo=UTC)
    assert add_interval(moment, 1, "months").date().isoformat() == "2026-02-28"
    assert add_interval(moment, 12, "months").date().isoformat() == "2027-01-31"
    assert add_interval(moment, 2, "weeks").date().isoformat() == "2026-02-14"


def wave(schedule, number: int, scores: list[int]) -> Distribution:
    distribution = Distribution.objects.create(workspace=schedule.workspace, survey=schedule.survey,
                                               name=f"wave {number}", wave_schedule=schedule, wave_number=number,
                                               sent_count=len(scores) * 2)
    for score in scores:
        invitation = SurveyInvitationFactory(distribution=distribution, survey=schedule.survey,
                                             customer__workspace=schedule.workspace)
        ResponseFactory(survey=schedule.survey, invitation=invitation, customer=invitation.customer,
                        nps_score=score)
    return distribution


def test_wave_over_wave_nps_with_its_significance(schedule, django_assert_num_queries):
    wave(schedule, 1, [10] * 20 + [8] * 20 + [3] * 40)  # NPS −25
    wave(schedule, 2, [10] * 50 + [8] * 20 + [3] * 10)  # NPS +50
    ResponseFactory(survey=schedule.survey, nps_score=0)  # not from a wave
    with django_assert_num_queries(3):
        [comparison] = selectors.wave_comparisons(schedule.workspace, survey=schedule.survey)
    first, second = comparison.waves
    assert (first.number, first.scores.nps, first.scores.nps_answers) == (1, -25.0, 80)
    assert (second.scores.nps, second.response_rate) == (50.0, 50.0)
    assert second.change == nps_change(first.scores, second.scores)
    assert second.change.delta == 75.0 and second.change.significant


def test_results_page_and_nps_report_show_the_waves(client, schedule, alice):
    wave(schedule, 1, [10, 3, 3])
    wave(schedule, 2, [10, 10, 8])
    client.force_login(alice)
    workspace = schedule.workspace
    for address in (f"/w/{workspace.slug}/surveys/{schedule.survey_id}/results/", f"/w/{workspace.slug}/nps/",
                    f"/w/{workspace.slug}/surveys/{schedule.survey_id}/waves/"):
        body = client.get(address).content.decode()
        assert schedule.name in body and "Wave 2" in body, address


def test_the_nps_report_with_waves_stays_within_its_queries(client, schedule, alice, django_assert_max_num_queries):
    wave(schedule, 1, [10, 3])
    client.force_login(alice)
    # The report's twelve, plus the schedules, their waves and one aggregate of the wave responses.
    with django_assert_max_num_queries(15):
        client.get(f"/w/{schedule.workspace.slug}/nps/")


def test_an_admin_configures_pauses_and_resumes(client, workspace, alice):
    segment = SegmentFactory(workspace=workspace)
    survey = WaveScheduleFactory(survey__workspace=workspace, segment=segment).survey
    client.force_login(alice)
    base = f"/w/{workspace.slug}/surveys/{survey.pk}/waves/"
    response = client.post(base + "new/", {"name": "Quarterly", "segment": segment.pk, "every": "3",
                                           "unit": "months", "next_wave_at": "2030-01-05T10:00"})
    assert response.status_code == 302
    schedule = WaveSchedule.objects.for_workspace(workspace).get(name="Quarterly")
    client.post(f"{base}{schedule.pk}/status/", {"status": "paused"})
    schedule.refresh_from_db()
    assert schedule.status == "paused"
    client.post(f"{base}{schedule.pk}/status/", {"status": "active"})
    schedule.refresh_from_db()
    assert schedule.status == "active"
    response = client.post(base + "new/", {"name": "Bad", "segment": segment.pk, "every": "0", "unit": "months",
                                           "next_wave_at": ""})
    assert response.status_code == 400


def test_analysts_read_waves_but_do_not_configure_them(client, schedule, bob):
    client.force_login(bob)
    base = f"/w/{schedule.workspace.slug}/surveys/{schedule.survey_id}/waves/"
    assert client.get(base).status_code == 200
    assert client.get(base + "new/").status_code == 403
    assert client.post(f"{base}{schedule.pk}/status/", {"status": "paused"}).status_code == 403
    assert client.post(f"{base}{schedule.pk}/", {"name": "x"}).status_code == 403
