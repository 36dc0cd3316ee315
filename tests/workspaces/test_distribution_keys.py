"""Every tenant table can be distributed by workspace (Citus, docs/scaling.md): it carries a non-null
workspace_id, and every unique key on it (constraints, unique_together, unique fields, rollup keys
written as expressions) starts with the workspace, so a uniqueness check never spans two shards. Read from
the models' metadata, so a new model or constraint that breaks the rule fails here."""

from django.apps import apps
from django.db import models
from django.db.models import F

from apps.workspaces.models import Workspace, WorkspaceOwned

# Tables of the project's apps that are not distributed by workspace, and why. Citus keeps them as
# reference tables (a copy on every node), so tenant tables may keep their foreign keys to them.
NOT_DISTRIBUTED = {
    "accounts.User": "one person may belong to several workspaces: a reference table",
    "workspaces.Workspace": "the distribution key itself: a reference table (one row per brand)",
}


def project_models(*, include_auto_created: bool = False):
    return [model for model in apps.get_models(include_auto_created=include_auto_created)
            if model.__module__.startswith("apps.") or (
                model._meta.auto_created and model._meta.auto_created.__module__.startswith("apps."))]


def unique_keys(model) -> list[tuple[str, list[str]]]:
    """(name, leading fields) of every unique key on the table; an expression key gives its column names."""
    keys = []
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint):
            continue
        if constraint.fields:
            keys.append((constraint.name, list(constraint.fields)))
        else:
            first = constraint.expressions[0]
            keys.append((constraint.name, [first.name] if isinstance(first, F) else [repr(first)]))
    keys += [(f"unique_together {fields}", list(fields)) for fields in model._meta.unique_together]
    keys += [(f"{field.name} (unique=True)", [field.name]) for field in model._meta.local_fields
             if field.unique and not field.primary_key]
    return keys


def test_every_tenant_table_carries_a_non_null_workspace():
    offenders = []
    for model in project_models():
        label = model._meta.label
        if label in NOT_DISTRIBUTED:
            assert not issubclass(model, WorkspaceOwned), f"{label} is listed as not distributed but is tenant-owned"
            continue
        if not issubclass(model, WorkspaceOwned):
            offenders.append(f"{label}: does not inherit WorkspaceOwned")
            continue
        field = model._meta.get_field("workspace")
        if field.null or field.related_model is not Workspace:
            offenders.append(f"{label}: workspace must be a non-null foreign key to Workspace")
    assert not offenders, "\n".join(offenders)


def test_every_unique_key_on_a_tenant_table_starts_with_the_workspace():
    offenders = [f"{model._meta.label}: {name} starts with {fields[:1]}"
                 for model in project_models() if issubclass(model, WorkspaceOwned)
                 for name, fields in unique_keys(model) if fields[:1] != ["workspace"]]
    assert not offenders, "\n".join(offenders)


def test_rollup_keys_start_with_the_workspace():
    rollups = [model for model in apps.get_app_config("kpis").get_models() if model.__name__.endswith("Rollup")]
    assert len(rollups) >= 3, "the KPI rollup tables were not found"
    for model in rollups:
        keys = unique_keys(model)
        assert keys, f"{model._meta.label} has no unique key: its upserts would have nothing to conflict on"
        assert all(fields[:1] == ["workspace"] for _, fields in keys), model._meta.label


def test_no_tenant_table_hides_rows_in_an_automatic_many_to_many_table():
    # An automatic through table has no workspace_id and could not be co-located with its two sides.
    automatic = [model._meta.label for model in project_models(include_auto_created=True)
                 if model._meta.auto_created and issubclass(model._meta.auto_created, WorkspaceOwned)]
    assert not automatic, f"give these many-to-many relations a WorkspaceOwned through model: {automatic}"


def test_tenant_foreign_keys_point_at_tenant_or_reference_tables():
    # Citus joins and enforces foreign keys between co-located tables (same workspace) or to reference
    # tables; any other target would need a cross-shard lookup.
    reference = {apps.get_model(label) for label in NOT_DISTRIBUTED}
    offenders = []
    for model in project_models():
        if not issubclass(model, WorkspaceOwned):
            continue
        for field in model._meta.local_fields:
            if field.is_relation and not (issubclass(field.related_model, WorkspaceOwned)
                                          or field.related_model in reference):
                offenders.append(f"{model._meta.label}.{field.name} → {field.related_model._meta.label}")
    assert not offenders, "\n".join(offenders)
