"""Benchmark: survey submissions per second through gunicorn on PostgreSQL, with a loopback load.

    make bench                                   # PostgreSQL at postgres://postgres@127.0.0.1:5432/cxm_bench
    DATABASE_URL=postgres://… .venv/bin/python tests/bench/bench_submit.py [--duration 20] [--compare]

Creates and migrates the database if needed, makes a workspace with a live survey (NPS, a follow-up for
0–6, CSAT, a comment), starts gunicorn (production settings, DEBUG off; tests/bench/settings_submit.py
only raises the per-address rate limit through SURVEY_SUBMISSIONS_PER_MINUTE, since every request comes
from 127.0.0.1), and runs tests/bench/submit_load.py in a separate process, twice:
  visit   each virtual customer GETs the page, takes the signed form token (it carries the submission
          key) and POSTs an answer: page view and submission together;
  submit  the pages are opened first (--tokens of them, untimed), then only the POSTs are timed: the
          rate at which the server takes submissions, the figure the target is about. They are sent by wrk
          (Debian's package, tests/bench/submit_wrk.lua) when it is installed, else by the same client
          (--client chooses): wrk costs the two shared cores about a fifth of what the asyncio client does.
Each runs --duration seconds (or to --max / --tokens submissions). Then it checks that every accepted
submission (the thank-you page came back) is in the database: lost = accepted − stored (wrk leaves up to
one answer per connection in flight at the stop, stored but not counted: "in flight at the stop").

Redis: with BENCH_REDIS_URL (default redis://127.0.0.1:6379/14, a database this bench owns and empties)
reachable, gunicorn uses it as in production, for the rate-limit counters and as the Celery broker; no
worker runs during the measurement, so the queued jobs are dropped afterwards (the KPI dirty marks
written in each submission's transaction let the periodic job catch up). Without Redis, jobs go to an
in-process queue.

The default server is gunicorn with 4 sync workers: the work is CPU-bound Python, so threads only add
GIL hand-overs (gthread configurations measured 15–35% slower; --compare runs them all). The bound is
CPU; the printed "cores busy" line shows where the two cores went (gunicorn, PostgreSQL, Redis, the
load client), so a run on a machine shared with other work can still be read as CPU per response.
Last, the same gunicorn and submit-only load run against tests/bench/floor_app.py, an application that does
nothing: the ceiling of this machine for any handler (floor_rps). Machines of one "2 cores" kind differ by
2× from one session to the next, so submit_share_of_floor is the figure to compare across machines.
Merges submit_rps, submit_p50_ms, submit_p95_ms, submit_lost, submit_cpu_ms (CPU per response of gunicorn,
PostgreSQL, Redis and the client), visit_rps, floor_rps, submit_share_of_floor (and details) into
.bench/results.json.
Not collected by pytest (python_files is test_*.py).
"""

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cxm_bench"
os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxm.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.pop("REDIS_URL", None)  # this process only prepares rows; gunicorn gets its own environment

