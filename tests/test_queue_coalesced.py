"""enqueue_coalesced_on_commit: one queued run of a recompute job covers every commit until it starts."""

import pytest
from django.db import transaction

from cxm import queue

pytestmark = pytest.mark.django_db(transaction=True)


class RecordingTask:
    """Stands in for a Celery task's publishing side: the broker is what this test leaves out."""

    name = "tests.recompute"

    def __init__(self, fail: bool = False):
        self.sent, self.fail = [], fail

    def apply_async(self, args, kwargs):
        if self.fail:
            raise ConnectionError("broker down")
        self.sent.append(args)


def commit_with(task, *args):
    with transaction.atomic():
        queue.enqueue_coalesced_on_commit(task, *args)


def test_commits_while_a_run_is_queued_send_nothing_more():
    task = RecordingTask()
    for _ in range(5):
        commit_with(task, 7, "2026-12-01")
    assert task.sent == [(7, "2026-12-01")]


def test_other_arguments_are_queued_apart():
    task = RecordingTask()
    commit_with(task, 7, "2026-12-01")
    commit_with(task, 7, "2026-12-02")
    commit_with(task, 8, "2026-12-01")
    assert len(task.sent) == 3


def test_once_the_run_starts_the_next_commit_queues_again():
    task = RecordingTask()
    commit_with(task, 7, "2026-12-01")
    queue.coalesce_release(task, 7, "2026-12-01")  # what the job does first
    commit_with(task, 7, "2026-12-01")
    assert task.sent == [(7, "2026-12-01")] * 2


def test_nothing_is_sent_for_a_rolled_back_transaction():
    task = RecordingTask()
    with pytest.raises(RuntimeError), transaction.atomic():
        queue.enqueue_coalesced_on_commit(task, 7, "2026-12-01")
        raise RuntimeError
    assert task.sent == []
    commit_with(task, 7, "2026-12-01")
    assert task.sent == [(7, "2026-12-01")]


def test_a_failed_send_leaves_no_mark_behind(caplog):
    failing = RecordingTask(fail=True)
    commit_with(failing, 7, "2026-12-01")
    assert "broker unreachable" in caplog.text
    working = RecordingTask()
    commit_with(working, 7, "2026-12-01")  # the broker is back: the next commit sends at once
    assert working.sent == [(7, "2026-12-01")]
