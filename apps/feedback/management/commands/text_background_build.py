"""Count the background of theme discovery: in how many texts of the rated-review corpus each noun and
two-noun compound occurs (`theme_discovery.candidate_phrases`, stop words included). Deterministic: the same
corpus gives the same file, byte for byte."""

import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.feedback import analysis, sentiment, text_training, theme_discovery

BATCH = 4000
MIN_COUNT = 3
MAX_PHRASES = 40_000
MAX_BYTES = 300 * 1024


def keep(counts: Counter, min_count: int, max_phrases: int) -> dict[str, int]:
    """The phrases seen in at least `min_count` texts, at most `max_phrases` of the most frequent. The cut
    never splits a count: every listed count is complete down to the smallest, so an unlisted phrase is
    known to be below it."""
    ranked = sorted(((phrase, count) for phrase, count in counts.items() if count >= min_count),
                    key=lambda item: (-item[1], item[0]))
    if len(ranked) > max_phrases:
        boundary = ranked[max_phrases][1]
        ranked = [(phrase, count) for phrase, count in ranked[:max_phrases] if count > boundary]
    return dict(ranked)


class Command(BaseCommand):
    help = "Count the document frequency of Korean nouns and noun compounds in the review corpus (theme discovery)."

    def add_arguments(self, parser):
        parser.add_argument("--corpus", type=Path, default=None,
                            help="review_id,text,rating CSV, gzipped or not (default: settings.TEXT_CORPUS_PATH)")
        parser.add_argument("--output", type=Path, default=theme_discovery.BACKGROUND_PATH)
        parser.add_argument("--min-count", type=int, default=MIN_COUNT)
        parser.add_argument("--max-phrases", type=int, default=MAX_PHRASES)
        parser.add_argument("--max-bytes", type=int, default=MAX_BYTES,
                            help="fewer phrases are kept until the gzipped file is at most this size")

    def handle(self, *args, corpus=None, output, min_count, max_phrases, max_bytes, verbosity, **options):
        corpus = corpus or settings.TEXT_CORPUS_PATH
        if not corpus.exists():
            raise CommandError(f"No corpus at {corpus}: pass --corpus or set CXM_TEXT_CORPUS.")
        say = (lambda message: self.stdout.write(message)) if verbosity else (lambda message: None)
        started = time.monotonic()
        texts = [sentiment.visible_text(review.text) for review in text_training.read_corpus(corpus)]
        if not texts:
            raise CommandError(f"No reviews in {corpus}.")
        kiwi = analysis.kiwi()
        counts: Counter = Counter()
        no_stopwords: frozenset[str] = frozenset()
        for first in range(0, len(texts), BATCH):
            for tokens in kiwi.tokenize(texts[first:first + BATCH]):
                counts.update(theme_discovery.document_phrases(tokens, no_stopwords))
            if verbosity > 1 or (verbosity and (first // BATCH) % 10 == 9):
                say(f"{min(first + BATCH, len(texts)):,} texts, {len(counts):,} phrases, "
                    f"{time.monotonic() - started:.0f} s")
        limit = max_phrases
        while True:
            kept = keep(counts, min_count, limit)
            theme_discovery.Background(len(texts), kept).write(output)
            size = output.stat().st_size
            if size <= max_bytes or not kept:
                break
            limit = int(len(kept) * max_bytes / size * 0.98)
        smallest = min(kept.values(), default=0)
        say(f"wrote {output} ({size:,} bytes): {len(texts):,} texts, {len(kept):,} phrases "
            f"(seen in ≥ {smallest} texts) of {len(counts):,}, in {time.monotonic() - started:.0f} s")
