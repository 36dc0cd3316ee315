"""Training the sentiment model (scikit-learn, loaded only here: predicting needs NumPy alone).

The corpus is split by a hash of each review's id, so the split is the same on every machine and for every
run: REPORT rows are never trained on and never used to choose anything (the README's figures come from
them), VALIDATION rows choose the regularisation and calibrate the probabilities, and the final model is fitted on
TRAIN + VALIDATION with what was chosen.
"""

import csv
import gzip
import io
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .sentiment import FEATURE_BITS, LinearTextModel, feature_ids, normalise

REPORT, VALIDATION, TRAIN = "report", "validation", "train"
# Ratings 1–4 are negative and 9–10 positive (the corpus's own convention); 5–8 are mixed and left out.
NEGATIVE_UP_TO, POSITIVE_FROM = 4, 9
C_GRID = (3.0, 10.0)
# Neutral: where the calibrated model is right less often than this (nearly a coin toss). Calibration
# (Platt scaling: a logistic fit of the validation labels on the model's logits) is folded into the weights,
# so the band is the same fixed ±(NEUTRAL_BELOW − ½) for every model.
NEUTRAL_BELOW = 0.55
RANDOM_STATE = 20


def part_of(review_id: str) -> str:
    bucket = zlib.crc32(review_id.encode()) % 20
    return REPORT if bucket < 2 else VALIDATION if bucket < 4 else TRAIN


@dataclass
class Review:
    review_id: str
    text: str
    rating: int

    @property
    def polar(self) -> bool:
        return self.rating <= NEGATIVE_UP_TO or self.rating >= POSITIVE_FROM

    @property
    def positive(self) -> bool:
        return self.rating >= POSITIVE_FROM


def read_corpus(path: Path) -> list[Review]:
    """review_id,text,rating rows from a CSV file, gzipped or not."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    return [Review(row["review_id"], row["text"] or "", int(row["rating"])) for row in reader
            if (row.get("rating") or "").strip().isdigit()]


def feature_matrix(texts: Iterable[str], bits: int = FEATURE_BITS):
    """Binary hashed features, one row per text (scipy CSR)."""
    from scipy.sparse import csr_matrix

    indices: list[int] = []
    pointers = [0]
    for text in texts:
        ids = feature_ids(normalise(text), bits)
        indices.extend(ids)
        pointers.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return csr_matrix((data, np.asarray(indices, dtype=np.int64), np.asarray(pointers, dtype=np.int64)),
                      shape=(len(pointers) - 1, 1 << bits))


def log_count_ratio(matrix, positive: np.ndarray, smoothing: float = 1.0) -> np.ndarray:
    """Naive-Bayes log-count ratio of each feature between the positive and the negative rows."""
    p = np.asarray(matrix[positive].sum(axis=0)).ravel() + smoothing
    q = np.asarray(matrix[~positive].sum(axis=0)).ravel() + smoothing
    return np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)


def _scaled(matrix, ratio: np.ndarray):
    """Features times their ratio, each row scaled to unit length by √(its feature count), as predicting does."""
    from scipy.sparse import diags

    counts = np.diff(matrix.indptr).astype(np.float32)
    row_scale = 1 / np.sqrt(np.maximum(counts, 1))
    return (diags(row_scale) @ matrix @ diags(ratio)).tocsr()


def fit_linear(matrix, positive: np.ndarray, *, c: float, ratio: np.ndarray | None = None,
               offset: np.ndarray | None = None) -> tuple[np.ndarray, float, float]:
    """(weights per feature with the ratio folded in, bias, offset coefficient) of an L2 logistic
    regression. With `offset` (a base model's logit per row) a last column carries it, and its fitted
    coefficient says how much of the base model to keep; without, that coefficient is 0."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    ratio = np.ones(matrix.shape[1], dtype=np.float32) if ratio is None else ratio
    design = _scaled(matrix, ratio)
    if offset is not None:
        design = hstack([design, csr_matrix(offset.reshape(-1, 1).astype(np.float32))]).tocsr()
    model = LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=RANDOM_STATE)
    model.fit(design, positive)
    coefficients = model.coef_.ravel().astype(np.float32)
    weights = coefficients[: matrix.shape[1]] * ratio
    return weights, float(model.intercept_[0]), float(coefficients[-1]) if offset is not None else 0.0


