import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from apps.workspaces.models import Role
from cxm.celery import app as celery_app

from .client import Client
from .factories import MembershipFactory, UserFactory, WorkspaceFactory
from .services import skip_without_services


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgresql") and connection.vendor != "postgresql":
        skip_without_services("needs PostgreSQL (CI's second pass)")


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Tasks run in-process unless a test needs the real worker (marker `services`): the suite must
    not leave jobs in a shared Redis that nobody consumes."""
    if request.node.get_closest_marker("services"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached fragments are keyed by ids that a rolled-back test may hand out again."""
    from django.core.cache import cache

    from apps.surveys import page_cache
    from cxm import kept

    cache.clear()
    page_cache.clear()
    kept.forget_all()
    yield
    cache.clear()


@pytest.fixture
def client():
    """pytest-django's client, routed as cxm.wsgi routes requests (tests/client.py)."""
    return Client()


@pytest.fixture(autouse=True)
def english_by_default(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Hanbit Telecom", slug="hanbit")


@pytest.fixture
def alice(workspace):
    """Owns the workspace."""
    return MembershipFactory(workspace=workspace, user=UserFactory(username="alice"), role=Role.OWNER).user


@pytest.fixture
def bob(workspace):
    """An analyst in the workspace."""
    return MembershipFactory(workspace=workspace, user=UserFactory(username="bob"), role=Role.ANALYST).user


@pytest.fixture
def vera(workspace):
    """A viewer in the workspace."""
    return MembershipFactory(workspace=workspace, user=UserFactory(username="vera"), role=Role.VIEWER).user


@pytest.fixture
def charlie(db):
    """Signed-in, but a member of no workspace."""
    return UserFactory(username="charlie")


@pytest.fixture
def other_owner(db):
    """Owner of another brand's workspace."""
    return MembershipFactory(workspace=WorkspaceFactory(name="Other brand"), role=Role.OWNER).user


@pytest.fixture
def worker(tmp_path):
    """A real Celery worker process on its own queue, on Redis and PostgreSQL (CI's second pass), its
    e-mail written to files in the directory it yields. Skipped without those services, unless
    CXM_REQUIRE_SERVICES is set: then it fails."""
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        skip_without_services("needs REDIS_URL and a PostgreSQL DATABASE_URL (CI's second pass sets both)")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    database_url = (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
                    f"{db['PORT'] or 5432}/{db['NAME']}")
    outbox = tmp_path / "outbox"
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": settings.REDIS_URL,
           "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(outbox),
           "DEBUG": "1", "SITE_URL": "https://cxm.example"}
    env.pop("PYTEST_VERSION", None)  # the worker is a production-like process, not part of the test run
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cxm", "worker", "--pool=solo", "-Q", queue,
         "--hostname", f"{queue}@%h", "--without-gossip", "--without-mingle", "--loglevel=warning"],
        cwd=settings.BASE_DIR, env=env)
    previous_queue, previous_eager = celery_app.conf.task_default_queue, celery_app.conf.task_always_eager
    celery_app.conf.task_default_queue = queue
    celery_app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5):
            assert process.poll() is None, "the Celery worker exited at start"
            assert time.monotonic() < deadline, "the Celery worker did not answer within 60 s"
        yield outbox
    finally:
        celery_app.conf.task_default_queue = previous_queue
        celery_app.conf.task_always_eager = previous_eager
        process.terminate()
        process.wait(timeout=30)