CONFIGS = {
    "sync-4": ["--workers", "4", "--worker-class", "sync"],
    "gthread-4x4": ["--workers", "4", "--worker-class", "gthread", "--threads", "4"],
    "gthread-3x2": ["--workers", "3", "--worker-class", "gthread", "--threads", "2"],
    "gthread-2x8": ["--workers", "2", "--worker-class", "gthread", "--threads", "8"],
}
BIN = Path(sys.executable).parent
BENCH = ROOT / "tests" / "bench"
WRK = shutil.which("wrk")


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return
    params = {"host": config["HOST"] or "127.0.0.1", "port": config["PORT"] or 5432, "user": config["USER"],
              "password": config["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**{key: value for key, value in params.items() if value is not None}) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            connection.execute(f'CREATE DATABASE "{config["NAME"]}"')
            print(f"created database {config['NAME']}")


def redis_url() -> str:
    """The bench's own Redis database, emptied; "" when Redis cannot be reached."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    if not url:
        return ""
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.flushdb()
    except Exception as error:  # any failure means: run without Redis
        print(f"Redis at {url} not used ({error}); jobs go to an in-process queue")
        return ""
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_survey(name: str):
    """A fresh live survey in the bench workspace (earlier bench responses are deleted first, and the tables
    vacuumed: a run after ten others must not measure the dead rows they left)."""
    from django.db import connection

    from apps.surveys.models import Choice, Question, Response, Survey
    from apps.workspaces.models import Workspace

    workspace, _ = Workspace.objects.get_or_create(slug="bench-submit", defaults={"name": "벤치마크 Bench"})
    old = Survey.objects.for_workspace(workspace)
    Response.objects.for_workspace(workspace).filter(survey__in=old).delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) surveys_response, surveys_answer, surveys_submissionkey, "
                           "feedback_feedbackitem, feedback_followupcase, feedback_caseevent, kpis_dirtyslice")
    survey = Survey.objects.create(workspace=workspace, title=f"제출 벤치마크 {name}", language="ko", status="live")
    nps = Question.objects.create(workspace=workspace, survey=survey, position=1, kind="nps",
                                  text="벤치마크를 친구에게 추천할 가능성은 얼마나 되나요?")
    follow_up = Question.objects.create(workspace=workspace, survey=survey, position=2, kind="single_choice",
                                        text="가장 아쉬웠던 점은 무엇인가요?", required=False,
                                        condition_question=nps, condition_operator="score_between",
                                        condition_min=0, condition_max=6)
    choices = Choice.objects.bulk_create([Choice(workspace=workspace, question=follow_up, position=n, text=text)
                                          for n, text in enumerate(["배송", "상담", "앱", "가격"], start=1)])
    csat = Question.objects.create(workspace=workspace, survey=survey, position=3, kind="csat",
                                   text="전반적으로 만족하셨나요?")
    comment = Question.objects.create(workspace=workspace, survey=survey, position=4, kind="long_text",
                                      text="이유를 알려 주세요.", required=False)
    fields = {"nps": f"q{nps.pk}", "follow_up": f"q{follow_up.pk}", "choices": [c.pk for c in choices],
              "csat": f"q{csat.pk}", "comment": f"q{comment.pk}"}
    return survey, fields


def web_environment(redis: str) -> dict:
    """The environment of the measured web process (also tests/bench/submit_profile.py's own)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "settings_submit", "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "SURVEY_SUBMISSIONS_PER_MINUTE": "100000000", "DATABASE_CONN_MAX_AGE": "600", "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)
    if redis:
        env["REDIS_URL"] = redis
    return env


def start_gunicorn(config: str, port: int, redis: str, path: str, app: str = "cxm.wsgi") -> subprocess.Popen:
    env = web_environment(redis)
    command = [str(BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--pythonpath",
               str(ROOT / "tests" / "bench"), "--chdir", str(ROOT), "--keep-alive", "30", "--log-level", "warning",
               *CONFIGS[config]]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as reply:
                if reply.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn did not serve the survey page within 30 s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _cpu_ticks() -> dict[str, int]:
    """CPU time (clock ticks) used so far by the machine, by gunicorn processes and by PostgreSQL backends."""
    ticks = {"machine": 0, "gunicorn": 0, "postgres": 0, "redis": 0}
    with open("/proc/stat") as stat:
        values = [int(value) for value in stat.readline().split()[1:]]
    ticks["machine"] = sum(values) - values[3] - values[4]  # everything but idle and iowait
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        used = int(fields[11]) + int(fields[12])
        if b"gunicorn" in command:
            ticks["gunicorn"] += used
        elif name.startswith("postgres"):
            ticks["postgres"] += used
        elif name.startswith("redis"):
            ticks["redis"] += used
    return ticks


def load(url: str, fields: dict, *, duration: float, limit: int, connections: int, submit_only: bool = False,
         on_start=None, client: str = "python", cycle: bool = False) -> dict:
    """Run the load client; `on_start` is called as the timed part begins (after the pages are open, with
    submit_only). client="wrk" (submit_only only) sends the POSTs with wrk and submit_wrk.lua."""
    if client == "wrk":
        return load_wrk(url, fields, duration=duration, limit=limit, connections=connections, on_start=on_start,
                        cycle=cycle)
    command = [sys.executable, str(BENCH / "submit_load.py"), "--url", url,
               "--fields", json.dumps(fields), "--duration", str(duration), "--max", str(limit),
               "--connections", str(connections)]
    if submit_only:
        command += ["--submit-only", "--wait-for-go"]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if submit_only and process.stdout.readline().strip() != "ready":
        raise RuntimeError("the load client could not open the survey pages")
    started = on_start() if on_start else None
    if submit_only:
        process.stdin.write("go\n")
        process.stdin.flush()
    output, _ = process.communicate(timeout=duration + 300)
    if process.returncode:
        raise RuntimeError(f"the load client failed ({process.returncode})")
    return json.loads(output.strip().splitlines()[-1]), started


def load_wrk(url: str, fields: dict, *, duration: float, limit: int, connections: int, on_start=None,
             cycle: bool = False) -> dict:
    """The submit-only load sent by wrk. submit_load.py opens the pages first (untimed) and writes one answer per
    form token; then wrk, in C, POSTs each once (with `cycle`, again and again: the floor only). wrk costs the
    shared cores a small part of what the asyncio client does, and what it leaves goes to the server, as with
    customers on their own phones."""
    with tempfile.NamedTemporaryFile("r", prefix="cxm-bench-", suffix=".bodies") as bodies:
        subprocess.run([sys.executable, str(BENCH / "submit_load.py"), "--url", url, "--fields", json.dumps(fields),
                        "--max", str(limit), "--connections", str(connections), "--bodies-out", bodies.name],
                       check=True, stdout=subprocess.DEVNULL, timeout=600)
        started = on_start() if on_start else None
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        output = subprocess.run([WRK, "--threads", "1", "--connections", str(connections), "--duration",
                                 f"{max(1, round(duration))}s", "--timeout", "10s", "--script",
                                 str(BENCH / "submit_wrk.lua"), url, "--", bodies.name, "1",
                                 *(["cycle"] if cycle else [])],
                                check=True, capture_output=True, text=True, timeout=duration + 120).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = json.loads(output.strip().splitlines()[-1])
    errors = {name: count for name, count in (("POST not thanked", run["failed"]),
                                              ("socket errors", run["socket_errors"])) if count}
    if run["exhausted"]:
        errors["answers ran out before the time (raise --tokens)"] = 1
    return {
        "accepted": run["accepted"], "attempted": run["accepted"] + run["failed"], "errors": errors,
        "elapsed_s": round(run["elapsed_s"], 2), "rps": round(run["accepted"] / run["elapsed_s"], 1),
        "post_p50_ms": round(run["post_p50_ms"], 1), "post_p95_ms": round(run["post_p95_ms"], 1),
        "post_p99_ms": round(run["post_p99_ms"], 1), "get_p50_ms": 0, "get_p95_ms": 0,
        "client_cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2),
    }, started


def measure(config: str, args, redis: str, *, submit_only: bool) -> dict:
    from apps.surveys.models import Response

    survey, fields = make_survey(config)
    port = free_port()
    process = start_gunicorn(config, port, redis, f"/s/{survey.token}/")
    try:
        url = f"http://127.0.0.1:{port}/s/{survey.token}/"
        load(url, fields, duration=2, limit=2000, connections=args.connections)  # warm-up: imports, connections
        before = Response.objects.filter(survey=survey).count()
        result, cpu_before = load(url, fields, duration=args.duration, limit=args.tokens if submit_only else args.max,
                                  connections=args.connections, submit_only=submit_only, on_start=_cpu_ticks,
                                  client=args.client if submit_only else "python")
        cpu_after = _cpu_ticks()
    finally:
        stop(process)
    # Where the two cores went during the load, in cores busy on average (2.0 = both cores all the time).
    per_second = os.sysconf("SC_CLK_TCK") * result["elapsed_s"]
    result["cores"] = {key: round((cpu_after[key] - cpu_before[key]) / per_second, 2) for key in cpu_before}
    result["cores"]["client"] = round(result["client_cpu_s"] / result["elapsed_s"], 2)
    # CPU per response, which compares across machines better than a rate does (the same work, a faster core).
    result["cpu_ms"] = {key: round(1000 * result["cores"][key] / result["rps"], 2) if result["rps"] else None
                        for key in ("gunicorn", "postgres", "redis", "client")}
    stored = Response.objects.filter(survey=survey).count() - before
    # wrk stops at the time with answers in flight (at most one per connection): the server stores them and wrk
    # never counts them, so more stored than accepted is not a loss; fewer is.
    result.update({"config": config, "stored": stored, "lost": max(0, result["accepted"] - stored),
                   "unanswered_at_stop": max(0, stored - result["accepted"]), "connections": args.connections})
    mode = "submit" if submit_only else "visit"
    mode = f"{mode} ({args.client})" if submit_only else mode
    print(f"{config:>12} {mode:>6}: {result['rps']:>7.1f} responses/s  POST p50 {result['post_p50_ms']:.1f} ms  "
          f"p95 {result['post_p95_ms']:.1f} ms  p99 {result['post_p99_ms']:.1f} ms  (GET p50 "
          f"{result['get_p50_ms']:.1f}, p95 {result['get_p95_ms']:.1f} ms)  accepted {result['accepted']:,}  "
          f"stored {stored:,}  lost {result['lost']}  in flight at the stop {result['unanswered_at_stop']}  "
          f"errors {result['errors'] or 'none'}  "
          f"\n{'':>14}cores busy: {result['cores']}; CPU ms per response: {result['cpu_ms']}")
    return result


def measure_floor(config: str, args) -> dict:
    """The same gunicorn and the same submit-only load against tests/bench/floor_app.py, which does no work:
    this machine's ceiling for any submission handler."""
    port, path = free_port(), "/s/floor/"
    fields = {"nps": "q1", "follow_up": "q2", "choices": [1], "csat": "q3", "comment": "q4"}
    process = start_gunicorn(config, port, "", path, app="floor_app:application")
    try:
        url = f"http://127.0.0.1:{port}{path}"
        result, _ = load(url, fields, duration=args.duration, limit=args.tokens, connections=args.connections,
                         submit_only=True, client=args.client, cycle=True)
    finally:
        stop(process)
    print(f"{config:>12}  floor: {result['rps']:>7.1f} requests/s  (gunicorn and the load client with no application: "
          f"this machine's ceiling)")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20, help="seconds of load per configuration")
    parser.add_argument("--max", type=int, default=40_000, help="at most this many submissions per configuration")
    parser.add_argument("--connections", type=int, default=4, help="concurrent virtual customers")
    parser.add_argument("--tokens", type=int, default=12_000,
                        help="pages opened before the submit-only run (its upper bound of submissions)")
    parser.add_argument("--config", choices=sorted(CONFIGS), default="sync-4")
    parser.add_argument("--compare", action="store_true", help="measure every configuration")
    parser.add_argument("--no-floor", action="store_true", help="skip the no-application ceiling run")
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk" if WRK else "python",
                        help="the submit-only load client: wrk when installed (Debian's package), else submit_load.py")
    args = parser.parse_args()
    if args.client == "wrk" and not WRK:
        parser.error("wrk is not installed (apt-get install wrk)")
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    redis = redis_url()
    print(f"database {connection.vendor}; redis {'on' if redis else 'off'}; {os.cpu_count()} CPUs; "
          f"{args.connections} connections, {args.duration:.0f} s per configuration")
    configs = list(CONFIGS) if args.compare else [args.config]
    results = {}
    for config in configs:
        for submit_only in (False, True):
            results[config, submit_only] = measure(config, args, redis, submit_only=submit_only)
            connection.close()
    if redis:
        import redis as redis_client

        redis_client.Redis.from_url(redis).flushdb()  # the rollup jobs no worker consumed

    floor = None if args.no_floor else measure_floor(args.config, args)
    visit, submit = results[args.config, False], results[args.config, True]
    if floor:
        print(f"submissions reach {100 * submit['rps'] / floor['rps']:.0f}% of the ceiling")
    results_path = ROOT / ".bench" / "results.json"
    results_path.parent.mkdir(exist_ok=True)
    stored = json.loads(results_path.read_text()) if results_path.exists() else {}
    stored.update({
        "submit_rps": submit["rps"], "submit_p50_ms": submit["post_p50_ms"],
        "submit_p95_ms": submit["post_p95_ms"], "submit_lost": submit["lost"] + visit["lost"],
        "submit_cores": submit["cores"], "submit_cpu_ms": submit["cpu_ms"],
        "visit_rps": visit["rps"], "visit_post_p95_ms": visit["post_p95_ms"], "visit_get_p95_ms": visit["get_p95_ms"],
        "visit_cores": visit["cores"],
        "submit_config": args.config, "submit_connections": args.connections,
        "submit_database": connection.vendor, "submit_redis": bool(redis), "submit_client": args.client,
    })
    if floor:
        stored.update({"floor_rps": floor["rps"], "submit_share_of_floor": round(submit["rps"] / floor["rps"], 3)})
    if args.compare:
        stored["submit_compare"] = {
            f"{name} {'submit' if submit_only else 'visit'}": {
                key: result[key] for key in ("rps", "post_p50_ms", "post_p95_ms", "lost")}
            for (name, submit_only), result in results.items()}
    results_path.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n")
    print(f"written to {results_path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
