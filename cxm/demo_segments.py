"""Demo saved segments and a relationship NPS wave schedule with two past waves answered, so the
wave-over-wave change shows on the survey results and the NPS report. Fixed seed; skipped when present."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.customers.models import Customer, Segment
from apps.customers.services import customer_last_nps_refresh
from apps.surveys import services as survey_services
from apps.surveys.models import Answer, Distribution, Question, Response, Survey, SurveyInvitation, WaveSchedule

BRAND_SEGMENT = {"hanbit-telecom": ("가족 요금제 고객", "family"), "georeum-shoes": ("러너 고객", "runner")}
SCHEDULE_NAME = "분기별 관계 NPS"
PER_WAVE = 500
# (days ago, chance of answering, NPS answer weights 0..10): the second wave is clearly better.
WAVES = [(120, 0.4, [3, 2, 2, 3, 4, 6, 8, 12, 14, 10, 8]), (30, 0.42, [1, 1, 1, 2, 2, 3, 5, 10, 14, 15, 16])]


def _segments(workspace) -> dict[str, Segment]:
    label, value = BRAND_SEGMENT.get(workspace.slug, ("주요 고객", "consumer"))
    definitions = [
        ("수신 동의 고객", "이메일 설문을 받을 수 있는 고객", {"consent": "yes"}),
        ("골드 등급", "", {"attributes": {"tier": "gold"}}),
        ("최근 비추천 고객", "마지막 NPS 응답이 0–6점", {"nps_group": "detractor"}),
        ("90일 이상 미조사 서울 고객", "", {"attributes": {"region": "서울"}, "surveyed": "not_within",
                                      "surveyed_days": 90}),
        (label, "", {"attributes": {"segment": value}, "consent": "yes"}),
    ]
    segments = {}
    for name, description, rules in definitions:
        segments[name], _created = Segment.objects.get_or_create(
            workspace=workspace, name=name, defaults={"description": description, "rules": rules})
    return segments


@transaction.atomic
def seed_segments(workspace) -> int:
    """Returns the number of wave responses created (0 when the demo already has them)."""
    customer_last_nps_refresh(workspace=workspace)
    segments = _segments(workspace)
    survey = (Survey.objects.for_workspace(workspace).filter(status=Survey.Status.LIVE, touchpoint__isnull=True)
              .order_by("pk").first())
    if survey is None or WaveSchedule.objects.for_workspace(workspace).filter(name=SCHEDULE_NAME).exists():
        return 0
    question = Question.objects.for_workspace(workspace).filter(survey=survey, kind=Question.Kind.NPS).first()
    now = timezone.now()
    schedule = WaveSchedule.objects.create(
        workspace=workspace, survey=survey, segment=segments["수신 동의 고객"], name=SCHEDULE_NAME, every=3,
        unit=WaveSchedule.Unit.MONTHS, waves_created=len(WAVES), next_wave_at=now + timedelta(days=60))
    rng = random.Random(f"cxm-demo-waves-{workspace.slug}")
    customers = list(Customer.objects.for_workspace(workspace).filter(consent=True).exclude(email="")
                     .values_list("pk", "language"))
    created = 0
    for number, (days_ago, answer_rate, weights) in enumerate(WAVES, start=1):
        sent_at = now - timedelta(days=days_ago)
        distribution = Distribution.objects.create(
            workspace=workspace, survey=survey, name=f"{SCHEDULE_NAME} · {number}차", segment=schedule.segment,
            segment_rules=schedule.segment.rules, wave_schedule=schedule, wave_number=number,
            status=Distribution.Status.DONE, finished_at=sent_at)
        Distribution.objects.filter(pk=distribution.pk).update(created_at=sent_at)
        chosen = rng.sample(customers, min(PER_WAVE, len(customers)))
        invitations = SurveyInvitation.objects.bulk_create([
            SurveyInvitation(workspace=workspace, distribution=distribution, survey=survey, customer_id=customer_id,
                             status=SurveyInvitation.Status.SENT, created_at=sent_at, sent_at=sent_at,
                             expires_at=sent_at + timedelta(days=14)) for customer_id, _language in chosen],
            batch_size=1000)
        answered = [(invitation, language) for invitation, (_pk, language) in zip(invitations, chosen, strict=True)
                    if rng.random() < answer_rate]
        rows = []
        for invitation, language in answered:
            invitation.answered_at = invitation.opened_at = sent_at + timedelta(hours=rng.uniform(0.5, 72))
            rows.append(Response(workspace=workspace, survey=survey, customer_id=invitation.customer_id,
                                 invitation=invitation, channel="email", language=language or "ko",
                                 submitted_at=invitation.answered_at,
                                 nps_score=rng.choices(range(11), weights)[0]))
        SurveyInvitation.objects.bulk_update([invitation for invitation, _language in answered],
                                             ["answered_at", "opened_at"], batch_size=1000)
        rows = Response.objects.bulk_create(rows, batch_size=1000)
        if question is not None:
            Answer.objects.bulk_create([Answer(workspace=workspace, response=response, question=question,
                                               number=response.nps_score) for response in rows], batch_size=1000)
        survey_services.distribution_counts_refresh(distribution=distribution)
        created += len(rows)
    customer_last_nps_refresh(workspace=workspace)
    return created
