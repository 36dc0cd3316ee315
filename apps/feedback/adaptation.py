"""Each workspace's own sentiment model: the base Korean model, blended with what the workspace's scored
comments teach. A promoter's comment (NPS 9–10) is a positive example and a detractor's (0–6) a negative
one; passives are left out, as the corpus leaves out its 5–8 ratings.

The fit is a logistic regression over the same hashed features, with the base model's logit as one more
column: its coefficient says how much of the base model to keep, and the other weights are what this
brand's customers write differently ("배송이 빨라요" praises here, whatever films say). One comment in
HELD_OUT_EVERY, picked by a hash of its id, never takes part in the fit; the adapted and the base model are
both judged on those, and the adapted one is used only where it is at least as right.
"""

import gzip
import io
import threading
import zlib
from collections import OrderedDict

import numpy as np
from django.db.models import Count, Q
from django.utils import timezone

from . import sentiment, text_training
from .models import FeedbackItem, ScoreGroup, WorkspaceTextModel

MIN_LABELLED = 200  # scored comments in the fit, at least this many of each kind…
MIN_PER_CLASS = 40
MIN_HELD_OUT = 50
HELD_OUT_EVERY = 5
MAX_LABELLED = 50_000  # the newest
# Refit when the scored comments grew by this share since the last fit (or by REFIT_AT_LEAST).
REFIT_GROWTH = 0.2
REFIT_AT_LEAST = 500
ADAPT_C = 1.0
CACHED_MODELS = 16


def held_out(pk: int) -> bool:
    return zlib.crc32(str(pk).encode()) % HELD_OUT_EVERY == 0


# The comments that are labels: Korean, from a promoter or a detractor.
LABELLED = Q(language="ko", score_group__in=[ScoreGroup.PROMOTER, ScoreGroup.DETRACTOR])


def labelled_comments(workspace) -> list[tuple[int, str, bool]]:
    """(item id, text, positive) of the workspace's scored Korean comments, newest first."""
    rows = (FeedbackItem.objects.for_workspace(workspace).filter(LABELLED)
            .order_by("-created_at", "-pk").values_list("pk", "text", "score_group")[:MAX_LABELLED])
    return [(pk, text, group == ScoreGroup.PROMOTER) for pk, text, group in rows]


def labelled_count(workspace) -> int:
    return FeedbackItem.objects.for_workspace(workspace).filter(LABELLED).count()


def _due(count: int, state: dict | None) -> bool:
    """Whether `count` scored comments call for a fit, given the last one (state: enabled, version,
    labelled_at_fit; None before the first)."""
    if count < MIN_LABELLED or (state is not None and not state["enabled"]):
        return False
    if state is None or not state["version"]:
        return True
    grown = count - state["labelled_at_fit"]
    return grown >= REFIT_AT_LEAST or grown >= state["labelled_at_fit"] * REFIT_GROWTH


STATE_FIELDS = ("enabled", "version", "labelled_at_fit")


def refit_due(workspace) -> bool:
    state = WorkspaceTextModel.objects.for_workspace(workspace).values(*STATE_FIELDS).first()
    return _due(labelled_count(workspace), state)


def workspaces_due() -> list[int]:
    """The workspaces whose model should be fitted now: two grouped queries over every workspace."""
    counts = dict(FeedbackItem.objects.filter(LABELLED).order_by().values("workspace_id")
                  .annotate(n=Count("pk")).filter(n__gte=MIN_LABELLED).values_list("workspace_id", "n"))
    states = {row.pop("workspace_id"): row for row in WorkspaceTextModel.objects.filter(
        workspace_id__in=list(counts)).values("workspace_id", *STATE_FIELDS)}
    return sorted(pk for pk, count in counts.items() if _due(count, states.get(pk)))


def polar_accuracy(model: sentiment.LinearTextModel, texts: list[str], positive: list[bool]) -> float:
    """Share right, a neutral label counting as wrong."""
    labels = [verdict.label for verdict in model.judge(texts)]
    right = sum(1 for label, wanted in zip(labels, positive, strict=True)
                if label == ("positive" if wanted else "negative"))
    return right / len(texts) if texts else 0.0


