import time

import pytest

from apps.api.auth import WINDOW_SECONDS
from apps.workspaces.models import ApiKey
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def start_of_a_window(margin: float = 15) -> None:
    """The limit counts per clock minute (apps/api/auth.py): requests that straddle the minute's end would
    be counted in two windows. Wait for the next one when this one is about to end."""
    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < margin:
        time.sleep(left + 0.05)


def test_requests_over_the_limit_get_429_with_retry_after(client, api, workspace, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    start_of_a_window()
    assert [api.get("touchpoints").status_code for _ in range(3)] == [200, 200, 200]
    response = api.get("touchpoints")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Retry-After" in response.json()["detail"]
    # The limit is per key: another key of the same workspace still gets through.
    _key, raw_key = ApiKey.generate(workspace=workspace, name="Second")
    assert ApiClient(client, raw_key).get("touchpoints").status_code == 200


def test_the_default_limit_is_120_a_minute(api):
    start_of_a_window()
    statuses = [api.get("touchpoints").status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120
    assert statuses[120] == 429


def test_unauthenticated_requests_are_not_counted_against_a_key(client, api, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    for _ in range(3):
        assert client.get("/api/v1/touchpoints").status_code == 401
    assert api.get("touchpoints").status_code == 200
