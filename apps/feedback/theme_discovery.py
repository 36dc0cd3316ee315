"""Themes found in the data: which of a workspace's key phrases are what *its* customers talk about.

Every Korean noun of two syllables or more that is not a stop word becomes a theme
(`analysis.korean_theme_positions`), so a workspace's themes also hold words a handful of comments happen to
use and words any Korean text is full of. A candidate phrase is kept as a theme only when it is frequent in
this workspace *relative to a background*, and seen often enough:

- The background is how many of 200,000 Korean reviews (films, not brands: general written Korean) each
  noun and two-noun compound occurs in, counted once by `manage.py text_background_build` and committed as
  `text_models/ko_background_nouns.tsv.gz`. It loads once per process, on first use.
- Each phrase gets the weighted log-odds ratio with an informative Dirichlet prior of Monroe, Colaresi &
  Quinn (2008, "Fightin' Words"), z-scored (`log_odds`): how much more often the workspace's comments
  contain it than background texts do, measured against its uncertainty, with the background's own rate
  as the prior so a handful of comments cannot make a common word stand out.
- `discover` keeps the phrases with at least `min_support` comments in the workspace and z ≥ `min_z`
  (1.96: two-sided 5 %), the largest sure lift first. `workspace_themes` does it from the database.

Counts are document frequencies on both sides: in how many comments (reviews) a phrase occurs at least once.
"""

import gzip
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import KOREAN_NOUN_STOPWORDS, MAX_THEME_LENGTH, SYNONYMS

BACKGROUND_PATH = Path(__file__).resolve().parent / "text_models" / "ko_background_nouns.tsv.gz"
NOUN_TAGS = frozenset(["NNG", "NNP"])
MAX_PHRASE_LENGTH = MAX_THEME_LENGTH  # 20 characters, as for themes
MIN_NOUN_LENGTH = 2  # one-syllable nouns (말, 밤, 안) are too ambiguous to be a theme alone
DOCUMENTS_HEADER = "#documents"
# α0 of the informative prior, in documents: the background is worth this many comments of evidence about
# a phrase's rate in the workspace. A workspace's estimate is pulled toward the background rate until its
# own comments outweigh it, so a common word needs many comments and a large lift to stand out, while a
# phrase rare in general Korean stands out from a few (see `log_odds`).
DEFAULT_PRIOR = 5000.0


# Candidates ----------------------------------------------------------------------------------------------

def candidate_phrases(tokens: Sequence, stopwords: frozenset[str] = KOREAN_NOUN_STOPWORDS) -> list[tuple[str, int]]:
    """(phrase, character offset) of each candidate key phrase in Kiwi tokens (.form, .tag, .start, .len):

    - a noun (NNG, NNP) of 2–20 characters that is not a stop word;
    - two nouns in a row, with at most one character (a space) between them, joined by a space ("통화 품질",
      also from "통화품질"), at most 20 characters. A compound is skipped when both its nouns are stop words
      ("시간 정도") or one of them is a one-syllable stop word ("교체 후", "전 직원"); a compound with one
      generic noun of two syllables is specific ("고객 센터", "배송 시간") and kept.

    The background is counted with `stopwords=frozenset()`, so it also knows how common the stop words are.
    """
    found: list[tuple[str, int]] = []
    previous = None
    for token in tokens:
        form, tag = token.form, token.tag
        if tag not in NOUN_TAGS:
            previous = None
            continue
        if previous is not None and 0 <= token.start - (previous.start + previous.len) <= 1:
            first = previous.form
            compound = f"{first} {form}"
            if (len(compound) <= MAX_PHRASE_LENGTH
                    and not (first in stopwords and form in stopwords)
                    and not any(len(part) == 1 and part in stopwords for part in (first, form))):
                found.append((compound, previous.start))
        if MIN_NOUN_LENGTH <= len(form) <= MAX_PHRASE_LENGTH and form not in stopwords:
            found.append((form, token.start))
        previous = token
    return found


def document_phrases(tokens: Sequence, stopwords: frozenset[str] = KOREAN_NOUN_STOPWORDS) -> set[str]:
    """The distinct candidate phrases of one text: what its document frequency counts."""
    return {phrase for phrase, _offset in candidate_phrases(tokens, stopwords)}


