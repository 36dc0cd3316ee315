"""Benchmark: KPI rollups and the dashboard at 1,000,000 responses (PostgreSQL).

    make bench
    DATABASE_URL=postgres://… .venv/bin/python tests/bench/bench_kpis.py [--responses 1000000]

1. Seeds a workspace with 4 surveys, 16 touchpoints and 2,000 customers, then N responses over 365 days
   with one INSERT … SELECT over generate_series (server-side, no Python row loop)  → seed_1m_s
2. Full recompute of the rollups in a separate process (manage.py kpi_rebuild), wall time and the
   process's peak RSS                                                           → kpi_recompute_s, kpi_recompute_rss_mb
3. The dashboard page through Django's test client, cache cleared before each request (cold), 30
   requests: p50/p95 server time and queries                                   → dashboard_p50_ms, dashboard_p95_ms,
                                                                                  dashboard_queries
4. The same dashboard figures computed from raw responses instead of rollups, as a time ratio
                                                                                → dashboard_raw_over_rollup
5. The consistency check over 50 random slices                                 → kpi_consistency_ok
Targets (DESIGN.md): seed < 2 min, recompute < 5 s and < 300 MB, dashboard p95 < 100 ms with ≤ 15 queries.
Not collected by pytest (python_files is test_*.py).
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cxm_bench"
os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxm.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ["DEBUG"] = "0"
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

from bench_customer_import import ensure_database  # noqa: E402
from results import merge_results  # noqa: E402

SLUG = "bench-kpis"


def seed(responses: int):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models.deletion import ProtectedError

    from apps.customers.models import Customer
    from apps.surveys.models import Survey
    from apps.touchpoints import services as touchpoint_services
    from apps.touchpoints.models import Stage
    from apps.workspaces.models import Membership, Workspace

    old = list(Workspace.objects.filter(slug=SLUG).values_list("pk", flat=True))
    if old:
        with connection.cursor() as cursor:
            # A million responses go faster with one statement than through the ORM's collector.
            cursor.execute("DELETE FROM surveys_response WHERE workspace_id = ANY(%s)", [old])
            for table in ("kpis_dailyrollup", "kpis_segmentrollup", "kpis_invitationrollup", "kpis_dirtyslice"):
                cursor.execute(f"DELETE FROM {table} WHERE workspace_id = ANY(%s)", [old])  # noqa: S608
        try:
            Workspace.objects.filter(pk__in=old).delete()
        except ProtectedError:
            # Stages protect their touchpoints; a renamed, empty workspace is harmless in the bench database.
            for pk in old:
                Workspace.objects.filter(pk=pk).update(slug=f"retired-{SLUG}-{pk}")
    workspace = Workspace.objects.create(slug=SLUG, name="Bench KPIs", default_language="ko")
    user, _ = get_user_model().objects.get_or_create(username="bench-kpis")
    Membership.objects.create(workspace=workspace, user=user, role="owner")
    journey = touchpoint_services.journey_create_from_template(workspace=workspace, name="Bench", template="acass")
    channels = ["web", "store", "call_centre", "mobile_app"]
    touchpoints = [touchpoint_services.touchpoint_create(stage=stage, name=f"TP {stage.position}-{n}",
                                                         channel=channels[n % 4])
                   for stage in Stage.objects.for_workspace(workspace).of_journey(journey) for n in range(3)][:16]
    surveys = [Survey.objects.create(workspace=workspace, title=f"Survey {n}", touchpoint=touchpoints[n * 4],
                                     status="live") for n in range(4)]
    Customer.objects.bulk_create([
        Customer(workspace=workspace, external_id=f"B{n:05d}", attributes={
            "tier": ["bronze", "silver", "gold"][n % 3], "segment": ["family", "youth", "business"][n % 3 - 1],
            "region": ["서울", "부산", "경기", "제주"][n % 4]}) for n in range(2000)])
    customer_ids = list(Customer.objects.for_workspace(workspace).values_list("pk", flat=True))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Touchpoint t gets a drift of its own: some improve over the year, some get worse.
        cursor.execute("""
            INSERT INTO surveys_response (workspace_id, survey_id, touchpoint_id, customer_id, channel, language,
                                          submitted_at, nps_score, csat_score, ces_score, comment, hidden_fields,
                                          submission_key)
            SELECT %(workspace)s, (%(surveys)s::bigint[])[1 + (g %% 4)], (%(tps)s::bigint[])[1 + g %% %(ntp)s],
                   CASE WHEN g %% 3 = 0 THEN NULL ELSE (%(customers)s::bigint[])[1 + (g %% %(ncustomers)s)] END,
                   (%(channels)s::text[])[1 + g %% %(ntp)s], CASE WHEN g %% 10 = 0 THEN 'en' ELSE 'ko' END, at,
                   LEAST(10, GREATEST(0, round(6.5 + ((g %% %(ntp)s) %% 5 - 2)
                                              * extract(epoch FROM at - now()) / 31536000
                                              + random() * 7 - 3.5)))::int,
                   CASE WHEN g %% 2 = 0 THEN 1 + floor(random() * 5)::int END,
                   CASE WHEN g %% 5 = 0 THEN 1 + floor(random() * 7)::int END,
                   '', '{}'::jsonb, md5(g::text || %(workspace)s::text)
            FROM (SELECT g, now() - (random() * interval '365 days') AS at FROM generate_series(1, %(n)s) AS g) AS rows
        """, {"workspace": workspace.pk, "surveys": [s.pk for s in surveys], "customers": customer_ids,
              "ncustomers": len(customer_ids), "n": responses, "ntp": len(touchpoints),
              "tps": [t.pk for t in touchpoints], "channels": [t.channel for t in touchpoints]})
        cursor.execute("ANALYZE surveys_response")
    seconds = time.perf_counter() - started
    return workspace, user, seconds


def recompute() -> tuple[float, float]:
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "kpi_rebuild", "--workspace", SLUG], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    # ru_maxrss of the finished child is in kilobytes on Linux.
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def dashboard(workspace, user, requests: int) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.kpis.dashboard import DashboardData, period_for

    client = Client()
    client.force_login(user)
    url = f"/w/{workspace.slug}/"
    timings, queries = [], 0
    for n in range(requests + 2):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, {"period": "90"}, secure=True)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        if n >= 2:  # the first requests warm up connections and templates
            timings.append(elapsed)
            queries = len(captured.captured_queries)
    timings.sort()

    def compute(raw: bool) -> float:
        started = time.perf_counter()
        data = DashboardData(workspace, period_for(workspace, days=90), raw=raw)
        _ = data.current, data.previous, data.heat_map()
        return time.perf_counter() - started

    rollup = statistics.median(compute(False) for _ in range(5))
    raw = statistics.median(compute(True) for _ in range(3))
    return {"dashboard_p50_ms": round(statistics.median(timings), 1),
            "dashboard_p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
            "dashboard_queries": queries, "dashboard_raw_over_rollup": round(raw / rollup, 1)}


def errc_job(workspace) -> float:
    """The ERRC proposals job over the same million responses (rules over rollups and themes)."""
    from apps.errc.models import ErrcBoard
    from apps.errc.tasks import propose_items
    from apps.touchpoints.models import Journey

    board = ErrcBoard.objects.create(workspace=workspace, name="Bench board",
                                     journey=Journey.objects.for_workspace(workspace).first())
    started = time.perf_counter()
    propose_items(board.pk)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Production settings serve hashed static file names: collect them as a deployment does.
    call_command("collectstatic", interactive=False, verbosity=0)
    workspace, user, seed_s = seed(args.responses)
    print(f"seed: {args.responses:,} responses in {seed_s:.1f} s")
    recompute_s, rss_mb = recompute()
    print(f"full recompute: {recompute_s:.2f} s, worker peak RSS {rss_mb:.0f} MB")
    figures = dashboard(workspace, user, args.requests)
    print(f"dashboard (cold cache, 90 days): p50 {figures['dashboard_p50_ms']} ms, "
          f"p95 {figures['dashboard_p95_ms']} ms, {figures['dashboard_queries']} queries; "
          f"raw/rollup time ratio {figures['dashboard_raw_over_rollup']}")
    errc_s = errc_job(workspace)
    print(f"ERRC proposals job: {errc_s:.2f} s")
    figures["errc_job_s"] = round(errc_s, 2)
    call_command("kpi_consistency", samples=50, seed=1, workspace=SLUG)
    key = "1m" if args.responses == 1_000_000 else str(args.responses)
    merge_results({f"seed_{key}_s": round(seed_s, 1), "kpi_recompute_s": round(recompute_s, 2),
                   "kpi_recompute_rss_mb": round(rss_mb), "kpi_consistency_ok": True,
                   "kpi_bench_responses": args.responses, **figures})


if __name__ == "__main__":
    main()
