"""The survey behind a public link, with its workspace and touchpoint, for the customer-facing pages.

Every visit and every submission starts here, so this is one hand-written JOIN compiled once per
process instead of a queryset compiled on each call: building the SQL of a select_related query cost
about 0.7 ms of CPU per request, several times the query itself. The rows are turned into model
instances with the fields' own database converters, exactly as the ORM would.

Each web process also keeps the surveys it looked up for SURVEY_LINK_CACHE_SECONDS (a second, cxm/kept.py):
at hundreds of answers a second most lookups then cost nothing. A change made in another process (a pause,
an edit, a new quota, a webhook subscription) reaches this one within that second; a change made in this
process at once, through forget(). The instances are shared by the requests of the process: callers must not
change them.
"""

from functools import cache

from django.db import connection

from apps.customers.models import Customer
from apps.touchpoints.models import Touchpoint
from apps.workspaces.models import Workspace
from cxm.kept import Kept
from cxm.prepared import numbered, statement_cursor

from .models import Survey, SurveyInvitation

# (model, table alias, join condition or None for the first table); LEFT JOIN where the link may be NULL.
SURVEY_TABLES = ((Survey, "s", None), (Workspace, "w", "JOIN {} w ON w.id = s.workspace_id"),
                 (Touchpoint, "t", "LEFT JOIN {} t ON t.id = s.touchpoint_id"))


def _select(tables, where: str) -> tuple[str, list]:
    quote = connection.ops.quote_name
    columns, joins, layout = [], [], []
    for model, alias, join in tables:
        fields = model._meta.concrete_fields
        columns += [f"{alias}.{quote(field.column)}" for field in fields]
        if join:
            joins.append(join.format(quote(model._meta.db_table)))
        converters = [field.get_db_converters(connection)
                      + connection.ops.get_db_converters(field.get_col(model._meta.db_table)) for field in fields]
        layout.append((model, [field.attname for field in fields], converters))
    first = tables[0]
    # Names come from the models' metadata and values are parameters: nothing here comes from a request.
    sql = f"SELECT {', '.join(columns)} FROM {quote(first[0]._meta.db_table)} {first[1]} {' '.join(joins)} WHERE {where}"  # noqa: S608, E501
    return numbered(sql), layout


@cache
def _survey_sql() -> tuple[str, list]:
    return _select(SURVEY_TABLES, "s.token = %s")


@cache
def _invitation_sql() -> tuple[str, list]:
    tables = ((SurveyInvitation, "i", None), (Survey, "s", "JOIN {} s ON s.id = i.survey_id"), *SURVEY_TABLES[1:],
              (Customer, "c", "JOIN {} c ON c.id = i.customer_id"))
    return _select(tables, "i.token = %s AND i.status <> %s")


def _instances(row, layout, using: str) -> list:
    instances, start = [], 0
    for model, attnames, converters in layout:
        values = list(row[start:start + len(attnames)])
        start += len(attnames)
        if values[0] is None:  # the LEFT JOIN found nothing
            instances.append(None)
            continue
        for index, functions in enumerate(converters):
            for function in functions:
                values[index] = function(values[index], None, connection)
        instances.append(model.from_db(using, attnames, values))
    return instances


def _fetch(sql_and_layout, params):
    sql, layout = sql_and_layout
    with statement_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else _instances(row, layout, connection.alias)


_recent = Kept()


def forget() -> None:
    """Drop the surveys this process keeps: one of them, or its workspace, has changed."""
    _recent.forget()


def survey_by_link(token: str) -> Survey | None:
    """The survey of a public link /s/<token>/, its workspace and touchpoint loaded, in one query, or
    from this process's last second of lookups."""
    return _recent.get(token, lambda: _survey_by_link(token))


def _survey_by_link(token: str) -> Survey | None:
    found = _fetch(_survey_sql(), [token])
    if found is None:
        return None
    survey, workspace, touchpoint = found
    survey.workspace, survey.touchpoint = workspace, touchpoint
    return survey


def invitation_by_link(token: str) -> SurveyInvitation | None:
    """The invitation of a personal link /r/<token>/ with its survey, workspace, touchpoint and customer. A skipped
    invitation's link was never sent, so it does not exist for anyone."""
    found = _fetch(_invitation_sql(), [token, SurveyInvitation.Status.SKIPPED])
    if found is None:
        return None
    invitation, survey, workspace, touchpoint, customer = found
    survey.workspace, survey.touchpoint = workspace, touchpoint
    invitation.survey, invitation.customer = survey, customer
    return invitation