# Background ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Background:
    """In how many of `documents` background texts each phrase occurs. The file lists the phrases seen in
    at least `floor` texts; an unlisted phrase was seen in fewer."""

    documents: int
    counts: Mapping[str, int]
    floor: int = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "floor", min(self.counts.values(), default=1))

    def df(self, phrase: str) -> float:
        """Background document frequency of a phrase. A theme key also stands for the words normalised to
        it (`analysis.SYNONYMS`: a comment saying 택배 is counted under 배송), so its count adds theirs (an
        upper bound of the texts with any of them). An unlisted phrase counts as `floor − 1`, the most it
        can have: a phrase is never made more distinctive than the data shows."""
        forms = [phrase, *_synonyms_of().get(phrase, ())]
        unlisted = max(self.floor - 1, 0.5)
        return min(float(sum(self.counts.get(form, unlisted if form == phrase else 0) for form in forms)),
                   float(self.documents))

    @classmethod
    def read(cls, path: Path) -> "Background":
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            header = handle.readline().rstrip("\n").split("\t")
            if len(header) != 2 or header[0] != DOCUMENTS_HEADER:
                raise ValueError(f"{path} does not start with '{DOCUMENTS_HEADER}<TAB>N'")
            counts = {}
            for line in handle:
                phrase, _tab, count = line.rstrip("\n").rpartition("\t")
                if phrase:
                    counts[phrase] = int(count)
        return cls(int(header[1]), counts)

    def write(self, path: Path) -> None:
        """Sorted by count, most first, then phrase; gzip without a time stamp: the same counts give the
        same bytes."""
        lines = [f"{DOCUMENTS_HEADER}\t{self.documents}\n"]
        lines += [f"{phrase}\t{count}\n" for phrase, count in sorted(self.counts.items(), key=_by_count)]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress("".join(lines).encode("utf-8"), compresslevel=9, mtime=0))


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


_synonym_groups: dict[str, tuple[str, ...]] | None = None


def _synonyms_of() -> dict[str, tuple[str, ...]]:
    """Theme key → the Korean words normalised to it."""
    global _synonym_groups
    if _synonym_groups is None:
        groups: dict[str, list[str]] = {}
        for word, key in SYNONYMS.items():
            if word != key and not word.isascii():
                groups.setdefault(key, []).append(word)
        _synonym_groups = {key: tuple(sorted(words)) for key, words in groups.items()}
    return _synonym_groups


_background: Background | None = None
_background_lock = threading.Lock()


def background() -> Background:
    """The committed background, read once per process (a few hundredths of a second). A missing file is an error: it is
    part of the code, rebuilt with `manage.py text_background_build`."""
    global _background
    if _background is None:
        with _background_lock:
            if _background is None:
                _background = Background.read(BACKGROUND_PATH)
    return _background


# Scoring -------------------------------------------------------------------------------------------------

