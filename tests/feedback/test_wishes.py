"""Unmet needs in a comment (wishes and missing things, Korean and English): the clause that voices one, never
praise worded like a need or a plain complaint; spans in the original text; any input, no database."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from apps.feedback import wishes
from apps.feedback.wishes import is_unmet_need, unmet_need_spans

# Both tables come in pairs that differ in the words that decide: the need first, then what is not one.
KOREAN = [
    ("대기 시간이 없어서 아쉬웠어요", True),
    ("대기 시간이 없어서 좋았어요", False),
    ("주말 상담이 있었으면 좋겠어요", True),
    ("주말 상담이 있어서 좋았어요", False),
    ("주차장이 생겼으면 해요", True),
    ("주차장이 생겨서 좋아요", False),
    ("카드 결제가 되면 좋을 것 같아요", True),
    ("카드 결제가 돼서 좋은 것 같아요", False),
    ("주말 상담도 열어 주세요", True),
    ("주말 상담도 열어 주셔서 감사해요", False),
    ("다크 모드 추가해 주세요", True),
    ("다크 모드 추가해 주셔서 감사합니다", False),
    ("포장 옵션을 추가해 주시면 좋겠어요", True),
    ("포장 옵션을 추가해 주셔서 좋았어요", False),
    ("주말에도 상담했으면 합니다", True),
    ("주말에도 상담해서 좋았습니다", False),
    ("좀 더 빨리 배송해 주세요", True),
    ("빨리 배송해 주셔서 감사해요", False),
    ("주말 상담 추가 부탁드립니다", True),
    ("잘 부탁드립니다", False),
    ("빠른 답변 바랍니다", True),
    ("앞으로도 번창하시길 바랍니다", False),
    ("주차 공간 확대를 희망합니다", True),
    ("희망하는 점은 딱히 없습니다", False),
    ("바라는 점은 주말 상담 확대입니다", True),
    ("바라는 점 없습니다", False),
    ("알림 기능이 필요해요", True),
    ("알림 기능은 필요 없어요", False),
    ("영업시간이 늘었으면 좋겠어요", True),
    ("지금처럼 유지되었으면 좋겠어요", False),
    ("주말에도 열었음 좋겠어요", True),
    ("주말에도 열어서 좋았어요", False),
    ("배송이 늦지 않았으면 좋겠어요", True),
    ("배송이 늦었어요", False),
    ("문제 없이 잘 받았으면 좋겠어요", True),
    ("문제 없이 잘 받았어요", False),
    ("주차장만 있으면 더 바랄 게 없겠어요", True),
    ("더 바랄 게 없어요", False),
    ("아쉬운 점은 주차장이 없다는 거예요", True),
    ("아쉬운 점이 없어요", False),
    ("기다릴 곳이 없어서 힘들었어요", True),
    ("기다림이 없어서 편했어요", False),
    ("결제 수단이 없어서 불편해요", True),
    ("불편한 점이 없어서 만족해요", False),
    ("포장 옵션이 없어서 속상해요", True),
    ("포장 옵션이 없어도 괜찮아요", False),
    ("아이 의자가 없어서 불편했어요", True),
    ("아이 의자가 없어서 불편하진 않았어요", False),
    ("주차장이 없네요. 아쉽네요", True),
    ("기다림이 없네요. 좋네요", False),
    ("온라인 예약이 안 돼서 불편해요", True),
    ("온라인 예약이 잘 돼서 편해요", False),
    ("해외 카드를 지원하지 않아 아쉽습니다", True),
    ("해외 카드를 지원해서 좋습니다", False),
    ("재미있는 이벤트가 없어서 아쉬웠어요", True),
    ("재미없어서 아쉬웠어요", False),
    ("다 좋았어요. 다만 주차장이 없어요", True),
    ("가격은 비싸지만 대기 시간이 없어요", False),
    ("직원분이 친절해요 근데 주차할 곳이 없어서 힘들어요ㅠㅠ", True),
    ("직원분이 친절해요 근데 좀 늦었어요ㅠㅠ", False),
    ("맛은 좋은데 메뉴 설명이 더 필요해요", True),
    ("맛, 서비스, 분위기. 뭐가 더 필요해요", False),
]

ENGLISH = [
    ("I wish there was a live chat", True),
    ("I couldn't wish for a better chat", False),
    ("I wish for better service on weekends", True),
    ("I couldn't wish for better service", False),
    ("I wish the menu changed more often", True),
    ("I wish nothing changed, it's perfect", False),
    ("I wish this shop opened sooner", True),
    ("I wish I had found this shop sooner", False),
    ("Please add a vegan option", True),
    ("Nothing to add", False),
    ("Please bring back the old menu", True),
    ("Please keep the old menu", False),
    ("The app is missing a dark mode option", True),
    ("Nothing missing", False),
    ("There was no way to book online", True),
    ("There was no waiting at all", False),
    ("No option to pay by card", True),
    ("No complaints", False),
    ("There is no option to call", True),
    ("I had no need to call", False),
    ("We need a kids menu", True),
    ("I don't need anything else", False),
    ("It would be nice if you offered weekend delivery", True),
    ("It was nice that you offered weekend delivery", False),
    ("I'd love it if you opened on Sundays", True),
    ("I'd love to come back", False),
    ("Would be nice to have a dark mode", True),
    ("It was nice to have a chat with the staff", False),
    ("It would be helpful if the app showed opening hours", True),
    ("It was helpful that the app showed opening hours", False),
    ("You should offer gift wrapping", True),
    ("They shouldn't add more ads", False),
    ("The app needs a search filter", True),
    ("The app doesn't need a redesign", False),
    ("You should have a gift wrapping option", True),
    ("You should have called before coming", False),
    ("The driver should have a card reader", True),
    ("The driver was rude", False),
    ("The store lacks parking", True),
    ("The store doesn't lack parking", False),
    ("It doesn't support Apple Pay", True),
    ("It doesn't have any hidden fees", False),
    ("There's no dark mode, which is a shame", True),
    ("There's no queue, which is great", False),
    ("I can't find any way to export my data", True),
    ("I found a way to export my data", False),
    ("Everything was great except there's no parking", True),
    ("Everything was great except the driver was a bit late", False),
    ("The app still doesn't have a dark mode", True),
    ("I've called twice and I still don't have an answer", False),
    ("Could you add size M to the shop?", True),
    ("Could you let me know when size M is back?", False),
]


def assert_well_formed(text: str, spans: list[tuple[int, int]]) -> None:
    """Sorted, disjoint, non-empty spans inside the text, each starting and ending on a visible character."""
    previous_end = -1
    for start, end in spans:
        assert isinstance(start, int) and isinstance(end, int)
        assert previous_end < start < end <= len(text), spans
        assert not text[start].isspace() and not text[end - 1].isspace(), (text, spans)
        previous_end = end


@pytest.mark.parametrize(("text", "expected"), KOREAN + ENGLISH)
def test_unmet_need(text, expected):
    spans = unmet_need_spans(text)
    assert is_unmet_need(text) is expected
    assert bool(spans) is expected
    assert_well_formed(text, spans)


@pytest.mark.parametrize(("text", "clause"), [
    ("배송은 빨랐는데 포장 옵션이 없어서 아쉬워요", "포장 옵션이 없어서 아쉬워요"),
    ("no waiting at all, but I wish the store opened earlier", "I wish the store opened earlier"),
    ("좋긴 하지만 야간 배송이 있었으면 좋겠어요", "야간 배송이 있었으면 좋겠어요"),
    ("배송은 빨랐어요 포장 옵션이 없어서 아쉬워요", "포장 옵션이 없어서 아쉬워요"),
    ("The shipping was fast. However, there is no option for gift wrapping.", "there is no option for gift wrapping"),
    ("Although the staff were friendly, there is no way to pay by card", "there is no way to pay by card"),
    ("The app is great, though I wish it had a dark mode!", "I wish it had a dark mode"),
    ("Everything was great except there's no parking", "there's no parking"),
    ("다 좋았어요. 다만 주차장이 없어요", "주차장이 없어요"),
    # The regret is a sentence of its own, so the span runs from the missing thing to it.
    ("직원분들 친절해요. 주차장이 없네요. 아쉽네요", "주차장이 없네요. 아쉽네요"),
])
def test_the_span_is_the_clause_that_voices_the_need(text, clause):
    start = text.index(clause)
    assert unmet_need_spans(text) == [(start, start + len(clause))]


def test_each_need_gets_its_own_span():
    text = "주말 상담도 열어 주세요. 직원분들은 친절했어요. I wish there was a live chat"
    assert [text[start:end] for start, end in unmet_need_spans(text)] == [
        "주말 상담도 열어 주세요", "I wish there was a live chat"]


@pytest.mark.parametrize(("text", "clause"), [
    # "…" is three characters after NFKC and the zero-width space none: positions are still the original's.
    ("좋아요… 근데\u200b 주차장이 없어서 아쉬워요", "주차장이 없어서 아쉬워요"),
    ("Great \ufb01t, but I wish it came in blue", "I wish it came in blue"),
    ("ＧＯＯＤ, ＢＵＴ Ｉ ＷＩＳＨ ＩＴ ＷＡＳ ＢＬＵＥ", "Ｉ ＷＩＳＨ ＩＴ ＷＡＳ ＢＬＵＥ"),
    ("<p>Great store.</p><p>I wish it opened earlier</p>", "I wish it opened earlier"),
    ("Fast&nbsp;delivery, but it doesn’t support Apple Pay", "it doesn’t support Apple Pay"),
    ("추가\u200b해\u00ad 주세요", "추가\u200b해\u00ad 주세요"),
    # Decomposed Hangul (as macOS writes it): NFKC composes three jamo into one syllable.
    (unicodedata.normalize("NFD", "좋았는데 주차장이 없어서 아쉬워요"),
     unicodedata.normalize("NFD", "주차장이 없어서 아쉬워요")),
])
def test_spans_are_positions_in_the_original_text(text, clause):
    start = text.index(clause)
    assert unmet_need_spans(text) == [(start, start + len(clause))]
    assert is_unmet_need(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("", False),
    ("   \n\t ", False),
    ("🙂🙂🙂", False),
    ("😀" * 10_000, False),
    ("ㅋㅋㅋㅋㅋ ㅠㅠ", False),
    ("\x00\x01\x02\u200b\u200d\ufeff\u202e", False),
    ("<div class=\"note\">I wish there was a live chat</div>", True),
    ("<script>alert('hi')</script>", False),
    ("<b>배송</b>이 <i>빨랐어요</i>", False),
    ("&amp;&lt;&#39;&nbsp;", False),
    ("\ud800 lone surrogate", False),
    ("e\u0301\u0301\u0301 \u1100\u1161\u11ab", False),
    ("I\x00 wish there was a live chat", True),
    ("가" * 10_000, False),
    (("직원분이 친절했어요. " * 1_000)[:10_000], False),
    (("배송은 빨랐는데 포장 옵션이 없어서 아쉬워요. " * 400)[:10_000], True),
    (("no waiting at all, but I wish the store opened earlier\n" * 200)[:10_000], True),
    ("없어서 " * 2_500, False),
    ("I wish " * 1_500, True),
])
def test_any_input_gives_an_answer(text, expected):
    spans = unmet_need_spans(text)
    assert is_unmet_need(text) is expected
    assert bool(spans) is expected
    assert_well_formed(text, spans)


def test_long_texts_find_every_clause():
    text = ("배송은 빨랐는데 포장 옵션이 없어서 아쉬워요. " * 400)[:10_000]
    spans = unmet_need_spans(text)
    assert len(spans) == text.count("포장 옵션이 없어서 아쉬워요")
    assert {text[start:end] for start, end in spans} == {"포장 옵션이 없어서 아쉬워요"}


@hypothesis_settings(max_examples=200, deadline=None, database=None)
@given(st.text(max_size=200))
def test_a_wish_is_found_after_any_text(prefix):
    wish = "I wish there was a live chat"
    text = f"{prefix}\n{wish}"
    spans = unmet_need_spans(text)
    assert is_unmet_need(text)
    assert spans[-1] == (len(text) - len(wish), len(text))
    assert_well_formed(text, spans)


def test_five_thousand_comments_in_one_go():
    """A smoke check of throughput: no timing is asserted, only that a batch goes through whole."""
    table = KOREAN + ENGLISH
    comments = [table[index % len(table)] for index in range(5_000)]
    flagged = [is_unmet_need(text) for text, _expected in comments]
    spans = [unmet_need_spans(text) for text, _expected in comments]
    assert flagged == [expected for _text, expected in comments]
    assert [bool(found) for found in spans] == flagged


def first_characters(pattern: str) -> set[str]:
    """The characters a match of `pattern` can start with, from the parsed pattern; "*" when it cannot tell."""
    parser = pytest.importorskip("re._parser")
    constants = pytest.importorskip("re._constants")

    def first(items) -> set[str]:
        found: set[str] = set()
        for op, value in items:
            if op in (constants.AT, constants.ASSERT, constants.ASSERT_NOT):
                continue  # zero-width: the next item decides
            if op is constants.LITERAL:
                return found | {chr(value)}
            if op is constants.IN:
                for kind, item in value:
                    if kind is constants.LITERAL:
                        found.add(chr(item))
                    elif kind is constants.RANGE:
                        found.update(chr(code) for code in range(item[0], item[1] + 1))
                    else:
                        found.add("*")
                return found
            if op is constants.BRANCH:
                return found.union(*(first(alternative) for alternative in value[1]))
            if op is constants.SUBPATTERN:
                return found | first(value[-1])
            if op in (constants.MAX_REPEAT, constants.MIN_REPEAT):
                found |= first(value[2])
                if value[0]:
                    return found
                continue  # optional: what follows may come first
            return found | {"*"}
        return found | {"*"}

    return first(parser.parse(pattern))


@pytest.mark.parametrize(("parts", "allowed"), [
    (wishes._BREAK_PARTS, wishes._BREAK_FIRST),
    (wishes._KO_NEED_PARTS, wishes._KO_NEED_FIRST),
    (wishes._KO_SATISFIED_PARTS, wishes._KO_SATISFIED_FIRST),
    (wishes._EN_NEED_PARTS, "abcdefghijklmnopqrstuvwxyz"),
    (wishes._EN_SATISFIED_PARTS, "abcdefghijklmnopqrstuvwxyz"),
], ids=["clause breaks", "korean needs", "korean satisfaction", "english needs", "english satisfaction"])
def test_every_pattern_starts_with_a_character_its_lookahead_lets_through(parts, allowed):
    """The patterns run behind a lookahead of the characters they start with, for speed: a pattern added with
    another first character would never match, and nothing else would say so."""
    for part in parts:
        assert first_characters(part) <= set(allowed), part
