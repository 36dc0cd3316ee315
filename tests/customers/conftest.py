import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from apps.customers import services
from apps.customers.models import CustomerImport
from cxm.celery import app as celery_app
from tests.factories import CustomerImportFactory


@pytest.fixture
def import_csv(workspace):
    """Run the import job in-process on `content` (bytes or str, str is encoded as UTF-8)."""

    def run(content, *, encoding: str = "utf-8", user=None, file_name: str = "customers.csv") -> CustomerImport:
        if isinstance(content, str):
            content = content.encode(encoding)
        customer_import = CustomerImportFactory(workspace=workspace, content=content, uploaded_by=user,
                                                file_name=file_name)
        return services.customer_import_run(import_id=customer_import.pk)

    return run


@pytest.fixture
def worker():
    """A real Celery worker process on its own queue (same approach as tests/test_celery_worker.py)."""
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        reason = "needs REDIS_URL and a PostgreSQL DATABASE_URL (CI's second pass sets both)"
        if os.environ.get("CXM_REQUIRE_SERVICES"):
            pytest.fail(reason)
        pytest.skip(reason)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    database_url = (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
                    f"{db['PORT'] or 5432}/{db['NAME']}")
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": settings.REDIS_URL, "DEBUG": "1"}
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
        yield process
    finally:
        celery_app.conf.task_default_queue = previous_queue
        celery_app.conf.task_always_eager = previous_eager
        process.terminate()
        process.wait(timeout=30)
