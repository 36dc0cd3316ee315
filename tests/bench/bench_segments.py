"""Benchmark: count saved segments over 100,000 customers on PostgreSQL.

    make bench                              # PostgreSQL at postgres://postgres@127.0.0.1:5432/cxm_bench
    DATABASE_URL=postgres://… .venv/bin/python tests/bench/bench_segments.py [--customers 100000]

Creates the database if it is missing and migrates it, inserts the customers of one workspace (and half as
many in a second, so the workspace filter matters) with INSERT … SELECT over generate_series, then times the
live-count query of a few segment shapes 40 times each and merges p50/p95 into .bench/results.json
(`segment_count_p95_ms` is the slowest shape's p95). Target (issue 10): under 200 ms.
Not collected by pytest (python_files is test_*.py).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cxm_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxm.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ["DEBUG"] = "0"
os.environ.pop("REDIS_URL", None)

from tests.bench.bench_customer_import import ensure_database  # noqa: E402

RUNS = 40
SHAPES = {
    "tier": {"attributes": {"tier": "gold"}},
    "tier_region_consent": {"attributes": {"tier": "gold", "region": "서울"}, "consent": "yes"},
    "detractors_not_surveyed_90d": {"nps_group": "detractor", "surveyed": "not_within", "surveyed_days": 90},
    "segment_promoters_korean": {"attributes": {"segment": "family"}, "nps_group": "promoter", "language": "ko"},
    "everyone_consented": {"consent": "yes"},
}

INSERT = """
INSERT INTO customers_customer (workspace_id, external_id, email, phone, name, language, attributes, consent,
                                last_surveyed_at, last_nps_score, created_at, updated_at)
SELECT %(workspace)s, 'B' || n, 'b' || n || '@example.kr', '', '고객 ' || n,
       (ARRAY['ko', 'ko', 'ko', 'en', ''])[1 + n %% 5],
       jsonb_build_object('segment', (ARRAY['consumer', 'family', 'business', 'youth'])[1 + n %% 4],
                          'tier', (ARRAY['bronze', 'silver', 'gold', 'platinum', 'bronze'])[1 + (n / 7) %% 5],
                          'region', (ARRAY['서울', '경기', '부산', '대구', '제주', '인천'])[1 + (n / 3) %% 6],
                          'plan', 'plan-' || (n %% 9)),
       n %% 10 < 8, CASE WHEN n %% 4 = 0 THEN NULL ELSE now() - (n %% 365) * interval '1 day' END,
       CASE WHEN n %% 3 = 0 THEN NULL ELSE n %% 11 END, now(), now()
FROM generate_series(1, %(count)s) AS n
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.customers.models import Customer
    from apps.customers.segments import SegmentRules
    from apps.workspaces.models import Workspace

    call_command("migrate", verbosity=0, interactive=False)
    workspaces = [Workspace.objects.get_or_create(slug=slug, defaults={"name": slug})[0]
                  for slug in ("bench-segments", "bench-segments-other")]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for workspace, count in zip(workspaces, (args.customers, args.customers // 2), strict=True):
            cursor.execute("DELETE FROM customers_customer WHERE workspace_id = %s", [workspace.pk])
            cursor.execute(INSERT, {"workspace": workspace.pk, "count": count})
        cursor.execute("ANALYZE customers_customer")
    print(f"{args.customers:,} + {args.customers // 2:,} customers inserted in {time.perf_counter() - started:.1f} s "
          f"({connection.vendor})")

    workspace = workspaces[0]
    figures = {}
    for name, data in SHAPES.items():
        queryset = Customer.objects.for_workspace(workspace).in_segment(SegmentRules.from_json(data))
        count = queryset.count()  # warm the cache and the plan
        timings = []
        for _ in range(RUNS):
            began = time.perf_counter()
            queryset.count()
            timings.append((time.perf_counter() - began) * 1000)
        timings.sort()
        p50, p95 = statistics.median(timings), timings[int(len(timings) * 0.95) - 1]
        figures[name] = {"count": count, "p50_ms": round(p50, 1), "p95_ms": round(p95, 1)}
        print(f"{name:>30}: {count:>7,} customers  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")

    results_path = ROOT / ".bench" / "results.json"
    results_path.parent.mkdir(exist_ok=True)
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    results.update({
        "segment_count_p95_ms": max(shape["p95_ms"] for shape in figures.values()),
        "segment_count_p50_ms": max(shape["p50_ms"] for shape in figures.values()),
        "segment_count_customers": args.customers,
        "segment_count_shapes": figures,
    })
    results_path.write_text(json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    print(f"written to {results_path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
