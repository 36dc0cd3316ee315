"""A private Redis with a real Celery worker and beat on it, for tests/kpis/test_live_rollups.py.

The Redis is a redis-server subprocess of the test's own on a free loopback port, so the test can stop
and restart "Redis" without disturbing the shared one that other tests and processes use."""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.db import connection

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def wait_until(predicate: Callable, *, timeout: float, message: str, interval: float = 0.2,
               details: Callable[[], str] | None = None):
    """Poll `predicate` until it returns something true; fail with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(message + (f"\n{details()}" if details else ""))
        time.sleep(interval)


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"({path.name}: no output)"
    return f"--- last lines of {path.name} ---\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen | None, timeout: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class PrivateRedis:
    """redis-server on 127.0.0.1:<free port>, without persistence: a restart comes back empty, as a
    Redis that lost its queue would."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = directory / "redis.log"
        self.process: subprocess.Popen | None = None

    def ping(self) -> bool:
        try:
            with redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5,
                             socket_timeout=0.5) as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def start(self, timeout: float = 10) -> None:
        assert self.process is None, "the private Redis is already running"
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(self.directory)], stdout=log, stderr=subprocess.STDOUT)

        def up() -> bool:
            assert self.process.poll() is None, f"redis-server exited at start\n{tail(self.log)}"
            return self.ping()

        wait_until(up, timeout=timeout, message=f"redis-server did not answer on port {self.port}",
                   details=lambda: tail(self.log))

    def stop(self) -> None:
        _stop(self.process, timeout=10)
        self.process = None
        assert not self.ping(), "the private Redis still answers after being stopped"


def require_live_services(settings) -> None:
    """Skip (or fail, with CXM_REQUIRE_SERVICES=1) unless PostgreSQL, Redis and redis-server are at hand."""
    from tests.services import skip_without_services

    if not settings.REDIS_URL or connection.vendor != "postgresql" or not os.access(REDIS_SERVER, os.X_OK):
        skip_without_services(
            "needs REDIS_URL, a PostgreSQL DATABASE_URL and redis-server (CI's second pass has all three)")


def database_url_for_subprocesses() -> str:
    """The pytest database (test_<name>) as a DATABASE_URL for processes outside the test run."""
    db = connection.settings_dict
    return (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}")


class CeleryStack:
    """A Celery worker and beat, as the Procfile runs them, on `redis_url` and the pytest database, with
    their own queue (beat's jobs go to it too) so no other worker takes their messages."""

    def __init__(self, directory: Path, *, redis_url: str, dirty_slice_seconds: float):
        self.directory = directory
        self.queue = f"test-live-{uuid.uuid4().hex[:8]}"
        self.hostname = f"{self.queue}@{os.uname().nodename}"
        self.worker_log = directory / "worker.log"
        self.beat_log = directory / "beat.log"
        self.env = {**os.environ, "DATABASE_URL": database_url_for_subprocesses(), "REDIS_URL": redis_url,
                    "CELERY_TASK_DEFAULT_QUEUE": self.queue, "KPI_DIRTY_SLICE_SECONDS": str(dirty_slice_seconds),
                    "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                    "EMAIL_FILE_PATH": str(directory / "outbox"), "DEBUG": "1", "SITE_URL": "https://cxm.example"}
        self.env.pop("PYTEST_VERSION", None)  # production-like processes, not part of the test run
        self.worker: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None

    def _celery(self, args: list[str], log: Path) -> subprocess.Popen:
        with log.open("a") as output:
            return subprocess.Popen([sys.executable, "-m", "celery", "-A", "cxm", *args], cwd=settings.BASE_DIR,
                                    env=self.env, stdout=output, stderr=subprocess.STDOUT)

    def start(self, app, timeout: float = 60) -> None:
        self.beat = self._celery(["beat", "--schedule", str(self.directory / "beat-schedule"), "--max-interval", "1",
                                  "--loglevel=info"], self.beat_log)
        self.start_worker(app, timeout=timeout)

    def start_worker(self, app, timeout: float = 60) -> None:
        self.worker = self._celery(["worker", "--pool=solo", "-Q", self.queue, "--hostname", self.hostname,
                                    "--without-gossip", "--without-mingle", "--loglevel=info"], self.worker_log)

        def worker_answers() -> bool:
            self.assert_running()
            return bool(app.control.ping(destination=[self.hostname], timeout=0.5))

        wait_until(worker_answers, timeout=timeout, message=f"the Celery worker did not answer within {timeout} s",
                   details=self.logs)

    def kill_worker(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost machine would: no clean-up, no acknowledgement."""
        self.worker.kill()
        self.worker.wait(timeout=10)

    def assert_running(self) -> None:
        assert self.worker.poll() is None, f"the Celery worker exited\n{self.logs()}"
        assert self.beat.poll() is None, f"celery beat exited\n{self.logs()}"

    def logs(self) -> str:
        return f"{tail(self.worker_log)}\n{tail(self.beat_log)}"

    def stop(self) -> None:
        _stop(self.beat)
        _stop(self.worker)


def _drop_connections(app) -> None:
    """Forget the broker pools and the result backend the app built for its current URLs."""
    pool = app._pool
    if pool is not None:
        pool.force_close_all()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None and amqp._producer_pool is not None:
        amqp._producer_pool.force_close_all()
        amqp._producer_pool = None
    app._backend_cache = None
    app._local.backend = None
    # kombu keeps producer pools in a global registry keyed by connection: a closed one would be handed
    # out again to the next test that publishes.
    from kombu import pools

    pools.reset()


@contextmanager
def celery_app_on(app, *, redis_url: str, queue: str):
    """Point the project's Celery app (what enqueue_on_commit publishes with) at `redis_url` and `queue`,
    for real (not eagerly); everything is put back afterwards."""
    keys = ("broker_url", "result_backend", "task_default_queue", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    _drop_connections(app)
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_default_queue=queue, task_always_eager=False)
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
            target = urlsplit(redis_url)
            assert (conn.hostname, conn.port) == (target.hostname, target.port), conn.as_uri()
        yield
    finally:
        _drop_connections(app)
        app.conf.update(saved)
