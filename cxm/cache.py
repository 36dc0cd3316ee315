"""Django's Redis cache backend, cheaper per call.

Django's backend builds a new redis.Redis around its pool on every call (cache.add, cache.get, …), and
building one costs more CPU than the round trip it makes: about 0.1 ms, on a survey submission that makes
two or three such calls. A client is thread-safe and holds no connection of its own (the pool does), so
one per pool is enough. add() and delete(), the calls of every submission (the coalesce marks of
cxm/queue.py), go further and skip the client: they are sent on a kept connection (cxm/redis_commands.py).
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from .redis_commands import commands


class _SharedClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client

    def add(self, key, value, timeout):
        if timeout == 0 or timeout is None:  # the rare forms: Django's own way
            return super().add(key, value, timeout)
        # Writes go to the first server, as get_client(write=True) picks.
        return commands(self._servers[0])("SET", key, self._serializer.dumps(value), "EX", timeout, "NX") is not None

    def delete(self, key):
        return bool(commands(self._servers[0])("DEL", key))


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClient
