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

from .prepared import numbered, statement_cursor


@cache
def _statement(alias: str, model: type[Model], with_pk: bool, rows: int, ignore: bool, unique: tuple[str, ...],
               changed: tuple[str, ...]) -> tuple[str, tuple]:
    quote = connections[alias].ops.quote_name
    fields = _fields(model, with_pk)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = _insert_sql(quote, model, fields, ", ".join([row] * rows), ignore, unique, changed)
    return numbered(sql + f" RETURNING {quote(model._meta.pk.column)}", connections[alias]), fields


def _fields(model: type[Model], with_pk: bool) -> tuple:
    meta = model._meta
    return tuple(field for field in meta.concrete_fields if with_pk or field is not meta.pk)


def _insert_sql(quote, model, fields, values: str, ignore: bool, unique: tuple[str, ...],
                changed: tuple[str, ...]) -> str:
    # Names come from the model's metadata and values are parameters: nothing here comes from a request.
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608
    if ignore:
        sql += " ON CONFLICT DO NOTHING"
    elif unique:
        column = {field.name: field.column for field in fields} | {field.attname: field.column for field in fields}
        sql += (f" ON CONFLICT ({', '.join(quote(column[name]) for name in unique)}) DO UPDATE SET "
                + ", ".join(f"{quote(column[name])} = EXCLUDED.{quote(column[name])}" for name in changed))
    return sql


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
    for instance, (key,) in zip(instances, keys, strict=True):
        _saved(instance, key, alias)
    return list(instances)


def _saved(instance: Model, key, alias: str) -> None:
    """Give the instance the key its row got (through the key field's converters) and mark it saved."""
    connection, pk = connections[alias], instance._meta.pk
    for converter in pk.get_db_converters(connection) + connection.ops.get_db_converters(
            pk.get_col(instance._meta.db_table)):
        key = converter(key, None, connection)
    instance.pk = key
    instance._state.adding = False
    instance._state.db = alias


class Step:
    """The rows of one Batch.add(). `written` (the instances written: a skipped conflict is left out) is known
    once the batch has run."""

    def __init__(self, instances: list[Model]):
        self.instances = instances
        self.written: list[Model] | None = None


def _references(instance: Model, keys_of: dict[str, Model]):
    """(attname, instance) of each relation set to an instance rather than to an id, and of `keys_of`."""
    for field in instance._meta.concrete_fields:
        if field.many_to_one and getattr(instance, field.attname) is None:
            related = field.get_cached_value(instance, default=None)
            if related is not None:
                yield field.attname, related
    yield from keys_of.items()


class Batch:
    """Rows that refer to each other (a response, its answers, the feedback item of an answer, the case of that
    item), written together. On PostgreSQL run() sends them as one statement, a chain of INSERTs in a WITH
    query where a later row takes the key of an earlier one from its RETURNING: a submission's five to eight
    INSERTs cost one round trip instead of one each. Elsewhere add() inserts at once.

    A row refers to another by a foreign key set to that unsaved instance, or by keys_of={attname: instance}
    for a plain id column; the instance must have been added earlier without ignore_conflicts (a skipped
    row would have no key to give). Same rules as insert() otherwise.
    """

    def __init__(self):
        # One entry per row: (instance, ignore_conflicts, unique, changed, keys_of, step).
        self.pending: list[tuple] = []
        self.alias: str | None = None

    def add(self, instances: Sequence[Model], *, ignore_conflicts: bool = False,
            update_conflicts: tuple[Sequence[str], Sequence[str]] | None = None,
            keys_of: dict[str, Model] | None = None) -> Step:
        step, keys_of = Step(list(instances)), keys_of or {}
        if not step.instances:
            step.written = []
            return step
        alias = router.db_for_write(type(step.instances[0]))
        if connections[alias].vendor != "postgresql":
            for instance in step.instances:
                for attname, related in _references(instance, keys_of):
                    setattr(instance, attname, related.pk)
            if ignore_conflicts:
                step.written = [instance for instance in step.instances if insert([instance], ignore_conflicts=True)]
            else:
                step.written = insert(step.instances, update_conflicts=update_conflicts)
            return step
        if self.alias not in (None, alias):
            raise ValueError("a batch writes to one database")
        self.alias = alias
        unique, changed = map(tuple, update_conflicts or ((), ()))
        step.written = []
        self.pending += [(instance, ignore_conflicts, unique, changed, keys_of, step) for instance in step.instances]
        return step

    def run(self) -> None:
        """Write what was added since the last run (nothing to do where add() wrote at once)."""
        if not self.pending:
            return
        entries, self.pending = self.pending, []
        connection = connections[self.alias]
        position = {id(entry[0]): index for index, entry in enumerate(entries)}
        shape, params, links = [], [], []
        for index, (instance, ignore, unique, changed, keys_of, _step) in enumerate(entries):
            model = type(instance)
            fields = _fields(model, instance.pk is not None)
            referred = {}
            for attname, related in _references(instance, keys_of):
                if related.pk is not None:
                    setattr(instance, attname, related.pk)
                    continue
                target = position.get(id(related))
                if target is None or target >= index or entries[target][1]:
                    raise ValueError(f"{model.__name__}.{attname} refers to a row this batch cannot key")
                referred[attname] = target
                links.append((instance, attname, related))
            refs = []
            for number, field in enumerate(fields):
                if field.attname in referred:
                    refs.append((number, referred[field.attname]))
                else:
                    params.append(field.get_db_prep_save(field.pre_save(instance, True), connection))
            shape.append((model, instance.pk is not None, ignore, unique, changed, tuple(refs)))
        with statement_cursor(connection) as cursor:
            cursor.execute(_chain_statement(self.alias, tuple(shape)), params)
            keys = dict(cursor.fetchall())
        for index, (instance, *_options, step) in enumerate(entries):
            if index in keys:  # else a conflict skipped it
                _saved(instance, keys[index], self.alias)
                step.written.append(instance)
        for instance, attname, related in links:
            setattr(instance, attname, related.pk)


@cache
def _chain_statement(alias: str, shape: tuple) -> str:
    quote = connections[alias].ops.quote_name
    parts, results = [], []
    for index, (model, with_pk, ignore, unique, changed, refs) in enumerate(shape):
        fields = _fields(model, with_pk)
        referred = dict(refs)
        # Row numbers and names from the models' metadata only; every value is a parameter.
        values = "(" + ", ".join(f"(SELECT cxm_pk FROM r{referred[number]})"  # noqa: S608
                                 if number in referred else "%s" for number in range(len(fields))) + ")"
        sql = _insert_sql(quote, model, fields, values, ignore, unique, changed)
        parts.append(f"r{index} AS ({sql} RETURNING {quote(model._meta.pk.column)} AS cxm_pk)")
        results.append(f"SELECT {index}, cxm_pk FROM r{index}")  # noqa: S608
    return numbered("WITH " + ", ".join(parts) + " " + " UNION ALL ".join(results), connections[alias])
