"""Exponential backoff shared by the jobs that retry something outside the machine (webhooks, e-mail)."""

import random
from datetime import timedelta


def backoff(attempt: int, *, base_seconds: float, max_seconds: float) -> timedelta:
    """After the n-th failed attempt: base · 2^(n−1), capped, plus up to 10% jitter so the retries of an
    outage do not all land in the same second."""
    seconds = min(base_seconds * 2 ** (attempt - 1), max_seconds)
    return timedelta(seconds=seconds * (1 + random.uniform(0, 0.1)))
