"""The benchmarks' shared figure file: each merges its figures into .bench/results.json."""

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[2] / ".bench" / "results.json"


def merge_results(figures: dict) -> None:
    RESULTS.parent.mkdir(exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update(figures)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
