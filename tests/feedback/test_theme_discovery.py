"""Theme discovery: the committed background of Korean noun frequencies, the candidate phrases Kiwi gives,
the weighted log-odds (Fightin' Words) against the background, and a workspace's themes from the database.
The background file is part of the code: without it these tests fail. Only checking it against the corpus
needs the corpus, and skips when it is not on this machine."""

import gzip
import math

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.feedback import analysis, text_training, theme_discovery
from apps.feedback.models import FeedbackTheme
from apps.feedback.theme_discovery import Background, candidate_phrases, discover, log_odds, workspace_themes
from tests.factories import WorkspaceFactory
from tests.feedback.factories import FeedbackItemFactory, ThemeFactory

DOMAIN = ["배송", "요금제", "개통", "유심"]
GENERIC = ["사람", "생각", "정도", "시간", "하루"]


# The committed background ------------------------------------------------------------------------------

def test_the_committed_background_loads_once_and_is_small():
    path = theme_discovery.BACKGROUND_PATH
    assert path.exists(), f"{path} is missing: run manage.py text_background_build"
    assert path.stat().st_size < 300 * 1024
    bg = theme_discovery.background()
    assert theme_discovery.background() is bg
    assert bg.documents == 200_000
    assert len(bg.counts) > 10_000
    assert min(bg.counts.values()) >= 3 and bg.floor >= 3
    # Stop words are counted too: discovery must know how common they are.
    assert all(bg.counts[word] > 150 for word in GENERIC)
    assert bg.counts["사람"] > 50 * bg.df("유심")
    assert any(" " in phrase for phrase in bg.counts)  # compounds


