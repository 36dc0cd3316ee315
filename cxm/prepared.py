"""Queries of the survey submission path, compiled to SQL once per process, and the cursor they run on.

Building a queryset's SQL (resolving lookups, joins, annotations) costs far more CPU than running it
on an indexed table: 0.5–2 ms against 0.1 ms. For the few queries every submission runs, a
PreparedQuery builds the queryset once with marker values, remembers where the markers sit among the
SQL parameters, and afterwards only swaps in the real values. Only for querysets that return plain
rows (values_list): no model instances, no converters.
"""

import itertools
import re
from collections.abc import Callable
from functools import cache

from django.db import connection as default_connection
from django.db.models import QuerySet

# Distinct values no real id takes, to find each argument among the compiled parameters.
_MARKER_BASE = -7_300_000_001


class PreparedQuery:
    def __init__(self, build: Callable[..., QuerySet], *names: str):
        self.build, self.names = build, names
        self.compiled: dict[str, tuple[str, list]] = {}

    def _compile(self) -> tuple[str, list]:
        markers = {name: _MARKER_BASE - index for index, name in enumerate(self.names)}
        by_marker = {value: name for name, value in markers.items()}
        sql, params = self.build(**markers).query.sql_with_params()
        sql = numbered(sql)
        slots = [(by_marker[param], None) if isinstance(param, int) and param in by_marker else (None, param)
                 for param in params]
        missing = set(self.names) - {name for name, _ in slots if name}
        if missing:
            raise ValueError(f"arguments not found in the compiled query: {sorted(missing)}")
        return sql, slots

    def rows(self, **values) -> list[tuple]:
        # One compiled form per database vendor: tests run the same process on one database only, but be exact.
        compiled = self.compiled.get(default_connection.vendor)
        if compiled is None:
            compiled = self.compiled[default_connection.vendor] = self._compile()
        sql, slots = compiled
        with statement_cursor() as cursor:
            cursor.execute(sql, [values[name] if name else constant for name, constant in slots])
            return cursor.fetchall()


_FORMAT_PLACEHOLDER = re.compile(r"%([s%])")


def numbered(sql: str, connection=None) -> str:
    """A statement for statement_cursor(): on PostgreSQL with the server's own placeholders ($1, $2, …) and
    a literal % unescaped, which that cursor sends as they are; elsewhere the usual %s form, unchanged.
    psycopg parses a %s statement again on every run once it is over 4 KB or 50 parameters, as the
    submission's one-statement write is (cxm/inserts.Batch): 5% of the web process's instructions on a
    submission, measured with callgrind."""
    if (connection or default_connection).vendor != "postgresql":
        return sql
    numbers = itertools.count(1)
    return _FORMAT_PLACEHOLDER.sub(lambda match: f"${next(numbers)}" if match.group(1) == "s" else "%", sql)


def statement_cursor(connection=None):
    """A cursor for the submission path's fixed statements, written with numbered() placeholders. On
    PostgreSQL it binds parameters on the server, so a statement this connection has run before is prepared
    (settings.py sets the threshold) instead of parsed and planned again; elsewhere it is the usual cursor.
    Wrapped as connection.cursor() is: the query-count tests see its statements and database errors arrive
    as Django's.

    Use it with `with`, like connection.cursor(). On PostgreSQL the one psycopg cursor under it is kept for
    the connection's life and not closed (building one was a tenth of a submission's CPU): read the rows
    before running another statement."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        kept = getattr(connection, "_statement_cursor", None)
        if kept is None or kept.connection is not connection.connection or kept.closed:
            kept = connection._statement_cursor = _raw_cursor_class()(connection.connection)
        return _KeptCursor(connection._prepare_cursor(kept))


class _KeptCursor:
    """The wrapped cursor, minus closing it at the end of a `with` block."""

    def __init__(self, wrapped):
        self.wrapped = wrapped

    def __enter__(self):
        return self.wrapped

    def __exit__(self, *exc_info):
        return False


@cache
def _raw_cursor_class():
    # Imported on first use: psycopg is only installed for PostgreSQL.
    import psycopg
    from django.db.backends.postgresql.base import CursorMixin

    class RawStatementCursor(CursorMixin, psycopg.RawCursor):
        """Django's server-binding cursor, taking $1, $2, … placeholders as written."""

    return RawStatementCursor
