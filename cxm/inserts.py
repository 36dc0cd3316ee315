"""INSERTs of the survey submission path, with their SQL built once per process.

save() and bulk_create() compile their INSERT on every call: resolving the fields, quoting names,
building placeholders and, on PostgreSQL, an UNNEST form for several rows. On a submission that writes
five to seven small rows this was a third of the web process's CPU, far more than the statements cost
the database. insert() keeps what matters of them (each field's pre_save and database preparation, the
primary key read back with RETURNING, the instance marked saved) and caches the statement text, which
lets PostgreSQL run it as a prepared statement (prepared.statement_cursor).

Not a general replacement: no signals are sent (nothing listens for the rows written here: the
webhook events and jobs are called explicitly by the services), and no multi-table inheritance.
"""

from collections.abc import Sequence
from functools import cache

from django.db import connections, router
from django.db.models import Model

from .prepared import statement_cursor


@cache
def _statement(alias: str, model: type[Model], with_pk: bool, rows: int, ignore: bool, unique: tuple[str, ...],
               changed: tuple[str, ...]) -> tuple[str, tuple]:
    quote = connections[alias].ops.quote_name
    meta = model._meta
    fields = tuple(field for field in meta.concrete_fields if with_pk or field is not meta.pk)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Names come from the model's metadata and values are parameters: nothing here comes from a request.
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row] * rows)}"  # noqa: S608
    if ignore:
        sql += " ON CONFLICT DO NOTHING"
    elif unique:
        column = {field.name: field.column for field in fields} | {field.attname: field.column for field in fields}
        sql += (f" ON CONFLICT ({', '.join(quote(column[name]) for name in unique)}) DO UPDATE SET "
                + ", ".join(f"{quote(column[name])} = EXCLUDED.{quote(column[name])}" for name in changed))
    return sql + f" RETURNING {quote(meta.pk.column)}", fields


def insert(instances: Sequence[Model], *, ignore_conflicts: bool = False,
           update_conflicts: tuple[Sequence[str], Sequence[str]] | None = None) -> list[Model]:
    """Insert unsaved instances of one model in one statement and set their primary keys. Returns the
    instances written. With ignore_conflicts (one instance only), a row that breaks a unique constraint
    is not written and [] is returned; with update_conflicts=(unique fields, fields to update) the row
    already there is updated instead (an upsert; its primary key is set)."""
    if not instances:
        return []
    model = type(instances[0])
    if ignore_conflicts and len(instances) > 1:
        raise ValueError("ignore_conflicts needs one instance: the rows written could not be told apart")
    alias = router.db_for_write(model)
    connection = connections[alias]
    unique, changed = map(tuple, update_conflicts or ((), ()))
    sql, fields = _statement(alias, model, instances[0].pk is not None, len(instances), ignore_conflicts,
                             unique, changed)
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection)
              for instance in instances for field in fields]
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    if not keys:  # the one row conflicted and was skipped
        return []
    pk = model._meta.pk
    converters = pk.get_db_converters(connection) + connection.ops.get_db_converters(pk.get_col(model._meta.db_table))
    for instance, (key,) in zip(instances, keys, strict=True):
        for converter in converters:
            key = converter(key, None, connection)
        instance.pk = key
        instance._state.adding = False
        instance._state.db = alias
    return list(instances)