def test_threads_share_one_background(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(theme_discovery, "_background", None)
    with ThreadPoolExecutor(max_workers=4) as pool:
        loaded = list(pool.map(lambda _n: theme_discovery.background(), range(8)))
    assert all(bg is loaded[0] for bg in loaded) and loaded[0].documents == 200_000


def test_the_committed_file_is_sorted_by_count_then_phrase():
    with gzip.open(theme_discovery.BACKGROUND_PATH, "rt", encoding="utf-8") as handle:
        header = handle.readline()
        rows = [line.rstrip("\n").split("\t") for line in handle]
    assert header == "#documents\t200000\n"
    keys = [(-int(count), phrase) for phrase, count in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


@pytest.mark.skipif(not settings.TEXT_CORPUS_PATH.exists(),
                    reason="the corpus is not on this machine (set CXM_TEXT_CORPUS)")
def test_the_background_counts_the_whole_corpus():
    assert theme_discovery.background().documents == len(text_training.read_corpus(settings.TEXT_CORPUS_PATH))


def test_the_build_command_is_deterministic_and_keeps_supported_phrases(tmp_path):
    corpus = tmp_path / "corpus.csv"
    texts = ["배송이 빨라요", "배송이 늦어요 통화품질도 별로", "통화 품질 좋아요 배송 최고", "유심 개통 완료",
             "요금제 변경", "통화품질 최악"]
    corpus.write_text("review_id,text,rating\n" + "".join(f"{i},{text},5\n" for i, text in enumerate(texts)),
                      encoding="utf-8")
    first, second = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    for output in (first, second):
        call_command("text_background_build", "--corpus", str(corpus), "--output", str(output), verbosity=0)
    assert first.read_bytes() == second.read_bytes()
    assert gzip.decompress(first.read_bytes()).decode().splitlines() == [
        "#documents\t6", "배송\t3", "통화\t3", "통화 품질\t3", "품질\t3"]
    call_command("text_background_build", "--corpus", str(corpus), "--output", str(first), "--min-count", "1",
                 "--max-phrases", "3", verbosity=0)
    # A cut never splits a count: the four phrases seen three times are all left out or all kept.
    assert Background.read(first).counts == {}


# Candidates -------------------------------------------------------------------------------------------

def test_candidate_phrases_from_kiwi_include_compounds_and_skip_stop_words():
    text = "통화품질이 너무 안 좋아서 고객센터에 전화했는데 유심 교체 후에도 안 되고, 배송 시간 정도 걸렸어요"
    phrases = candidate_phrases(analysis.kiwi().tokenize(text))
    found = {phrase for phrase, _offset in phrases}
    assert {"통화 품질", "통화", "품질", "고객 센터", "센터", "유심 교체", "유심", "배송 시간", "배송"} <= found
    assert not found & {"시간", "정도", "시간 정도", "고객", "후", "교체 후"}
    assert ("통화 품질", 0) in phrases and ("유심", text.index("유심")) in phrases
    for phrase, offset in phrases:
        assert text[offset:].replace(" ", "").startswith(phrase.replace(" ", ""))


def test_candidate_phrases_skip_overlong_nouns():
    token = type("Token", (), {})
    long_noun, short_noun = token(), token()
    long_noun.form, long_noun.tag, long_noun.start, long_noun.len = "가" * 21, "NNG", 0, 21
    short_noun.form, short_noun.tag, short_noun.start, short_noun.len = "배송", "NNG", 22, 2
    assert candidate_phrases([long_noun, short_noun]) == [("배송", 22)]


# Log-odds --------------------------------------------------------------------------------------------

def fightin_words(y_i, n_i, y_j, n_j, alpha_0):
    """Monroe et al.'s eqs. 16, 20, 22 with α_w = α0 · (y_j + ½) / (n_j + 1), written out once more."""
    alpha_w = alpha_0 * (y_j + 0.5) / (n_j + 1)
    delta = (math.log((y_i + alpha_w) / (n_i + alpha_0 - y_i - alpha_w))
             - math.log((y_j + alpha_w) / (n_j + alpha_0 - y_j - alpha_w)))
    return delta / math.sqrt(1 / (y_i + alpha_w) + 1 / (y_j + alpha_w))


CONSTRUCTED = Background(10_000, {"흔한말": 2_000, "보통말": 300, "특수말": 3})


def test_log_odds_follows_the_formula():
    scores = log_odds({"특수말": 12, "흔한말": 30, "없는말": 7}, 100, CONSTRUCTED, prior=500)
    assert scores["특수말"] == pytest.approx(fightin_words(12, 100, 3, 10_000, 500))
    assert scores["흔한말"] == pytest.approx(fightin_words(30, 100, 2_000, 10_000, 500))
    # An unlisted phrase counts as the most it can have: one less than the file's smallest count.
    assert scores["없는말"] == pytest.approx(fightin_words(7, 100, 2, 10_000, 500))
    assert log_odds({"흔한말": 0}, 100, CONSTRUCTED) == {} and log_odds({"특수말": 5}, 0, CONSTRUCTED) == {}


def test_a_rare_word_used_a_lot_ranks_high_and_a_common_word_low():
    workspace = {"특수말": 25, "흔한말": 25, "보통말": 25}
    scores = log_odds(workspace, 100, CONSTRUCTED)
    assert scores["특수말"] > 1.96 > scores["흔한말"]
    found = discover(workspace, 100, bg=CONSTRUCTED)
    assert found[0] == "특수말" and "흔한말" not in found
    # Less than in the background: a negative z, never a theme.
    assert log_odds({"흔한말": 50}, 1_000, CONSTRUCTED, prior=100)["흔한말"] < -1.96


def test_below_minimum_support_is_never_kept():
    assert discover({"특수말": 4}, 20, bg=CONSTRUCTED) == []
    assert log_odds({"특수말": 4}, 20, CONSTRUCTED)["특수말"] > 1.96
    assert discover({"특수말": 4}, 20, bg=CONSTRUCTED, min_support=4) == ["특수말"]


@pytest.mark.parametrize("comments", [60, 1_000, 20_000])
def test_against_the_real_background_domain_words_beat_generic_ones(comments):
    """Each word in the same share of a telecom workspace's comments: the domain words first, whatever the
    workspace's size (a z order would put 정도 above 유심 in a large one), generic words last or dropped."""
    workspace = {word: comments // 5 for word in DOMAIN + GENERIC}
    found = discover(workspace, comments)
    assert set(found[:len(DOMAIN)]) == set(DOMAIN)
    if comments == 60:
        assert not set(found) & {"사람", "생각", "정도", "시간"}


def test_generic_words_as_common_as_in_korean_text_are_dropped():
    bg = theme_discovery.background()
    comments = 5_000
    workspace = {word: round(comments * bg.df(word) / bg.documents) for word in GENERIC}
    workspace |= {"유심": 400, "요금제": 250, "개통": 150, "배송": 300}
    assert set(discover(workspace, comments)) == set(DOMAIN)


def test_discover_respects_the_limit():
    workspace = {word: 20 for word in DOMAIN}
    assert discover(workspace, 60, limit=2) == discover(workspace, 60)[:2]
    assert len(discover(workspace, 60, limit=2)) == 2


# From the database ---------------------------------------------------------------------------------

def link(workspace, texts_with):
    """Sixty items; item n mentions each theme whose range holds n."""
    objects = {key: ThemeFactory(workspace=workspace, key=key) for key in texts_with}
    for n in range(60):
        item = FeedbackItemFactory(workspace=workspace, text=f"의견 {n}", language="ko")
        for key, items in texts_with.items():
            if n in items:
                FeedbackTheme.objects.create(workspace=workspace, item=item, theme=objects[key])
    return objects


@pytest.mark.django_db
def test_workspace_themes_keeps_the_domain_words_and_drops_the_generic_one(workspace, django_assert_num_queries):
    link(workspace, {"배송": range(0, 20), "유심": range(15, 31), "사람": range(30, 50), "요금": range(50, 54)})
    # Another workspace's mentions count for nothing here.
    other = WorkspaceFactory(slug="other")
    link(other, {"사람": range(60), "배송": range(1)})
    with django_assert_num_queries(2):
        found = workspace_themes(workspace)
    # 사람 is in as many items as 배송 but common in any Korean text; 요금 is in 4 items only.
    assert sorted(found) == ["배송", "유심"]


@pytest.mark.django_db
def test_a_workspace_without_themes_has_none(workspace):
    FeedbackItemFactory(workspace=workspace)
    assert workspace_themes(workspace) == []
