"""Build the Korean sentiment model from the rated-review corpus, deterministically: the same corpus
gives the same file, byte for byte (a fixed split by review id, liblinear with a fixed seed, gzip
without a time stamp)."""

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.feedback import sentiment, text_training

# Bumped when the features or the training change, so items say which kind of model labelled them.
MODEL_FAMILY = "ko-nblr1"


class Command(BaseCommand):
    help = "Train the Korean sentiment model (NB-weighted logistic regression over hashed n-grams)."

    def add_arguments(self, parser):
        parser.add_argument("--corpus", type=Path, default=None,
                            help="review_id,text,rating CSV, gzipped or not (default: settings.TEXT_CORPUS_PATH)")
        parser.add_argument("--output", type=Path, default=sentiment.BASE_MODEL_PATH)
        parser.add_argument("--c", type=float, default=None,
                            help="regularisation; chosen on the validation rows when left out")
        parser.add_argument("--calibration", type=float, nargs=2, metavar=("SCALE", "SHIFT"), default=None,
                            help="Platt scaling of the logits; fitted on the validation rows when left out")
        parser.add_argument("--report-split", type=Path, default=None,
                            help="also write the held-out report rows (text,label) to this CSV for text_evaluate")

    def handle(self, *args, corpus=None, output, c, calibration, report_split, verbosity, **options):
        corpus = corpus or settings.TEXT_CORPUS_PATH
        if not corpus.exists():
            raise CommandError(f"No corpus at {corpus}: pass --corpus or set CXM_TEXT_CORPUS.")
        raw = corpus.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        reviews = text_training.read_corpus(corpus)
        say = (lambda message: self.stdout.write(message)) if verbosity else (lambda message: None)
        report = text_training.train_base_model(reviews, version=f"{MODEL_FAMILY}-{digest[:8]}",
                                                corpus_digest=digest, c=c,
                                                calibrated=tuple(calibration) if calibration else None,
                                                progress=say)
        report.model.save(output)
        say(f"wrote {output} ({output.stat().st_size:,} bytes): "
            + json.dumps({"version": report.model.version, "c": report.chosen_c,
                          "calibration": report.model.meta["calibration"],
                          "neutral_band": report.model.neutral_band, **report.rows}))
        if report_split:
            import csv

            report_split.parent.mkdir(parents=True, exist_ok=True)
            with report_split.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["text", "label"])
                writer.writerows(text_training.report_rows(reviews))
            say(f"wrote the held-out report rows to {report_split}")
