"""Soak: survey submissions mixed with dashboard views at a steady rate for --minutes (10 by default), through
gunicorn with a real Celery worker and beat, on PostgreSQL and Redis, all on loopback.

    make bench                                                   # every bench, this one included
    DATABASE_URL=postgres://…/cxm_bench .venv/bin/python tests/bench/bench_soak.py --minutes 3

Reuses bench_submit.py's survey, database and gunicorn set-up (4 sync workers, production settings) and
submit_load.py's HTTP client. Redis is a redis-server of the bench's own on a free port (broker, cache and
rate-limit counters, as REDIS_URL makes them in production), so the shared one is not touched. Virtual
customers open the survey and answer it at --rate submissions a second in all; a signed-in analyst opens the
dashboard every --dashboard-every seconds (each view a fresh filter, so the cache does not hide the work).
At the end it waits for the worker to drain, then checks: lost = accepted − stored, zero 5xx, the rollups
match a raw recompute, and the resident memory (RSS) of the web processes (gunicorn master and workers) and
of the Celery worker, sampled after the warm-up and at the end.
Merges soak_requests, soak_5xx, soak_lost, soak_p95_ms, soak_rss_growth_mb (and details) into
.bench/results.json. Not collected by pytest.
"""

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import bench_submit
from submit_load import FORM_TOKEN, THANKS, Connection, percentile

