"""Benchmark: demo survey generation (200,000 responses for a brand) and the export of 200,000 responses.

    make bench                                   # PostgreSQL at postgres://postgres@127.0.0.1:5432/cxm_bench
    DATABASE_URL=postgres://… .venv/bin/python tests/bench/bench_submit_export.py [--responses 200000]

1. Demo generation: a "hanbit-telecom" brand in the bench database gets its journeys and 5,000 customers,
   then cxm.demo_surveys.seed_surveys writes the responses (COPY on PostgreSQL). Target: under a minute.
2. Export: one survey with all the responses; the CSV and the XLSX export views run in a fresh child
   process each (Django's test client, an analyst signed in, the streamed body read and thrown away), which
   reports its wall time and its peak resident memory (resource.getrusage ru_maxrss), next to the memory it
   had before the export started. The export reads responses in chunks (iterator(chunk_size=2000)) and
   xlsxwriter runs with constant_memory, so the peak stays flat whatever the number of responses.
Merges demo_surveys_200k_s, export_200k_csv_s, export_200k_xlsx_s, export_peak_rss_mb into .bench/results.json.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "bench"))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cxm_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxm.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ["DEBUG"] = "0"
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ.pop("REDIS_URL", None)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def child(kind: str, survey_id: int, username: str) -> None:
    """Run one export through its view and print {"seconds", "bytes", "baseline_rss_mb", "peak_rss_mb"}."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from apps.surveys.models import Survey

    survey = Survey.objects.select_related("workspace").get(pk=survey_id)
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    baseline = rss_mb()
    started = time.perf_counter()
    response = client.get(f"/w/{survey.workspace.slug}/surveys/{survey.pk}/export.{kind}", {"period": "all"})
    assert response.status_code == 200, response.status_code
    size = sum(len(part) for part in response.streaming_content)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": round(seconds, 2), "bytes": size, "baseline_rss_mb": round(baseline, 1),
                      "peak_rss_mb": round(rss_mb(), 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=200_000)
    parser.add_argument("--child", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    parser.add_argument("--survey", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--user", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.survey, args.user)
        return

    from bench_submit import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.surveys.models import Response
    from apps.workspaces.models import Membership, Role, Workspace
    from cxm.demo_customers import seed_customers
    from cxm.demo_journeys import seed_journeys
    from cxm.demo_surveys import delete_demo_responses, ensure_surveys, generate_responses, seed_surveys

    call_command("migrate", verbosity=0, interactive=False)
    count = args.responses
    results = {}

    # 1. The demo brand's responses.
    brand, _ = Workspace.objects.get_or_create(slug="hanbit-telecom", defaults={
        "name": "한빛텔레콤 Hanbit Telecom", "default_language": "ko", "brand_color": "#0F766E"})
    seed_journeys(brand)
    seed_customers(brand, count=5000)
    with transaction.atomic():
        delete_demo_responses(brand)
    started = time.perf_counter()
    outcome = seed_surveys(brand, responses=count)
    generation = time.perf_counter() - started
    print(f"demo: {outcome['responses']:,} responses and {outcome['answers']:,} answers over {outcome['surveys']} "
          f"surveys in {generation:.1f} s ({connection.vendor})")
    results[f"demo_surveys_{count // 1000}k_s"] = round(generation, 1)
    results["demo_surveys_database"] = connection.vendor

    # 2. One survey with all the responses, exported by an analyst.
    workspace, _ = Workspace.objects.get_or_create(slug="bench-export", defaults={"name": "내보내기 Export bench"})
    user, _ = get_user_model().objects.get_or_create(username="bench-export-analyst")
    Membership.objects.update_or_create(workspace=workspace, user=user, defaults={"role": Role.ANALYST})
    profile = ensure_surveys(workspace)[0]
    if Response.objects.for_workspace(workspace).filter(survey=profile.survey).count() != count:
        with transaction.atomic():
            delete_demo_responses(workspace)
            generate_responses(workspace, [profile], count, rng_seed=1, now=timezone.now())
    peak = 0.0
    for kind in ("csv", "xlsx"):
        output = subprocess.run([sys.executable, __file__, "--child", kind, "--survey", str(profile.survey.pk),
                                 "--user", user.username], check=True, capture_output=True, text=True,
                                timeout=900).stdout
        figures = json.loads(output.strip().splitlines()[-1])
        peak = max(peak, figures["peak_rss_mb"])
        print(f"export {kind}: {count:,} responses in {figures['seconds']:.1f} s, {figures['bytes'] / 1e6:.1f} MB; "
              f"process memory {figures['baseline_rss_mb']:.0f} MB before, peak {figures['peak_rss_mb']:.0f} MB")
        results[f"export_{count // 1000}k_{kind}_s"] = figures["seconds"]
        results[f"export_{count // 1000}k_{kind}_mb"] = round(figures["bytes"] / 1e6, 1)
        results[f"export_{kind}_baseline_rss_mb"] = figures["baseline_rss_mb"]
    results["export_peak_rss_mb"] = peak

    results_path = ROOT / ".bench" / "results.json"
    results_path.parent.mkdir(exist_ok=True)
    stored = json.loads(results_path.read_text()) if results_path.exists() else {}
    stored.update(results)
    results_path.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n")
    print(f"written to {results_path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
