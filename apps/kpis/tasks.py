from datetime import date

from celery import shared_task

from apps.workspaces.models import Workspace
from cxm.queue import coalesce_release

from . import services


@shared_task(acks_late=True)
def recompute_rollup_slice(workspace_id: int, day: str) -> dict:
    """The slice of new responses, enqueued on commit (coalesced: one queued run covers them all)."""
    coalesce_release(recompute_rollup_slice, workspace_id, day)
    return services.rollup_slice_recompute(workspace_id=workspace_id, day=date.fromisoformat(day))


@shared_task
def process_dirty_slices() -> int:
    """Every few minutes: recompute what a lost or delayed message left stale."""
    return services.dirty_slices_process()


@shared_task
def reconcile_rollups() -> int:
    """Nightly: rebuild every workspace's rollups from the responses."""
    from apps.customers.services import customer_last_nps_refresh

    workspace_ids = list(Workspace.objects.values_list("pk", flat=True))
    for workspace_id in workspace_ids:
        workspace = Workspace.objects.get(pk=workspace_id)
        # Profiles first: saved segments on the last NPS group are rolled up from them.
        customer_last_nps_refresh(workspace=workspace)
        services.rollups_rebuild(workspace=workspace)
    return len(workspace_ids)


@shared_task(acks_late=True)
def rebuild_segment_rollups(segment_id: int) -> int:
    """After a saved segment is created or its rules change: its rollups for every day."""
    return services.segment_rollups_rebuild(segment_id=segment_id)