ROOT = bench_submit.ROOT
PERIODS = ["7", "30", "90"]


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def process_tree(root: int) -> list[int]:
    """The process and its descendants (gunicorn's master and workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


class Stats:
    def __init__(self):
        self.latencies: dict[str, list[float]] = {"page": [], "submit": [], "dashboard": []}
        self.statuses: dict[int, int] = {}
        self.accepted = 0
        self.errors: dict[str, int] = {}

    def add(self, kind: str, status: int, started: float) -> None:
        self.latencies[kind].append((time.perf_counter() - started) * 1000)
        self.statuses[status] = self.statuses.get(status, 0) + 1


async def customer(url: str, fields: dict, stats: Stats, *, interval: float, offset: float, deadline: float,
                   rng: random.Random) -> None:
    parts = urlsplit(url)
    connection = Connection(parts.hostname, parts.port)
    next_start = time.perf_counter() + offset
    while next_start < deadline:
        await asyncio.sleep(max(0.0, next_start - time.perf_counter()))
        next_start += interval
        try:
            started = time.perf_counter()
            status, page = await connection.request("GET", parts.path)
            stats.add("page", status, started)
            token = FORM_TOKEN.search(page) if status == 200 else None
            if token is None:
                continue
            score = rng.choices(range(11), weights=[2, 1, 1, 2, 2, 4, 6, 9, 14, 20, 22])[0]
            data = {"form_token": token.group(1).decode(), fields["nps"]: score, fields["csat"]: rng.randint(1, 5)}
            if score <= 6:
                data[fields["follow_up"]] = rng.choice(fields["choices"])
            if rng.random() < 0.4:
                data[fields["comment"]] = rng.choice(["배송이 늦었어요.", "상담원이 친절했어요.", "Great service!"])
            started = time.perf_counter()
            status, reply = await connection.request("POST", parts.path, urlencode(data).encode())
            stats.add("submit", status, started)
            if status == 200 and THANKS in reply:
                stats.accepted += 1
        except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError) as error:
            stats.errors[type(error).__name__] = stats.errors.get(type(error).__name__, 0) + 1
            connection.close()
    connection.close()


async def analyst(base: str, slug: str, cookie: str, stats: Stats, *, every: float, deadline: float,
                  touchpoints: list[int]) -> None:
    parts = urlsplit(base)
    connection = Connection(parts.hostname, parts.port)
    number = 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        # A different filter each time (period × touchpoint), as several analysts would: the cache helps less.
        query = {"period": PERIODS[number % len(PERIODS)]}
        if touchpoints and number % 2:
            query["touchpoint"] = touchpoints[number // 2 % len(touchpoints)]
        number += 1
        try:
            status, _page = await connection.request("GET", f"/w/{slug}/?{urlencode(query)}", cookie=cookie)
            stats.add("dashboard", status, started)
        except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError) as error:
            stats.errors[type(error).__name__] = stats.errors.get(type(error).__name__, 0) + 1
            connection.close()
        await asyncio.sleep(max(0.0, every - (time.perf_counter() - started)))
    connection.close()


def analyst_cookie(workspace) -> str:
    """A session for an analyst of the bench workspace, stored in the database gunicorn reads."""
    from django.test import Client

    from apps.accounts.models import User
    from apps.workspaces.models import Membership, Role

    user, _ = User.objects.get_or_create(username="soak-analyst", defaults={"email": "soak@example.com"})
    Membership.objects.get_or_create(workspace=workspace, user=user, defaults={"role": Role.ANALYST})
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def start_celery(kind: str, env: dict, log: Path, directory: Path) -> subprocess.Popen:
    args = ["worker", "--pool=solo", "--without-gossip", "--without-mingle", "--loglevel=warning"] if kind == "worker" \
        else ["beat", "--schedule", str(directory / "beat-schedule"), "--loglevel=warning"]
    with log.open("a") as output:
        return subprocess.Popen([sys.executable, "-m", "celery", "-A", "cxm", *args], cwd=ROOT, env=env,
                                stdout=output, stderr=subprocess.STDOUT)


def wait_for_drain(redis_url: str, timeout: float = 120) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (client.llen("celery") or client.hlen("unacked")):
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=20, help="submissions a second (each with its page view)")
    parser.add_argument("--connections", type=int, default=8, help="virtual customers")
    parser.add_argument("--dashboard-every", type=float, default=2.0, help="seconds between dashboard views")
    parser.add_argument("--warm-up", type=float, default=30, help="seconds of load before the first RSS sample")
    args = parser.parse_args()
    bench_submit.ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.kpis import selectors
    from apps.kpis.dashboard import period_for
    from apps.surveys.models import Response
    from tests.kpis.live_stack import PrivateRedis

    call_command("migrate", verbosity=0, interactive=False)
    survey, fields = bench_submit.make_survey("soak")
    workspace = survey.workspace
    cookie = analyst_cookie(workspace)
    touchpoints = list(workspace_touchpoints(workspace))
    directory = Path(tempfile.mkdtemp(prefix="cxm-soak-"))
    redis = PrivateRedis(directory)
    redis.start()
    env = {**os.environ, "REDIS_URL": redis.url, "KPI_DIRTY_SLICE_SECONDS": "30", "LOG_LEVEL": "WARNING"}
    env.pop("CELERY_TASK_DEFAULT_QUEUE", None)
    worker = start_celery("worker", env, directory / "worker.log", directory)
    beat = start_celery("beat", env, directory / "beat.log", directory)
    port = bench_submit.free_port()
    web = bench_submit.start_gunicorn("sync-4", port, redis.url, f"/s/{survey.token}/")
    connection.close()
    duration = args.minutes * 60
    samples = {}
    try:
        url = f"http://127.0.0.1:{port}/s/{survey.token}/"
        before = Response.objects.filter(survey=survey).count()
        stats = Stats()
        interval = args.connections / args.rate

        async def run():
            started = time.perf_counter()
            deadline = started + duration

            async def sample_after_warm_up():
                await asyncio.sleep(min(args.warm_up, duration / 4))
                samples["start"] = {"web": rss_mb(process_tree(web.pid)), "worker": rss_mb([worker.pid])}

            rng = random.Random(9)
            await asyncio.gather(
                sample_after_warm_up(),
                analyst(url, workspace.slug, cookie, stats, every=args.dashboard_every, deadline=deadline,
                        touchpoints=touchpoints),
                *(customer(url, fields, stats, interval=interval, offset=n * interval / args.connections,
                           deadline=deadline, rng=random.Random(rng.random())) for n in range(args.connections)))
            return time.perf_counter() - started

        print(f"soak: {args.minutes:g} min at {args.rate:g} submissions/s and a dashboard view every "
              f"{args.dashboard_every:g} s; gunicorn sync-4, Celery worker + beat, Redis {redis.url}", flush=True)
        elapsed = asyncio.run(run())
        samples["end"] = {"web": rss_mb(process_tree(web.pid)), "worker": rss_mb([worker.pid])}
        wait_for_drain(redis.url)
        time.sleep(2)
        stored = Response.objects.filter(survey=survey).count() - before
        period = period_for(workspace, days=7)
        rollups_match = selectors.matches_raw(workspace, period.first, period.last)
    finally:
        bench_submit.stop(web)
        for process in (beat, worker):
            bench_submit.stop(process)
        redis.stop()

    everything = [value for values in stats.latencies.values() for value in values]
    errors_5xx = sum(count for status, count in stats.statuses.items() if status >= 500)
    growth = {key: round(samples["end"][key] - samples["start"][key], 1) for key in ("web", "worker")}
    result = {
        "soak_requests": len(everything), "soak_5xx": errors_5xx, "soak_lost": stats.accepted - stored,
        "soak_p95_ms": round(percentile(everything, 0.95), 1),
        "soak_rss_growth_mb": round(growth["web"] + growth["worker"], 1),
        "soak_details": {
            "minutes": args.minutes, "elapsed_s": round(elapsed, 1), "rate_target": args.rate,
            "accepted": stats.accepted, "stored": stored, "statuses": stats.statuses, "errors": stats.errors,
            "submit_p95_ms": round(percentile(stats.latencies["submit"], 0.95) or 0, 1),
            "page_p95_ms": round(percentile(stats.latencies["page"], 0.95) or 0, 1),
            "dashboard_p95_ms": round(percentile(stats.latencies["dashboard"], 0.95) or 0, 1),
            "dashboard_views": len(stats.latencies["dashboard"]),
            "rss_mb": samples, "rss_growth_mb": growth, "rollups_match_raw": rollups_match,
        },
    }
    print(json.dumps(result, indent=2))
    results_path = ROOT / ".bench" / "results.json"
    results_path.parent.mkdir(exist_ok=True)
    stored_results = json.loads(results_path.read_text()) if results_path.exists() else {}
    stored_results.update(result)
    results_path.write_text(json.dumps(stored_results, indent=2, sort_keys=True) + "\n")
    print(f"written to {results_path.relative_to(ROOT)}")
    if result["soak_lost"] or errors_5xx or not rollups_match:
        raise SystemExit("soak failed: lost answers, server errors or rollups off")


def workspace_touchpoints(workspace):
    from apps.touchpoints.models import Touchpoint

    return Touchpoint.objects.for_workspace(workspace).values_list("pk", flat=True)[:5]


if __name__ == "__main__":
    main()
