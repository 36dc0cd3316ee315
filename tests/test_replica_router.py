"""The read-replica router (off by default): only the dashboard's rollup reads go to the replica, writes
and everything else stay on the primary."""

import pytest

from apps.kpis.models import DailyRollup
from apps.workspaces.models import Membership
from cxm import routers

pytestmark = pytest.mark.django_db


class RecordingRouter(routers.ReplicaRouter):
    """Says where each read would go, and lets it run on the test database (there is no second server)."""

    reads: list[tuple[str, str | None]] = []

    def db_for_read(self, model, **hints):
        self.reads.append((model._meta.label, super().db_for_read(model, **hints)))
        return None


def test_without_a_replica_every_read_stays_on_the_primary():
    with routers.replica_reads():
        assert routers.ReplicaRouter().db_for_read(DailyRollup) is None


def test_reads_in_the_block_go_to_the_replica_and_writes_never(monkeypatch):
    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    router = routers.ReplicaRouter()
    with routers.replica_reads():
        assert router.db_for_read(DailyRollup) == "replica"
        assert router.db_for_write(DailyRollup) == "default"
    assert router.db_for_read(DailyRollup) is None
    assert router.allow_migrate("replica", "kpis") is False and router.allow_migrate("default", "kpis") is True


def test_the_dashboard_reads_its_rollups_from_the_replica_and_the_membership_from_the_primary(
        client, alice, workspace, settings, monkeypatch):
    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    settings.DATABASE_ROUTERS = ["tests.test_replica_router.RecordingRouter"]
    RecordingRouter.reads = []
    client.force_login(alice)
    assert client.get(f"/w/{workspace.slug}/").status_code == 200
    where = dict(RecordingRouter.reads)
    assert where[DailyRollup._meta.label] == "replica"
    assert where[Membership._meta.label] is None
