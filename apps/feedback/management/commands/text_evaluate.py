"""How the sentiment models do on a labelled CSV file: n, accuracy, macro-F1, per-class precision and
recall, the share labelled neutral, and comments per second. Labels are positive, negative or neutral; a
row whose label is empty is skipped. Accuracy counts a neutral label on a positive or negative row as
wrong, so on a file of polar rows it is the polar accuracy."""

import csv
import json as json_module
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.feedback import sentiment

LABELS = ("positive", "negative", "neutral")


def scores(gold: list[str], predicted: list[str]) -> dict:
    """Accuracy, macro-F1 over the classes of the reference column, per-class precision and recall (of
    the predicted classes too: a neutral label on a polar file shows as neutral's precision)."""
    classes = [label for label in LABELS if label in gold or label in predicted]
    per_class = {}
    for label in classes:
        true_positive = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == label)
        said = sum(1 for p in predicted if p == label)
        real = sum(1 for g in gold if g == label)
        precision = true_positive / said if said else 0.0
        recall = true_positive / real if real else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                            "n": real}
    n = len(gold)
    return {
        "n": n,
        "accuracy": round(sum(1 for g, p in zip(gold, predicted, strict=True) if g == p) / n, 4) if n else 0.0,
        "macro_f1": round(sum(per_class[label]["f1"] for label in set(gold)) / len(set(gold)), 4) if gold else 0.0,
        "neutral_share": round(predicted.count("neutral") / n, 4) if n else 0.0,
        "per_class": per_class,
    }


def evaluate(texts: list[str], gold: list[str], language: str = "") -> dict:
    languages = [language or sentiment.detect_language(text, default="ko") for text in texts]
    started = time.perf_counter()
    predicted = [verdict.label for verdict in sentiment.judge_many(texts, languages)]
    elapsed = time.perf_counter() - started
    return {**scores(gold, predicted), "per_second": round(len(texts) / elapsed) if elapsed else None,
            "versions": sentiment.versions()}


class Command(BaseCommand):
    help = "Evaluate the sentiment models on a labelled CSV file (see the module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--text-column", default="text")
        parser.add_argument("--label-column", default="label")
        parser.add_argument("--language", choices=["ko", "en"], default="",
                            help="judge every row in this language (default: detected per row)")
        parser.add_argument("--json", action="store_true", help="end with one line of JSON")

    def handle(self, *args, file, text_column, label_column, language, json: bool, **options):
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        with file.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = {text_column, label_column} - set(reader.fieldnames or [])
            if missing:
                raise CommandError(f"{file} has no column {', '.join(sorted(missing))}; "
                                   f"it has {', '.join(reader.fieldnames or [])}.")
            rows = [(row[text_column] or "", (row[label_column] or "").strip().lower()) for row in reader]
        rows = [(text, label) for text, label in rows if label]
        unknown = {label for _text, label in rows} - set(LABELS)
        if unknown:
            raise CommandError(f"Labels must be {', '.join(LABELS)} (or empty); found {', '.join(sorted(unknown))}.")
        if not rows:
            raise CommandError("No labelled rows.")
        result = evaluate([text for text, _label in rows], [label for _text, label in rows], language)
        self.stdout.write(f"n {result['n']}  accuracy {result['accuracy']:.4f}  macro-F1 {result['macro_f1']:.4f}  "
                          f"neutral {result['neutral_share']:.1%}  {result['per_second']:,} comments/s")
        for label, row in result["per_class"].items():
            self.stdout.write(f"  {label:<9} precision {row['precision']:.4f}  recall {row['recall']:.4f}  "
                              f"(n {row['n']})")
        self.stdout.write(f"  models: {result['versions']}")
        if json:
            self.stdout.write(json_module.dumps(result, ensure_ascii=False))