def linear_logits(matrix, weights: np.ndarray, bias: float) -> np.ndarray:
    """What LinearTextModel.logits computes, for a whole feature matrix at once."""
    counts = np.diff(matrix.indptr).astype(np.float32)
    return bias + np.asarray(matrix @ weights).ravel() / np.sqrt(np.maximum(counts, 1))


def calibration(logits: np.ndarray, positive: np.ndarray) -> tuple[float, float]:
    """(scale, shift) such that sigmoid(scale · logit + shift) is the chance of being positive, fitted on
    rows the model was not trained on."""
    from sklearn.linear_model import LogisticRegression

    fit = LogisticRegression(C=1e6, solver="lbfgs", max_iter=1000).fit(logits.reshape(-1, 1), positive)
    return round(float(fit.coef_[0, 0]), 6), round(float(fit.intercept_[0]), 6)


@dataclass
class TrainingReport:
    model: LinearTextModel
    chosen_c: float
    validation: dict[float, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def train_base_model(reviews: Sequence[Review], *, version: str, corpus_digest: str = "",
                     c: float | None = None, calibrated: tuple[float, float] | None = None,
                     progress: Callable[[str], None] = lambda message: None) -> TrainingReport:
    """Choose C and the calibration on VALIDATION (unless given), then fit on TRAIN + VALIDATION."""
    polar = [review for review in reviews if review.polar]
    train = [review for review in polar if part_of(review.review_id) == TRAIN]
    validation = [review for review in polar if part_of(review.review_id) == VALIDATION]
    progress(f"{len(train)} training and {len(validation)} validation reviews")
    scores: dict[float, float] = {}
    if c is None or calibrated is None:
        train_x = feature_matrix(review.text for review in train)
        train_y = np.asarray([review.positive for review in train])
        validation_x = feature_matrix(review.text for review in validation)
        validation_y = np.asarray([review.positive for review in validation])
        ratio = log_count_ratio(train_x, train_y)
        logits_at: dict[float, np.ndarray] = {}
        for candidate in (C_GRID if c is None else (c,)):
            weights, bias, _kept = fit_linear(train_x, train_y, c=candidate, ratio=ratio)
            logits_at[candidate] = linear_logits(validation_x, weights, bias)
            scores[candidate] = float(((logits_at[candidate] >= 0) == validation_y).mean())
            progress(f"C={candidate}: validation accuracy {scores[candidate]:.4f}")
        c = max(scores, key=lambda candidate: (scores[candidate], -candidate)) if c is None else c
        calibrated = calibration(logits_at[c], validation_y) if calibrated is None else calibrated
    scale, shift = calibrated
    progress(f"C={c}, calibration ×{scale} {shift:+}: fitting on the training and validation reviews")
    both = [*train, *validation]
    both_x = feature_matrix(review.text for review in both)
    both_y = np.asarray([review.positive for review in both])
    weights, bias, _kept = fit_linear(both_x, both_y, c=c, ratio=log_count_ratio(both_x, both_y))
    meta = {"trained_on": len(both), "c": c, "calibration": [scale, shift], "corpus_sha256": corpus_digest,
            "validation_accuracy": round(scores[c], 4) if c in scores else None}
    model = LinearTextModel(weights * scale, bias * scale + shift, neutral_band=round(NEUTRAL_BELOW - 0.5, 4),
                            version=version, meta=meta)
    # Stored as float16: hand back what will be loaded, not the float32 weights in hand.
    return TrainingReport(LinearTextModel.from_bytes(model.to_bytes()), c, scores,
                          {TRAIN: len(train), VALIDATION: len(validation)})


def report_rows(reviews: Sequence[Review]) -> list[tuple[str, str]]:
    """(text, label) of the held-out REPORT reviews: positive, negative, or "" for a mixed 5–8 rating
    (which text_evaluate skips)."""
    return [(review.text, ("positive" if review.positive else "negative") if review.polar else "")
            for review in reviews if part_of(review.review_id) == REPORT]
