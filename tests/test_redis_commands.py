"""cxm/redis_commands.py: the submission path's Redis commands on a kept connection, against a real Redis."""

import os
import threading

import pytest
import redis
from django.conf import settings

from cxm.redis_commands import Commands

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (CI's second pass sets REDIS_URL)")


@pytest.fixture
def send():
    commands = Commands(settings.REDIS_URL)
    commands("DEL", "tests:redis-commands", "tests:redis-commands:child")
    yield commands
    commands("DEL", "tests:redis-commands", "tests:redis-commands:child")


def test_replies_as_redis_gives_them(send):
    assert send("SET", "tests:redis-commands", "1", "EX", 30, "NX") in (b"OK", "OK")
    assert send("SET", "tests:redis-commands", "1", "EX", 30, "NX") is None  # already there
    assert send("INCR", "tests:redis-commands") == 2
    assert 0 < send("TTL", "tests:redis-commands") <= 30
    assert send("DEL", "tests:redis-commands") == 1


def test_an_error_reply_raises_and_the_connection_goes_on(send):
    send("SET", "tests:redis-commands", "not a number")
    with pytest.raises(redis.ResponseError):
        send("INCR", "tests:redis-commands")
    assert send("EXISTS", "tests:redis-commands") == 1


def test_one_connection_is_kept_per_thread(send):
    first = send("CLIENT", "ID")
    assert send("CLIENT", "ID") == first
    other = []
    thread = threading.Thread(target=lambda: other.append(send("CLIENT", "ID")))
    thread.start()
    thread.join()
    assert other and other[0] != first


def test_a_connection_closed_by_redis_is_made_again(send):
    kept = send("CLIENT", "ID")
    redis.Redis.from_url(settings.REDIS_URL).client_kill_filter(_id=kept)
    assert send("INCR", "tests:redis-commands") == 1  # one command, on a new connection
    assert send("CLIENT", "ID") != kept


def test_a_forked_child_does_not_read_off_its_parents_socket(send):
    parent = send("CLIENT", "ID")
    child = os.fork()
    if child == 0:  # pragma: no cover (the child reports through Redis)
        try:
            send("SET", "tests:redis-commands:child", send("CLIENT", "ID"))
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    assert int(send("GET", "tests:redis-commands:child")) != parent
    assert send("CLIENT", "ID") == parent  # the parent's connection is still good


def test_a_late_reply_is_not_taken_for_the_next_one():
    send = Commands(settings.REDIS_URL, timeout=0.2)
    with pytest.raises(redis.TimeoutError):
        send("BLPOP", "tests:redis-commands:empty", 1)  # Redis answers after a second
    assert send("ECHO", "next") in (b"next", "next")


def test_an_unreachable_redis_raises_connection_error():
    with pytest.raises(redis.ConnectionError):
        Commands("redis://127.0.0.1:1/0")("PING")
