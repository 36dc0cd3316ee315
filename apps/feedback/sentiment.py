"""Sentiment of a comment: a trained linear model for Korean, VADER for English. Pure Python and NumPy,
no database.

The Korean model is logistic regression over hashed features of the normalised text: the character
1–4-grams inside each word (with the word's edges marked, so endings such as -네요 or -지만 are features of
their own) and the word unigrams and bigrams, each feature weighted by its naive-Bayes log-count ratio
(NB-LR). Everything it knows comes from `manage.py text_model_train` over a corpus of rated reviews; no
word list is written here. Predicting is a sum of weights, so it needs neither scikit-learn nor a
morphological analyser, and it loads in a fraction of a second.

A label is *neutral* only where the model is unsure: where its probability, calibrated on validation rows
when it was trained (never on the rows the README reports), says it would be right less than 55% of the
time; or for a text with no words at all (empty, emoji only, symbols), which says nothing it could read.
"""

import gzip
import io
import json
import math
import re
import threading
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_DIR = Path(__file__).resolve().parent / "text_models"
BASE_MODEL_PATH = MODEL_DIR / "ko_sentiment.npz"
FEATURE_BITS = 21
# Sentiment sits in the first words; a 10,000-character paste costs no more than this many characters.
MAX_CHARACTERS = 2_000
MAX_NGRAM = 4
# A "word" longer than this is not one (a pasted id or link, a key held down): it tells nothing.
MAX_WORD_LENGTH = 60

_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e"
                        r"\u2060-\u206f\ufeff]")
_TAG = re.compile(r"<[^>\n]{0,200}>")
_REPEAT = re.compile(r"(.)\1{2,}")
_SPACES = re.compile(r"\s+")
# A word to read: a Hangul syllable, or two letters of a Latin word or of Hangul jamo (ㅋㅋ, ㅠㅠ) in a row.
_WORD = re.compile(r"[\uac00-\ud7a3]|[A-Za-z]{2}|[\u1100-\u11ff\u3130-\u318f]{2}")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def normalise(text: str) -> str:
    """One spelling per way of writing: NFKC, lower case, no markup or invisible characters, a long run of
    one character cut to two (ㅋㅋㅋㅋ, !!!!!, 너무너무 is left alone), single spaces."""
    text = unicodedata.normalize("NFKC", (text or "")[: MAX_CHARACTERS * 2])
    text = _TAG.sub(" ", _INVISIBLE.sub("", text)).lower()
    text = _REPEAT.sub(r"\1\1", text)
    return _SPACES.sub(" ", text).strip()[:MAX_CHARACTERS]


def has_letters(text: str) -> bool:
    return bool(_WORD.search(text or ""))


def visible_text(text: str) -> str:
    """The text as a reader sees it, at most MAX_CHARACTERS: no invisible or control characters, markup
    blanked out with spaces (so offsets into it stay where the words are)."""
    text = _INVISIBLE.sub("", (text or "")[: MAX_CHARACTERS * 2])
    return _TAG.sub(lambda match: " " * len(match.group(0)), text)[:MAX_CHARACTERS]


def feature_ids(normalised: str, bits: int = FEATURE_BITS) -> list[int]:
    """The distinct hashed features of a normalised text (see the module's docstring)."""
    mask = (1 << bits) - 1
    words = [word for word in normalised.split(" ") if len(word) <= MAX_WORD_LENGTH] if normalised else []
    found: set[int] = set()
    for word in words:
        padded = f" {word} "
        size = len(padded)
        for n in range(1, MAX_NGRAM + 1):
            for start in range(size - n + 1):
                found.add(zlib.crc32(padded[start:start + n].encode()) & mask)
    # Words and word pairs, marked so "좋" the word and "좋" the character are different features.
    for index, word in enumerate(words):
        found.add(zlib.crc32(f"\x01{word}".encode()) & mask)
        if index:
            found.add(zlib.crc32(f"\x02{words[index - 1]}\x02{word}".encode()) & mask)
    return list(found)


@dataclass(frozen=True)
class Judgement:
    """A comment's sentiment: the probability that it is positive, the label, and how sure the model is
    (0 at a coin toss, 1 at certainty)."""

    probability: float
    label: str
    confidence: float

    @property
    def score(self) -> float:
        """−1…1, the form the feedback item stores (2p − 1)."""
        return round(2 * self.probability - 1, 4)


NO_OPINION = Judgement(0.5, "neutral", 0.0)


def judgement(probability: float, neutral_band: float) -> Judgement:
    confidence = round(abs(probability - 0.5) * 2, 4)
    if abs(probability - 0.5) < neutral_band:
        return Judgement(round(probability, 4), "neutral", confidence)
    return Judgement(round(probability, 4), "positive" if probability > 0.5 else "negative", confidence)


