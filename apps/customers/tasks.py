from celery import shared_task


@shared_task(acks_late=True)
def import_customers(import_id: int) -> None:
    """Import a stored CSV upload. Safe to run again: it recomputes from the file and upserts."""
    from . import services

    services.customer_import_run(import_id=import_id)
