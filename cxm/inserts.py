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

from django.db import connections, models, router
from django.db.models import NOT_PROVIDED, Field, Model, signals
from django.db.models.base import ModelState

from .prepared import numbered, statement_cursor


@cache
def _statement(alias: str, model: type[Model], with_pk: bool, rows: int, ignore: bool, unique: tuple[str, ...],
               changed: tuple[str, ...]) -> str:
    quote = connections[alias].ops.quote_name
    fields = _fields(model, with_pk)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = _insert_sql(quote, model, fields, ", ".join([row] * rows), ignore, unique, changed)
    return numbered(sql + f" RETURNING {quote(model._meta.pk.column)}", connections[alias])


@cache
def _fields(model: type[Model], with_pk: bool) -> tuple:
    meta = model._meta
    return tuple(field for field in meta.concrete_fields if with_pk or field is not meta.pk)


# Fields whose column value is the Python value itself when that is None or of the type given: their
# get_db_prep_save only converts other types. The common case then skips Django's chain of calls per field.
_PLAIN = {models.CharField: str, models.TextField: str, models.EmailField: str, models.SlugField: str,
          models.IntegerField: int, models.SmallIntegerField: int, models.BigIntegerField: int,
          models.PositiveIntegerField: int, models.PositiveSmallIntegerField: int,
          models.AutoField: int, models.BigAutoField: int}


def _plain_type(field: Field) -> type | None:
    if type(field).pre_save is not Field.pre_save:  # auto_now and the like compute their value
        return None
    # A foreign key's column holds its target's value.
    return _PLAIN.get(type(field.target_field if type(field) is models.ForeignKey else field))


@cache
def _columns(model: type[Model], with_pk: bool) -> tuple:
    """(field, attname, plain type or None) of each column an INSERT of the model writes."""
    return tuple((field, field.attname, _plain_type(field)) for field in _fields(model, with_pk))


def _column_value(instance: Model, field: Field, attname: str, plain: type | None, connection):
    value = getattr(instance, attname)
    if plain is not None and (value is None or type(value) is plain):
        return value
    return field.get_db_prep_save(field.pre_save(instance, True), connection)


@cache
def _relations(model: type[Model]) -> tuple:
    return tuple(field for field in model._meta.concrete_fields if field.many_to_one)


@cache
def _key_converters(model: type[Model], alias: str) -> tuple:
    connection, pk = connections[alias], model._meta.pk
    return tuple(pk.get_db_converters(connection)
                 + connection.ops.get_db_converters(pk.get_col(model._meta.db_table)))


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
    with_pk = instances[0].pk is not None
    sql = _statement(alias, model, with_pk, len(instances), ignore_conflicts, unique, changed)
    columns = _columns(model, with_pk)
    params = [_column_value(instance, field, attname, plain, connection)
              for instance in instances for field, attname, plain in columns]
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
    converters = _key_converters(type(instance), alias)
    if converters:
        connection = connections[alias]
        for converter in converters:
            key = converter(key, None, connection)
    instance.pk = key
    instance._state.adding = False
    instance._state.db = alias


@cache
def _blank(model: type[Model]) -> tuple[dict, tuple, dict, frozenset] | None:
    """What row() needs of a model: the attributes of a new instance whose defaults are constants, the fields whose
    default is computed per instance, the foreign keys by name and the names it accepts. None when Model()
    must build it: a one-to-one field, whose descriptor sets both sides."""
    meta = model._meta
    if any(field.one_to_one for field in meta.concrete_fields):
        return None
    constant, computed = {}, []
    for field in meta.concrete_fields:
        # A computed default (and a database default's expression) is made anew for each instance, as Model() does.
        if (field.has_default() and callable(field.default)) or field.db_default is not NOT_PROVIDED:
            computed.append(field)
        else:
            constant[field.attname] = field.get_default()
    relations = {field.name: field for field in meta.concrete_fields if field.many_to_one}
    names = frozenset(field.attname for field in meta.concrete_fields) | relations.keys()
    return constant, tuple(computed), relations, names


def row(model: type[Model], **values) -> Model:
    """An unsaved instance, as model(**values) builds it, for the rows of a submission: a third of the CPU.
    Takes field attnames, and foreign keys by name as instances (saved or not, as a Batch links them);
    anything else raises TypeError, as Model() does. Unlike Model(), the router is not asked about the
    relations and the instance's database is set only when it is written (insert(), Batch.run())."""
    blank = _blank(model)
    # Signals are asked each time, as Model() does: a listener may be connected later (an image field's).
    if blank is None or signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model(**values)
    constant, computed, relations, names = blank
    if "pk" in values:
        values[model._meta.pk.attname] = values.pop("pk")
    unknown = values.keys() - names
    if unknown:
        raise TypeError(f"{model.__name__}() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
    instance = Model.__new__(model)
    attributes = instance.__dict__
    attributes["_state"] = state = ModelState()
    attributes.update(constant)
    for field in computed:
        if field.attname not in values and field.name not in values:
            attributes[field.attname] = field.get_default()
    for name, value in values.items():
        field = relations.get(name)
        if field is None:
            attributes[name] = value
            continue
        # What the foreign key's descriptor does: the id, and the instance kept for instance.<name>.
        if value is not None and not isinstance(value, field.related_model):
            raise ValueError(f'"{name}" must be a "{field.related_model.__name__}" instance, not {value!r}')
        attributes[field.attname] = None if value is None else getattr(value, field.target_field.attname)
        state.fields_cache[name] = value
    return instance


class Step:
    """The rows of one Batch.add(). `written` (the instances written: a skipped conflict is left out) is known
    once the batch has run."""

    def __init__(self, instances: list[Model]):
        self.instances = instances
        self.written: list[Model] | None = None


def _references(instance: Model, keys_of: dict[str, Model]):
    """(attname, instance) of each relation set to an instance rather than to an id, and of `keys_of`."""
    for field in _relations(type(instance)):
        if getattr(instance, field.attname) is None:
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
            columns = _columns(model, instance.pk is not None)
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
            for number, (field, attname, plain) in enumerate(columns):
                if attname in referred:
                    refs.append((number, referred[attname]))
                else:
                    params.append(_column_value(instance, field, attname, plain, connection))
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
