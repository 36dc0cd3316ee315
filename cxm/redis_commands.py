"""Redis commands of the survey submission path, on one kept connection per process and thread.

Through redis.Redis a command costs redis-py 8 about 0.12 ms of CPU: a pool checkout that polls the
socket, the retry wrapper, the observability hooks. That is several times the round trip itself, and a
submission sends two or three (the rate-limit count, the coalesce marks of its recompute jobs). A bare
redis.Connection sends the same command for a third of that. It is still redis-py's connection: the
URL's host, database, password and TLS, the reply parser (hiredis when installed) and reconnecting
are its own; only the pool and the client around it are left out.
"""

import os
import threading
from functools import cache

import redis

TIMEOUT_SECONDS = 1  # a web request must not hang on Redis: the callers fail soft


class Commands:
    """Commands to one Redis URL. A connection is kept per thread (gthread workers share the process) and
    made again in a forked child, which must not read replies off its parent's socket."""

    def __init__(self, url: str, *, timeout: float = TIMEOUT_SECONDS):
        # The pool is never drawn from: it turns the URL into the right connection class and arguments.
        self._pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        self._local = threading.local()

    def _connection(self) -> tuple[redis.Connection, bool]:
        """The thread's connection, and whether it answered before (a kept connection, which Redis may have
        closed since: a restart, an idle timeout)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.pid, local.connection, local.answered = os.getpid(), self._pool.make_connection(), False
        return local.connection, local.answered

    def __call__(self, *args):
        """Send one command and return its reply. Raises redis.RedisError: ResponseError for an error reply,
        ConnectionError or TimeoutError when Redis does not answer within the timeout."""
        connection, kept = self._connection()
        try:
            return self._send(connection, args)
        except redis.ConnectionError:
            connection.disconnect()
            self._local.answered = False
            if not kept:
                raise
        # The kept connection was closed under us: one more try, on a new one (connect() is send's).
        return self._send(connection, args)

    def _send(self, connection: redis.Connection, args: tuple):
        try:
            connection.send_command(*args)
            reply = connection.read_response()
        except redis.TimeoutError:
            connection.disconnect()  # a reply may still come: the next command must not read it as its own
            raise
        self._local.answered = True
        return reply


@cache
def commands(url: str) -> Commands:
    return Commands(url)
