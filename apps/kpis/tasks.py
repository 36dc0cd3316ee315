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
    workspace_ids = list(Workspace.objects.values_list("pk", flat=True))
    for workspace_id in workspace_ids:
        services.rollups_rebuild(workspace=Workspace.objects.get(pk=workspace_id))
    return len(workspace_ids)
