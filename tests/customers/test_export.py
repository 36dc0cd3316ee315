import csv
import io

import pytest
from django.utils import timezone

from apps.workspaces.models import AuditEntry
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def export(client, workspace, **filters):
    response = client.get(f"/w/{workspace.slug}/customers/export/", filters)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    return response, body


def rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_export_is_streamed_utf8_with_a_bom_and_korean_text(client, workspace, bob):
    CustomerFactory(workspace=workspace, external_id="K1", name="김민지", email="minji@example.kr", consent=True,
                    language="ko", attributes={"segment": "family", "plan": "5G 프리미엄"},
                    last_surveyed_at=timezone.now())
    client.force_login(bob)
    response, body = export(client, workspace)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    assert body.startswith(b"\xef\xbb\xbf")
    header = body.decode("utf-8-sig").splitlines()[0]
    assert header == ("external_id,name,email,phone,language,consent,last_surveyed_at,created_at,"
                      "segment,tier,region,plan")
    [row] = rows(body)
    assert (row["external_id"], row["name"], row["consent"], row["segment"], row["plan"], row["tier"]) == (
        "K1", "김민지", "yes", "family", "5G 프리미엄", "")
    assert row["last_surveyed_at"].endswith("+09:00")  # in the workspace's time zone


def test_export_neutralises_formulas(client, workspace, bob):
    CustomerFactory(workspace=workspace, external_id="=1+1", name="+cmd|' /C calc'!A0", phone="-5",
                    email="at@example.com", attributes={"segment": "@SUM(A1)", "tier": "\tgold"})
    client.force_login(bob)
    [row] = rows(export(client, workspace)[1])
    assert row["external_id"] == "'=1+1"
    assert row["name"] == "'+cmd|' /C calc'!A0"
    assert row["phone"] == "'-5"
    assert row["segment"] == "'@SUM(A1)"
    assert row["tier"] == "'\tgold"
    assert row["email"] == "at@example.com"


def test_export_applies_the_list_filters(client, workspace, bob):
    CustomerFactory(workspace=workspace, name="Gold yes", consent=True, attributes={"tier": "gold"})
    CustomerFactory(workspace=workspace, name="Gold no", consent=False, attributes={"tier": "gold"})
    CustomerFactory(workspace=workspace, name="Silver", consent=True, attributes={"tier": "silver"})
    CustomerFactory(name="Other workspace", attributes={"tier": "gold"})
    client.force_login(bob)
    assert [row["name"] for row in rows(export(client, workspace, tier="gold", consent="yes")[1])] == ["Gold yes"]
    assert {row["name"] for row in rows(export(client, workspace, q="gold")[1])} == {"Gold yes", "Gold no"}


def test_export_streams_in_chunks(client, workspace, bob, monkeypatch):
    from apps.customers import services

    monkeypatch.setattr(services, "EXPORT_CHUNK_SIZE", 3)
    CustomerFactory.create_batch(7, workspace=workspace)
    CustomerFactory(workspace=workspace, name="ZZZ last", attributes={"late_key": "dropped"})
    client.force_login(bob)
    exported = rows(export(client, workspace)[1])
    assert len(exported) == 8
    assert "late_key" not in exported[0]  # keys outside the first chunk are not columns (documented)


def test_export_is_audited_without_personal_data(client, workspace, bob):
    CustomerFactory(workspace=workspace, name="김민지", attributes={"tier": "gold"})
    client.force_login(bob)
    export(client, workspace, tier="gold")
    entry = AuditEntry.objects.for_workspace(workspace).get(action=AuditEntry.Action.CUSTOMERS_EXPORTED)
    assert entry.actor == bob
    assert entry.details == {"rows": 1, "filters": {"tier": "gold"}}


def test_viewer_may_not_export(client, workspace, vera):
    client.force_login(vera)
    assert client.get(f"/w/{workspace.slug}/customers/export/").status_code == 403
    assert not AuditEntry.objects.exists()
