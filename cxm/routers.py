"""Read replica for the dashboard, off by default. With DATABASE_REPLICA_URL set, the reads made inside
`replica_reads()` (the dashboard body: rollups only, already seconds behind the responses) go to the
"replica" database; everything else, writes and sign-in included, stays on "default". docs/scaling.md says
when this is worth it."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_on_replica: ContextVar[bool] = ContextVar("cxm_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in this block may come from the replica, when one is configured."""
    token = _on_replica.set(replica_configured())
    try:
        yield
    finally:
        _on_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _on_replica.get() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replica follows the primary's schema through replication
