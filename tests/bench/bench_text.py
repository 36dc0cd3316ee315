"""Benchmark: text analytics on real text the models never saw.

    make bench                                   # all benchmarks
    .venv/bin/python tests/bench/bench_text.py [--corpus PATH] [--speed-rows 20000]

Korean: the held-out REPORT rows of the rated-review corpus (apps/feedback/text_training.py: a fixed split by
review id; never trained on, never used to choose C or the neutral band). Polar accuracy counts a neutral
label on a 1–4 or 9–10 review as wrong. English: tests/data/en_customer_service.csv, written by hand for
this and never used to tune anything. Speed is one process, feature hashing included; the full analysis
(Kiwi's morphemes, clauses, themes, unmet needs) is timed separately. Load time and peak RSS are measured
in fresh processes. Merges the text_* figures into .bench/results.json. No database.
Targets (issue 20): polar accuracy ≥ 0.85, neutral ≤ 0.10, ≥ 2,000 comments/s, load < 1 s, model file
≤ 10 MB, worker RSS with the model < 300 MB. Not collected by pytest.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxm.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DEBUG", "1")
os.environ.pop("REDIS_URL", None)

from results import merge_results  # noqa: E402

ENGLISH_SET = ROOT / "tests" / "data" / "en_customer_service.csv"

# Run in a fresh interpreter: the load time and the peak RSS of a worker that holds the model (and, for
# the full analysis, Kiwi too) after judging a batch.
PROBE = """
import json, sys, time
sys.path.insert(0, {root!r})
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxm.settings")
django.setup()
from apps.feedback import analysis, sentiment
texts = ["배송은 빠른데 품질이 영 아니네요", "상담원이 친절하게 해결해 주셨어요", "The app keeps logging me out"] * 400
started = time.perf_counter()
model = sentiment.korean_model()
loaded = time.perf_counter() - started
sentiment.judge_many(texts, [sentiment.detect_language(text) for text in texts])
def peak_mb():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
    line = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024
rss = peak_mb()
if {full}:
    analysis.analyse_many(texts)
print(json.dumps({{"load_s": loaded, "rss_mb": rss, "full_rss_mb": peak_mb()}}))
"""


def probe(full: bool) -> dict:
    output = subprocess.run([sys.executable, "-c", PROBE.format(root=str(ROOT), full=full)], check=True,
                            capture_output=True, text=True, cwd=ROOT, env={**os.environ}).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--speed-rows", type=int, default=20_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    from apps.feedback import analysis, sentiment, text_training
    from apps.feedback.management.commands.text_evaluate import evaluate

    corpus = args.corpus or settings.TEXT_CORPUS_PATH
    if not corpus.exists():
        print(f"bench_text: skipped, no corpus at {corpus} (set CXM_TEXT_CORPUS)")
        return
    reviews = text_training.read_corpus(corpus)
    report = text_training.report_rows(reviews)
    polar = [(text, label) for text, label in report if label]
    mixed = [text for text, label in report if not label]
    korean = evaluate([text for text, _label in polar], [label for _text, label in polar], "ko")
    mixed_labels = [verdict.label for verdict in sentiment.korean_model().judge(mixed)]

    texts = [text for text, _label in report]
    texts = (texts * (args.speed_rows // max(len(texts), 1) + 1))[: args.speed_rows]
    started = time.perf_counter()
    sentiment.korean_model().judge(texts)
    per_second = len(texts) / (time.perf_counter() - started)
    sample = texts[:5_000]
    analysis.analyse_many(sample[:100])  # Kiwi loads outside the timing, as in a warm worker
    started = time.perf_counter()
    analysis.analyse_many(sample)
    full_per_second = len(sample) / (time.perf_counter() - started)

    import csv

    with ENGLISH_SET.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    english = evaluate([row["text"] for row in rows], [row["label"] for row in rows], "en")
    light, heavy = probe(full=False), probe(full=True)
    figures = {
        "text_polar_accuracy": korean["accuracy"],
        "text_macro_f1": korean["macro_f1"],
        "text_neutral_share_on_polar": korean["neutral_share"],
        "text_neutral_share_on_mixed": round(mixed_labels.count("neutral") / max(len(mixed_labels), 1), 4),
        "text_report_rows": korean["n"],
        "text_per_second": round(per_second),
        "text_analysis_per_second": round(full_per_second),
        "text_model_load_s": round(light["load_s"], 3),
        "text_model_file_mb": round(sentiment.BASE_MODEL_PATH.stat().st_size / 2**20, 2),
        "text_worker_rss_mb": round(light["rss_mb"]),
        "text_worker_rss_with_kiwi_mb": round(heavy["full_rss_mb"]),
        "text_en_accuracy": english["accuracy"],
        "text_en_macro_f1": english["macro_f1"],
        "text_en_neutral_share": english["neutral_share"],
        "text_en_rows": english["n"],
        "text_model_version": sentiment.korean_model().version,
    }
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    merge_results(figures)


if __name__ == "__main__":
    main()
