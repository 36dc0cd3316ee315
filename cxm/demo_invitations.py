"""Demo personal invitations: one e-mail distribution a month over the last year, so the response rate
tile and the send logs have something to show. Generated from a fixed seed; skipped when present."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.customers.models import Customer
from apps.surveys import services as survey_services
from apps.surveys.models import Distribution, Survey, SurveyInvitation

PER_MONTH = 400
NAME = "월간 관계 NPS 조사 {month}"


@transaction.atomic
def seed_invitations(workspace, *, months: int = 12, per_month: int = PER_MONTH) -> int:
    survey = (Survey.objects.for_workspace(workspace).filter(status=Survey.Status.LIVE, touchpoint__isnull=True)
              .order_by("pk").first() or Survey.objects.for_workspace(workspace).order_by("pk").first())
    if survey is None or Distribution.objects.for_workspace(workspace).filter(name__startswith="월간 관계").exists():
        return 0
    rng = random.Random(f"cxm-demo-invitations-{workspace.slug}")
    customers = list(Customer.objects.for_workspace(workspace).filter(consent=True).exclude(email="")
                     .values_list("pk", flat=True))
    if not customers:
        return 0
    now = timezone.now()
    created = 0
    for month in range(months, 0, -1):
        sent_at = now - timedelta(days=30 * month) + timedelta(hours=rng.randint(0, 72))
        distribution = Distribution.objects.create(
            workspace=workspace, survey=survey, name=NAME.format(month=f"{sent_at:%Y-%m}"),
            status=Distribution.Status.DONE, finished_at=sent_at)
        rows = []
        for customer_id in rng.sample(customers, min(per_month, len(customers))):
            answered = rng.random() < 0.32
            opened = answered or rng.random() < 0.25
            delay = timedelta(hours=rng.uniform(0.2, 60))
            rows.append(SurveyInvitation(
                workspace=workspace, distribution=distribution, survey=survey, customer_id=customer_id,
                status=SurveyInvitation.Status.SENT, created_at=sent_at, sent_at=sent_at,
                opened_at=min(sent_at + delay / 2, now) if opened else None,
                answered_at=min(sent_at + delay, now) if answered else None,
                expires_at=sent_at + timedelta(days=14)))
        SurveyInvitation.objects.bulk_create(rows, batch_size=1000)
        survey_services.distribution_counts_refresh(distribution=distribution)
        created += len(rows)
    return created