def weighted_log_odds(workspace_df: Mapping[str, int], workspace_docs: int, bg: Background,
                      prior: float = DEFAULT_PRIOR) -> dict[str, tuple[float, float]]:
    """(δ, σ) of each phrase with y_i > 0: the weighted log-odds ratio with an informative Dirichlet prior of
    Monroe, Colaresi & Quinn (2008, "Fightin' Words", §3.5, eqs. 16 and 20), workspace against background.

    With document frequencies (a comment either contains w or not, so each count's complement is the
    texts without w):

        y_i = comments of the workspace containing w      n_i = comments of the workspace
        y_j = background texts containing w (`Background.df`)   n_j = background texts
        π_w = (y_j + ½) / (n_j + 1)      the background rate of w (never 0)
        α0  = `prior`,  α_w = α0 · π_w   the prior: α0 pseudo-comments at the background rate

        δ_w  = log[(y_i + α_w) / (n_i + α0 − y_i − α_w)] − log[(y_j + α_w) / (n_j + α0 − y_j − α_w)]
        σ²_w ≈ 1 / (y_i + α_w) + 1 / (y_j + α_w)

    δ is the difference of the smoothed log-odds that a comment of either side contains w, σ² its
    approximate variance. The prior pulls the workspace's rate toward the background's with the weight of
    α0 comments: a word common everywhere (사람, 생각) keeps δ near 0 unless the workspace has many comments
    and a large lift, while a word rare in general text (유심, 요금제) gets a large δ from a few comments.
    """
    n_i = max(int(workspace_docs), 0)
    n_j = bg.documents
    alpha_0 = float(prior)
    found: dict[str, tuple[float, float]] = {}
    if n_i == 0 or n_j == 0:
        return found
    for phrase, count in workspace_df.items():
        y_i = min(float(count), float(n_i))
        if y_i <= 0:
            continue
        y_j = bg.df(phrase)
        alpha_w = alpha_0 * (y_j + 0.5) / (n_j + 1)
        delta = (math.log((y_i + alpha_w) / (n_i + alpha_0 - y_i - alpha_w))
                 - math.log((y_j + alpha_w) / (n_j + alpha_0 - y_j - alpha_w)))
        variance = 1.0 / (y_i + alpha_w) + 1.0 / (y_j + alpha_w)
        found[phrase] = (delta, math.sqrt(variance))
    return found


def log_odds(workspace_df: Mapping[str, int], workspace_docs: int, bg: Background,
             prior: float = DEFAULT_PRIOR) -> dict[str, float]:
    """The z-scored weighted log-odds ratio of each phrase the workspace has (Monroe et al. eq. 22), with
    the informative Dirichlet prior α_w = α0 · π_w (details in `weighted_log_odds`):

        z_w = δ_w / σ_w,   δ_w = log[(y_i + α_w) / (n_i + α0 − y_i − α_w)] − log[(y_j + α_w) / (n_j + α0 − y_j − α_w)],
        σ²_w ≈ 1 / (y_i + α_w) + 1 / (y_j + α_w)

    How many standard deviations more the workspace's comments contain w than background texts do.
    z ≥ 1.96: more in the workspace at the two-sided 5 % level; negative: less."""
    return {phrase: delta / sigma
            for phrase, (delta, sigma) in weighted_log_odds(workspace_df, workspace_docs, bg, prior).items()}


def discover(workspace_df: Mapping[str, int], workspace_docs: int, *, min_support: int = 5, min_z: float = 1.96,
             limit: int = 200, bg: Background | None = None, prior: float = DEFAULT_PRIOR) -> list[str]:
    """The workspace's themes: phrases in at least `min_support` of its comments whose z (`log_odds`) is at
    least `min_z`, best first, at most `limit`.

    Best is the largest lift the data are sure of: the lower confidence bound δ − min_z·σ (positive exactly
    when z ≥ min_z). z itself is no order: for a phrase (almost) absent from the background the background
    term of σ² stays near ½ whatever the workspace's size, so its z stops growing, while a generic word's
    keeps growing with the workspace; sorted by z, a large workspace would list 정도 above 유심. Ties: z,
    then more comments, then the phrase."""
    supported = {phrase: count for phrase, count in workspace_df.items() if count >= min_support}
    scored = weighted_log_odds(supported, workspace_docs, bg or background(), prior)
    ranked = []
    for phrase, (delta, sigma) in scored.items():
        z = delta / sigma
        if z >= min_z:
            ranked.append((-(delta - min_z * sigma), -z, -supported[phrase], phrase))
    ranked.sort()
    return [phrase for *_order, phrase in ranked[:max(limit, 0)]]


def workspace_themes(workspace, **options) -> list[str]:
    """`discover` over the workspace's theme mentions: each theme key's number of items (one grouped query)
    against the workspace's number of items. `options` go to `discover`."""
    from django.db.models import Count

    from .models import FeedbackItem, FeedbackTheme

    rows = (FeedbackTheme.objects.for_workspace(workspace).order_by().values("theme__key")
            .annotate(n=Count("item_id", distinct=True)))
    workspace_df = {row["theme__key"]: row["n"] for row in rows}
    if not workspace_df:
        return []
    documents = FeedbackItem.objects.for_workspace(workspace).count()
    return discover(workspace_df, documents, **options)
