"""Django's PostgreSQL backend with a health check that costs no round trip while the connection is fine.

CONN_HEALTH_CHECKS makes Django test a persistent connection before a request's first query, with a
SELECT 1: one more round trip on every survey submission. A connection the server has closed (a restart,
a failover, an idle timeout, a killed backend) has something waiting on its socket, the server's last
message or the end of the stream, so a socket with nothing to read is taken as healthy and only one
with something pending gets the SELECT 1. A connection whose peer vanished without a word (a cut cable)
looks healthy to both checks alike: its query fails, the request gets the 503 page, and Django drops the
connection after that request.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable or super().is_usable()
