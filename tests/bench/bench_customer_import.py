"""Benchmark: import a 100,000-row customer CSV (CP949, Korean names, as Korean Excel saves it).

    make bench                                   # PostgreSQL at postgres://postgres@127.0.0.1:5432/cxm_bench
    DATABASE_URL=postgres://… .venv/bin/python tests/bench/bench_customer_import.py [--rows 100000]

Creates the database if it is missing and migrates it, generates the file in memory, runs the import task
in-process twice (first run creates every customer, the second updates them all, as a re-run does) and
merges the figures into .bench/results.json. Target (DESIGN.md): 100,000 rows in under a minute.
Not collected by pytest (python_files is test_*.py).
"""

import argparse
import io
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cxm_bench"
os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxm.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
# DEBUG would keep every SQL statement in memory and slow the run down.
os.environ["DEBUG"] = "0"
os.environ.pop("REDIS_URL", None)

SURNAMES = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남"
GIVEN = ["민준", "서연", "지우", "하준", "도윤", "서윤", "지민", "예준", "시우", "하은", "수아", "지호", "주원",
         "지유", "은우", "채원", "건우", "다은", "현우", "지아"]
REGIONS = ["서울", "경기", "인천", "부산", "대구", "대전", "광주", "울산", "강원", "제주"]
PLANS = ["5G 프리미엄", "5G 스탠다드", "LTE 베이직", "인터넷+TV 결합"]


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return
    params = {"host": config["HOST"] or "127.0.0.1", "port": config["PORT"] or 5432, "user": config["USER"],
              "password": config["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**{key: value for key, value in params.items() if value is not None}) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{config["NAME"]}"')
            print(f"created database {config['NAME']}")


def generate(rows: int) -> tuple[bytes, dict]:
    """A CP949 file: 97% of rows keyed by external id, 3% by e-mail only, one in 1,000 with a bad e-mail."""
    rng = random.Random(42)
    out = io.StringIO()
    out.write("고객번호,이름,이메일,휴대폰,언어,수신동의,세그먼트,등급,지역,plan\n")
    by_email = bad = 0
    for n in range(rows):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        external_id = f"HT{n:07d}"
        email = f"customer{n}@example.kr"
        if n % 1000 == 999:
            email, bad = f"customer{n}-at-example.kr", bad + 1
        elif n % 100 < 3:
            external_id, by_email = "", by_email + 1
        out.write(f"{external_id},{name},{email},010-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)},"
                  f"{'ko' if rng.random() < .9 else 'en'},{'예' if rng.random() < .85 else '아니오'},"
                  f"{rng.choice(['consumer', 'family', 'business', 'youth'])},"
                  f"{rng.choice(['bronze', 'silver', 'gold', 'platinum'])},{rng.choice(REGIONS)},"
                  f"{rng.choice(PLANS)}\n")
    return out.getvalue().encode("cp949"), {"by_email": by_email, "bad": bad}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.customers.models import Customer, CustomerImport
    from apps.customers.tasks import import_customers
    from apps.workspaces.models import Workspace

    call_command("migrate", verbosity=0, interactive=False)
    workspace, _ = Workspace.objects.get_or_create(slug="bench-customer-import",
                                                  defaults={"name": "벤치마크 Bench"})
    with connection.cursor() as cursor:  # a fresh start, without Django's cascade collection
        cursor.execute("DELETE FROM customers_customer WHERE workspace_id = %s", [workspace.pk])
    CustomerImport.objects.for_workspace(workspace).delete()

    started = time.perf_counter()
    content, shape = generate(args.rows)
    generated_s = time.perf_counter() - started
    customer_import = CustomerImport.objects.create(workspace=workspace, file_name="bench-100k-cp949.csv",
                                                    content=content)
    figures = {}
    for run in ("create", "rerun"):
        started = time.perf_counter()
        import_customers(customer_import.pk)
        figures[run] = time.perf_counter() - started
        customer_import.refresh_from_db()
        assert customer_import.status == CustomerImport.Status.DONE, customer_import.failure
        print(f"{run:>6}: {args.rows:,} rows in {figures[run]:.2f} s = {args.rows / figures[run]:,.0f} rows/s "
              f"(created {customer_import.created_count:,}, updated {customer_import.updated_count:,}, "
              f"errors {customer_import.error_count:,}, encoding {customer_import.encoding})")
    stored = Customer.objects.for_workspace(workspace).count()
    assert stored == args.rows - shape["bad"], (stored, shape)
    print(f"file: {len(content) / 1e6:.1f} MB generated in {generated_s:.2f} s; {shape['by_email']:,} rows keyed "
          f"by e-mail, {shape['bad']:,} bad; {stored:,} customers stored; database {connection.vendor}")

    # Only the reference size writes the headline keys; another --rows gets keys of its own.
    key = "customer_import_100k" if args.rows == 100_000 else f"customer_import_{args.rows}"
    rate_key = "customer_import_rows_per_s" if args.rows == 100_000 else f"{key}_rows_per_s"
    results_path = ROOT / ".bench" / "results.json"
    results_path.parent.mkdir(exist_ok=True)
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    results.update({
        f"{key}_s": round(figures["create"], 2),
        f"{key}_rerun_s": round(figures["rerun"], 2),
        rate_key: round(args.rows / figures["create"]),
        "customer_import_database": connection.vendor,
    })
    results_path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"written to {results_path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