class LinearTextModel:
    """Hashed-feature logistic regression: logit = bias + Σ weights[features] / √(number of features)."""

    def __init__(self, weights: np.ndarray, bias: float, *, neutral_band: float, version: str,
                 bits: int = FEATURE_BITS, meta: dict | None = None):
        self.weights = np.asarray(weights, dtype=np.float32)
        self.bias = float(bias)
        self.neutral_band = float(neutral_band)
        self.version = version
        self.bits = bits
        self.meta = meta or {}

    def logit_of_features(self, ids: Sequence[int]) -> float:
        if not ids:
            return self.bias
        return self.bias + float(self.weights[ids].sum()) / math.sqrt(len(ids))

    def logits(self, texts: Iterable[str]) -> list[float]:
        return [self.logit_of_features(feature_ids(normalise(text), self.bits)) for text in texts]

    def judge(self, texts: Sequence[str]) -> list[Judgement]:
        found = []
        for text in texts:
            normalised = normalise(text)
            ids = feature_ids(normalised, self.bits) if has_letters(normalised) else []
            found.append(judgement(sigmoid(self.logit_of_features(ids)), self.neutral_band) if ids else NO_OPINION)
        return found

    # Storage: one compressed .npz, weights as float16 (the model file stays a few megabytes).
    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        meta = {**self.meta, "bias": self.bias, "neutral_band": self.neutral_band, "version": self.version,
                "bits": self.bits}
        np.savez(buffer, weights=self.weights.astype(np.float16), meta=np.frombuffer(
            json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8))
        # mtime=0: the same weights always make the same bytes.
        return gzip.compress(buffer.getvalue(), compresslevel=9, mtime=0)

    @classmethod
    def from_bytes(cls, data: bytes) -> "LinearTextModel":
        with np.load(io.BytesIO(gzip.decompress(data))) as arrays:
            meta = json.loads(arrays["meta"].tobytes())
            weights = arrays["weights"].astype(np.float32)
        return cls(weights, meta.pop("bias"), neutral_band=meta.pop("neutral_band"), version=meta.pop("version"),
                   bits=meta.pop("bits"), meta=meta)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.to_bytes())

    @classmethod
    def load(cls, path: Path) -> "LinearTextModel":
        return cls.from_bytes(path.read_bytes())


def sigmoid(logit: float) -> float:
    if logit >= 0:
        return 1 / (1 + math.exp(-logit))
    odds = math.exp(logit)
    return odds / (1 + odds)


# The models, loaded once per process on first use --------------------------------------------------

_lock = threading.Lock()
_korean: LinearTextModel | None = None
_english = None


def korean_model() -> LinearTextModel:
    global _korean
    if _korean is None:
        with _lock:
            if _korean is None:
                _korean = LinearTextModel.load(BASE_MODEL_PATH)
    return _korean


def _vader():
    global _english
    if _english is None:
        with _lock:
            if _english is None:
                from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                _english = SentimentIntensityAnalyzer()
    return _english


# VADER's own published thresholds on its compound score (Hutto & Gilbert, 2014); not tuned here.
VADER_POSITIVE_FROM = 0.05


def english_judgements(texts: Sequence[str]) -> list[Judgement]:
    analyser = _vader()
    found = []
    for text in texts:
        # As written: VADER reads capitals and repeated "!" as emphasis, so no lower-casing or squashing.
        cleaned = visible_text(text).strip()
        if not has_letters(cleaned):
            found.append(NO_OPINION)
            continue
        compound = analyser.polarity_scores(cleaned)["compound"]
        probability = (compound + 1) / 2
        label = ("positive" if compound >= VADER_POSITIVE_FROM else
                 "negative" if compound <= -VADER_POSITIVE_FROM else "neutral")
        found.append(Judgement(round(probability, 4), label, round(abs(compound), 4)))
    return found


def english_version() -> str:
    from importlib.metadata import version

    return f"vader-{version('vaderSentiment')}"


def detect_language(text: str, default: str = "") -> str:
    """"ko" when the text is mostly Hangul, "en" when mostly Latin letters, else `default`."""
    hangul = len(_HANGUL.findall(text or ""))
    latin = sum(1 for character in (text or "") if "a" <= character.lower() <= "z")
    if hangul == 0 and latin == 0:
        return default
    # A Hangul syllable carries about three Latin letters' worth of sound.
    return "ko" if hangul * 3 >= latin else "en"


def judge_many(texts: Sequence[str], languages: Sequence[str], korean: LinearTextModel | None = None
               ) -> list[Judgement]:
    """Each text judged by the model of its language ("ko" or "en"): `korean` (a workspace's adapted
    model) or the base model for Korean, VADER for English."""
    found: list[Judgement | None] = [None] * len(texts)
    for language, judge in (("ko", (korean or korean_model()).judge), ("en", english_judgements)):
        positions = [index for index, code in enumerate(languages) if code == language]
        if positions:
            for index, verdict in zip(positions, judge([texts[index] for index in positions]), strict=True):
                found[index] = verdict
    return [verdict or NO_OPINION for verdict in found]


def versions(korean: LinearTextModel | None = None) -> dict[str, str]:
    return {"ko": (korean or korean_model()).version, "en": english_version()}
