import pytest
from django.utils import timezone

from apps.workspaces.models import ApiKey
from tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


def test_a_key_is_stored_hashed_and_authenticates(workspace):
    key, raw = ApiKey.generate(workspace=workspace, name="CRM sync")
    assert raw.startswith(f"cxm_{key.prefix}_")
    assert raw not in key.key_hash and len(key.key_hash) == 64
    assert ApiKey.authenticate(raw) == key


def test_wrong_revoked_or_malformed_keys_do_not_authenticate(workspace):
    key, raw = ApiKey.generate(workspace=workspace, name="CRM sync")
    assert ApiKey.authenticate(raw + "x") is None
    assert ApiKey.authenticate("not-a-key") is None
    assert ApiKey.authenticate("") is None
    key.revoked_at = timezone.now()
    key.save()
    assert ApiKey.authenticate(raw) is None


def test_keys_belong_to_their_workspace(workspace):
    _, raw = ApiKey.generate(workspace=workspace, name="ours")
    ApiKey.generate(workspace=WorkspaceFactory(), name="theirs")
    assert ApiKey.authenticate(raw).workspace == workspace
