"""Tests that need a service the embedded default lacks (PostgreSQL, Redis, server binaries) run in CI's
second pass. Elsewhere they are skipped with the reason, unless CXM_REQUIRE_SERVICES is set: then a
missing service fails the test instead of hiding it."""

import os

import pytest


def skip_without_services(reason: str) -> None:
    if os.environ.get("CXM_REQUIRE_SERVICES"):
        pytest.fail(reason)
    pytest.skip(reason)
