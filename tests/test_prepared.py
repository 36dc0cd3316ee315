"""PreparedQuery returns what its queryset returns, for any arguments, with the SQL built once."""

import pytest
from django.db import connection

from apps.workspaces.models import Membership, Role
from cxm.prepared import PreparedQuery, numbered
from tests.factories import MembershipFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def members_query(workspace_id: int, except_user_id: int):
    return (Membership.objects.for_workspace(workspace_id).filter(role=Role.ANALYST).exclude(user_id=except_user_id)
            .order_by("pk").values_list("user_id", "role"))


def test_rows_match_the_queryset_for_each_argument():
    first, second = WorkspaceFactory(), WorkspaceFactory()
    for workspace, count in ((first, 2), (second, 3)):
        MembershipFactory.create_batch(count, workspace=workspace, role=Role.ANALYST)
    MembershipFactory(workspace=first, role=Role.VIEWER)
    prepared = PreparedQuery(members_query, "workspace_id", "except_user_id")
    for workspace in (first, second, first):
        someone = Membership.objects.filter(workspace=workspace, role=Role.ANALYST).first().user_id
        for except_user_id in (someone, 0):
            assert (prepared.rows(workspace_id=workspace.pk, except_user_id=except_user_id)
                    == list(members_query(workspace.pk, except_user_id)))
    assert len(prepared.compiled) == 1


def test_an_argument_the_query_does_not_use_is_refused():
    prepared = PreparedQuery(lambda workspace_id, unused: Membership.objects.for_workspace(workspace_id)
                             .values_list("pk"), "workspace_id", "unused")
    with pytest.raises(ValueError, match="unused"):
        prepared.rows(workspace_id=1, unused=2)


def test_statements_get_the_servers_own_placeholders_on_postgresql():
    sql = "SELECT a FROM t WHERE b = %s AND c LIKE 'x%%' AND d IN (%s, %s)"
    if connection.vendor == "postgresql":
        assert numbered(sql) == "SELECT a FROM t WHERE b = $1 AND c LIKE 'x%' AND d IN ($2, $3)"
    else:
        assert numbered(sql) == sql
