"""Survey jobs. Each takes ids, reloads its rows and wraps a service; every one is safe to run twice."""

from celery import shared_task


@shared_task(acks_late=True)
def send_distribution(distribution_id: int) -> None:
    """Create the distribution's invitations and e-mail the ones not sent yet."""
    from . import services

    services.distribution_send(distribution_id=distribution_id)


@shared_task(acks_late=True)
def recompute_distribution_counts(distribution_id: int) -> None:
    """Bring the stored sent/opened/answered counts of a distribution up to date with its invitations."""
    from . import services
    from .models import Distribution

    distribution = Distribution.objects.filter(pk=distribution_id).first()
    if distribution is not None:
        services.distribution_counts_refresh(distribution=distribution)


@shared_task
def maintain_response_partitions() -> list[str]:
    """Daily: the coming months' response partitions exist before their first response (PostgreSQL), and
    double-post keys older than any live form are dropped."""
    from . import partitions, services

    services.submission_keys_purge()
    return partitions.partitions_ensure()


@shared_task
def create_due_waves() -> int:
    """Every 15 minutes: the next wave of every relationship NPS schedule that is due."""
    from . import services

    return services.waves_create_due()


@shared_task(acks_late=True)
def expire_partial_responses() -> int:
    """Expire unfinished multi-page responses past their time (recording them where the survey counts them)."""
    from . import partials

    return partials.partial_responses_expire()