def pack(delta_ids: np.ndarray, delta: np.ndarray, bias: float, kept: float) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, ids=delta_ids.astype(np.int32), delta=delta.astype(np.float16),
             scalars=np.asarray([bias, kept], dtype=np.float64))
    return gzip.compress(buffer.getvalue(), compresslevel=6, mtime=0)


def unpack(base: sentiment.LinearTextModel, data: bytes, version: str) -> sentiment.LinearTextModel:
    with np.load(io.BytesIO(gzip.decompress(bytes(data)))) as arrays:
        ids, delta = arrays["ids"], arrays["delta"].astype(np.float32)
        bias, kept = (float(value) for value in arrays["scalars"])
    weights = base.weights * kept
    weights[ids] += delta
    return sentiment.LinearTextModel(weights, bias + kept * base.bias, neutral_band=base.neutral_band,
                                     version=version, bits=base.bits, meta={"kept": kept})


def fit(workspace) -> WorkspaceTextModel | None:
    """Fit the workspace's model from its scored comments and store it with its held-out figures; None
    (and nothing stored) while there are too few of them."""
    base = sentiment.korean_model()
    rows = labelled_comments(workspace)
    train = [(text, positive) for pk, text, positive in rows if not held_out(pk)]
    test = [(text, positive) for pk, text, positive in rows if held_out(pk)]
    positives = sum(1 for _text, positive in train if positive)
    if (len(train) < MIN_LABELLED or len(test) < MIN_HELD_OUT
            or min(positives, len(train) - positives) < MIN_PER_CLASS):
        return None
    texts = [text for text, _positive in train]
    matrix = text_training.feature_matrix(texts, base.bits)
    labels = np.asarray([positive for _text, positive in train])
    weights, bias, kept = text_training.fit_linear(
        matrix, labels, c=ADAPT_C, offset=np.asarray(base.logits(texts), dtype=np.float32))
    delta_ids = np.flatnonzero(weights)
    state, _created = WorkspaceTextModel.objects.for_workspace(workspace).get_or_create(workspace=workspace)
    state.generation += 1
    version = f"{base.version}+ws{workspace.pk}.{state.generation}"[:40]
    packed = pack(delta_ids, weights[delta_ids], bias, kept)
    adapted = unpack(base, packed, version)
    test_texts, test_labels = [text for text, _ in test], [positive for _, positive in test]
    state.version, state.weights = version, packed
    state.trained_on, state.held_out = len(train), len(test)
    state.held_out_accuracy = round(polar_accuracy(adapted, test_texts, test_labels), 4)
    state.base_held_out_accuracy = round(polar_accuracy(base, test_texts, test_labels), 4)
    state.labelled_at_fit, state.trained_at, state.error = len(rows), timezone.now(), ""
    state.save()
    return state


# Per process: the adapted models in use, by (workspace, version) -------------------------------------

_cache: OrderedDict[tuple[int, str], sentiment.LinearTextModel] = OrderedDict()
_cache_lock = threading.Lock()


def model_for(workspace) -> sentiment.LinearTextModel | None:
    """The model the workspace's Korean comments are judged by: its adapted one when turned on, fitted
    and not worse than the base model on held-out comments; else None (the base model)."""
    state = (WorkspaceTextModel.objects.for_workspace(workspace)
             .values("enabled", "version", "held_out_accuracy", "base_held_out_accuracy").first())
    if (state is None or not state["enabled"] or not state["version"] or state["held_out_accuracy"] is None
            or state["held_out_accuracy"] < (state["base_held_out_accuracy"] or 0)):
        return None
    key = (workspace.pk, state["version"])
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    data = WorkspaceTextModel.objects.for_workspace(workspace).values_list("weights", flat=True).first()
    if data is None:
        return None
    model = unpack(sentiment.korean_model(), data, state["version"])
    with _cache_lock:
        _cache[key] = model
        while len(_cache) > CACHED_MODELS:
            _cache.popitem(last=False)
    return model


def describe(state: WorkspaceTextModel | None) -> dict:
    """What the settings page shows of the base and the adapted model."""
    base = sentiment.korean_model()
    return {"base_version": base.version, "base_trained_on": base.meta.get("trained_on"),
            "english_version": sentiment.english_version(), "state": state, "min_labelled": MIN_LABELLED}
