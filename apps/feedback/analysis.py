"""What a feedback text is about and how it feels, in Korean and English. Pure Python, no database.

- **Sentiment** of the whole comment and of each clause comes from the trained models in `sentiment`
  (Korean: a linear model learnt from rated reviews; English: VADER).
- **Clauses**: Kiwi's morphemes split a Korean comment at sentence ends and at contrast (-는데, -지만,
  그런데, 하지만); English at sentence ends and "but", "however", "although". "배송은 빠른데 품질이 영
  아니네요" is two clauses, and each theme mention takes the sentiment of its own clause: delivery
  positive, quality negative.
- **Theme mentions**: Korean nouns and compound nouns from Kiwi, English words of the theme vocabulary,
  normalised through the synonyms below; generic, time and evaluative nouns never become themes.
- **Unmet needs**: the clauses that voice a wish or a missing thing (`wishes`); a theme mentioned in one
  is marked, which is what the ERRC board's Create rule counts.

Kiwi loads once per process, on first use (about a second), so importing this module is cheap.
"""

import itertools
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import sentiment, wishes
from .sentiment import Judgement, detect_language

logger = logging.getLogger(__name__)

# Theme normalisation: synonyms in either language → (key, Korean label, English label). Korean and English
# comments about the same thing land on one theme.
CANONICAL_THEMES: dict[str, tuple[str, str]] = {
    "배송": ("배송", "delivery"), "요금": ("요금", "price"), "앱": ("앱", "app"), "직원": ("직원", "staff"),
    "상담": ("상담", "customer service"), "설치": ("설치", "installation"), "매장": ("매장", "store"),
    "품질": ("품질", "quality"), "사이즈": ("사이즈", "size"), "포장": ("포장", "packaging"),
    "환불": ("환불", "refund"), "교환": ("교환", "exchange"), "통화 품질": ("통화 품질", "call quality"),
    "인터넷": ("인터넷", "internet"), "속도": ("속도", "speed"), "대기": ("대기", "waiting time"),
    "결제": ("결제", "payment"), "오류": ("오류", "bug"), "가입": ("가입", "sign-up"), "해지": ("해지", "cancellation"),
    "디자인": ("디자인", "design"), "착용감": ("착용감", "comfort"), "재고": ("재고", "stock"),
    "웹사이트": ("웹사이트", "website"), "할인": ("할인", "discount"), "기사": ("기사", "technician"),
    "업데이트": ("업데이트", "app update"), "로그인": ("로그인", "log-in"), "알림": ("알림", "notifications"),
}
SYNONYMS: dict[str, str] = {
    # Korean variants
    "택배": "배송", "배달": "배송", "배송비": "배송", "가격": "요금", "비용": "요금", "요금제": "요금", "값": "요금",
    "어플": "앱", "어플리케이션": "앱", "애플리케이션": "앱", "직원분": "직원", "점원": "직원", "상담원": "상담",
    "상담사": "상담", "고객센터": "상담", "콜센터": "상담", "설치기사": "기사", "기사님": "기사", "에러": "오류",
    "버그": "오류", "홈페이지": "웹사이트", "사이트": "웹사이트", "치수": "사이즈", "크기": "사이즈",
    "박스": "포장", "상자": "포장", "푸시": "알림",
    # English words
    "delivery": "배송", "deliveries": "배송", "shipping": "배송", "courier": "배송", "parcel": "배송",
    "price": "요금", "prices": "요금", "pricing": "요금", "fee": "요금", "fees": "요금", "bill": "요금",
    "billing": "요금", "charge": "요금", "charges": "요금", "plan": "요금", "cost": "요금",
    "app": "앱", "apps": "앱", "application": "앱", "staff": "직원", "employee": "직원", "employees": "직원",
    "clerk": "직원", "agent": "상담", "agents": "상담", "support": "상담", "service": "상담",
    "installation": "설치", "install": "설치", "technician": "기사", "engineer": "기사", "store": "매장",
    "shop": "매장", "branch": "매장", "quality": "품질", "size": "사이즈", "sizes": "사이즈", "fit": "사이즈",
    "packaging": "포장", "package": "포장", "box": "포장", "refund": "환불", "refunds": "환불",
    "exchange": "교환", "return": "교환", "returns": "교환", "internet": "인터넷", "wifi": "인터넷",
    "speed": "속도", "wait": "대기", "waiting": "대기", "queue": "대기", "hold": "대기", "payment": "결제",
    "checkout": "결제", "bug": "오류", "bugs": "오류", "error": "오류", "errors": "오류", "crash": "오류",
    "crashes": "오류", "crashed": "오류", "signup": "가입", "registration": "가입", "cancellation": "해지",
    "design": "디자인", "comfort": "착용감", "stock": "재고", "website": "웹사이트", "site": "웹사이트",
    "discount": "할인", "coupon": "할인", "coupons": "할인", "update": "업데이트", "login": "로그인",
    "notification": "알림", "notifications": "알림", "push": "알림",
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


KOREAN_NOUN_STOPWORDS = _words(
    "것 수 때 정도 생각 부분 이번 진짜 정말 좀 등 중 거 분 번 후 전 점 게 데 건 뭐 곳 날 쪽 안 이상 이하 다음 처음 "
    "경우 관련 이용 사용 때문 자체 느낌 기분 만족 불만 불편 실망 친절 감사 최고 최악 추천 문제 짜증 편리 신속 정확 "
    "대박 칭찬 고장 지연 불량 엉망 오늘 어제 내일 지금 항상 매번 계속 하나 두 세 시간 일 주 달 년 고객 저희 제 "
    "우리 개선 기대 참고 보통 조금 특별 대비 한눈 정도 여러 모든 자꾸 계속 거의 부탁 서비스 기능")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Nouns that are never themes: generic (사람, 생각, 과정, 처리), time (하루, 저녁, 오늘, 주말) and
# evaluative ones (최고, 쓰레기, 불만), whose sentiment the model already reads.
KOREAN_NOUN_STOPWORDS = _words(
    "것 수 때 정도 생각 부분 이번 진짜 정말 좀 등 중 거 분 번 후 전 점 게 데 건 뭐 곳 날 쪽 안 이상 이하 다음 처음 "
    "경우 관련 이용 사용 때문 자체 느낌 기분 만족 불만 불편 실망 친절 불친절 감사 최고 최악 추천 문제 짜증 편리 신속 "
    "정확 대박 칭찬 고장 지연 불량 엉망 쓰레기 재미 감동 후회 행복 별로 대충 엉터리 짱 헐 "
    "오늘 어제 내일 지금 항상 매번 계속 하루 이틀 사흘 저녁 아침 점심 새벽 밤 낮 오전 오후 주말 평일 요즘 "
    "최근 나중 예전 당일 다음날 시간 일 주 달 년 월 하나 두 세 고객 저희 제 우리 개선 기대 참고 보통 조금 특별 대비 "
    "한눈 여러 모든 자꾸 거의 부탁 서비스 기능 과정 처리 사람 생각 정도 방법 상황 내용 이유 결과 진행 확인 "
    "다른 자신 본인 얘기 이야기 말씀 말 처음 마지막 전체 대부분 가지 무엇 누구 여기 거기 저기 이거 그거 "
    "며칠 몇 한참 이후 이전 동안 내내 번째 대신 정도")
_CONTRAST_ENDINGS = frozenset(["는데", "ᆫ데", "은데", "던데", "지만", "는데도", "ᆫ데도", "은데도", "으나"])
_CONTRAST_ADVERBS = frozenset(["그런데", "근데", "하지만", "그러나", "그렇지만", "다만", "그래도", "반면"])
# A contrast word opens a clause only when words follow it ("…, but the box was crushed"), not at the end
# ("Support helped though").
_ENGLISH_BREAK = re.compile(r"\b(?:but|however|although|though|whereas|except)\b(?=[\s,]+\w)|[.!?;…。\n]+",
                            re.IGNORECASE)
_WORDLIKE = re.compile(r"\w")
ENGLISH_TOKEN = re.compile(r"[a-z]+(?:['’][a-z]+)?")
# A noun longer than this is not a word a customer wrote (a pasted id, a run of one letter).
MAX_THEME_LENGTH = 20


@dataclass
class Mention:
    """A theme in one comment, with the sentiment of the clause it is in, and whether that clause voices
    an unmet need."""

    key: str
    label_ko: str
    label_en: str
    sentiment_label: str = "neutral"
    sentiment_score: float = 0.0
    unmet_need: bool = False


@dataclass
class Analysis:
    sentiment_score: float
    sentiment_label: str
    language: str
    confidence: float = 0.0
    mentions: list[Mention] = field(default_factory=list)
    unmet_need: bool = False
    version: str = ""
    error: str = ""

    @property
    def themes(self) -> list[tuple[str, str, str]]:
        return [(mention.key, mention.label_ko, mention.label_en) for mention in self.mentions]


def theme_for(word: str) -> tuple[str, str, str] | None:
    key = SYNONYMS.get(word, word)
    if key in CANONICAL_THEMES:
        label_ko, label_en = CANONICAL_THEMES[key]
        return key, label_ko, label_en
    return None


# Korean ------------------------------------------------------------------------------------------

_kiwi = None
_kiwi_lock = threading.Lock()


def kiwi():
    """The Kiwi analyser, loaded once per process (a worker keeps it for every job it runs)."""
    global _kiwi
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi()
    return _kiwi


def korean_clause_breaks(tokens: Sequence) -> list[int]:
    """Character offsets where a new clause starts, from Kiwi tokens (.form, .tag, .start, .len)."""
    breaks = []
    previous_tag = ""
    for token in tokens:
        # Kiwi reads -는데 either as one ending or as a modifier ending plus the bound noun 데 ("빠른데").
        contrast = ((token.tag == "EC" and token.form in _CONTRAST_ENDINGS)
                    or (token.tag == "NNB" and token.form == "데" and previous_tag == "ETM"))
        previous_tag = token.tag
        if contrast or token.tag in ("SF", "EF"):
            breaks.append(token.start + token.len)
        elif token.tag == "MAJ" and token.form in _CONTRAST_ADVERBS:
            breaks.append(token.start)
    return breaks


def korean_theme_positions(tokens: Sequence) -> list[tuple[tuple[str, str, str], int]]:
    """(theme, character offset) of each theme mention: nouns and runs of nouns ("통화 품질")."""
    found = []
    previous: str | None = None
    for token in tokens:
        form, tag = token.form, token.tag
        if tag not in ("NNG", "NNP"):
            previous = None
            continue
        if previous is not None and f"{previous} {form}" in CANONICAL_THEMES:
            found.append((theme_for(f"{previous} {form}"), token.start))
        theme = theme_for(form)
        if theme is not None:
            found.append((theme, token.start))
        elif 2 <= len(form) <= MAX_THEME_LENGTH and form not in KOREAN_NOUN_STOPWORDS:
            found.append(((form, form, form), token.start))
        previous = form
    return found


# English -----------------------------------------------------------------------------------------

def english_clause_breaks(text: str) -> list[int]:
    return [match.start() if match.group(0)[0].isalpha() else match.end() for match in _ENGLISH_BREAK.finditer(text)]


def english_theme_positions(text: str) -> list[tuple[tuple[str, str, str], int]]:
    """Without a part-of-speech tagger an unknown English word is as likely a verb as a noun, so only the
    theme vocabulary makes English themes."""
    lowered = text.lower().replace("’", "'")
    return [(theme, match.start()) for match in ENGLISH_TOKEN.finditer(lowered)
            if (theme := theme_for(match.group(0))) is not None]


# Both --------------------------------------------------------------------------------------------

def clauses(text: str, breaks: Iterable[int]) -> list[tuple[int, int]]:
    """The (start, end) spans between the breaks that have a word in them; a piece with none (a full stop
    split off by two breaks) belongs to the clause before it."""
    edges = sorted({0, len(text), *(b for b in breaks if 0 < b < len(text))})
    spans: list[tuple[int, int]] = []
    for start, end in itertools.pairwise(edges):
        if _WORDLIKE.search(text, start, end):
            spans.append((start, end))
        elif spans:
            spans[-1] = (spans[-1][0], end)
    return spans


def _clause_of(spans: list[tuple[int, int]], offset: int) -> int:
    for index, (start, end) in enumerate(spans):
        if start <= offset < end:
            return index
    return len(spans) - 1


def _mentions(text: str, positions, spans, verdicts: list[Judgement], need_spans) -> list[Mention]:
    """One mention per theme; a theme in several clauses keeps the clause the model is surest of."""
    found: dict[str, Mention] = {}
    for (key, label_ko, label_en), offset in positions:
        key = key[:80]
        verdict = verdicts[_clause_of(spans, offset)] if spans else sentiment.NO_OPINION
        in_need = any(start <= offset < end for start, end in need_spans)
        mention = Mention(key, label_ko[:80], label_en[:80], verdict.label, verdict.score, in_need)
        kept = found.get(key)
        if kept is None or abs(mention.sentiment_score) > abs(kept.sentiment_score):
            mention.unmet_need = in_need or (kept.unmet_need if kept else False)
            found[key] = mention
        elif in_need:
            kept.unmet_need = True
    return list(found.values())


def analyse_many(texts: Sequence[str], languages: Iterable[str] | None = None,
                 korean_model: sentiment.LinearTextModel | None = None) -> list[Analysis]:
    """Analyse texts in one go: the Korean ones go through Kiwi as one batch (it uses its worker threads),
    then every comment and every clause is judged in one call per language. `korean_model` is a
    workspace's adapted model (the base model without one). A text that cannot be analysed gets a
    neutral label, no theme, and the reason in `error`; the others go on."""
    texts = [text or "" for text in texts]
    languages = list(languages) if languages is not None else [""] * len(texts)
    # A text in the "wrong" language for its survey is analysed as what it is.
    resolved = [detect_language(text, default=language if language in ("ko", "en") else "ko")
                for text, language in zip(texts, languages, strict=True)]
    cleaned = [sentiment.visible_text(text) for text in texts]
    korean = [index for index, language in enumerate(resolved) if language == "ko"]
    tokens: dict[int, list] = {}
    if korean:
        for index, found in zip(korean, kiwi().tokenize([cleaned[i] for i in korean]), strict=True):
            tokens[index] = found
    plans = []  # (spans, theme positions) per text
    for index, text in enumerate(cleaned):
        breaks = english_clause_breaks(text)
        positions = english_theme_positions(text)
        if index in tokens:
            breaks += korean_clause_breaks(tokens[index])
            positions = korean_theme_positions(tokens[index]) + positions
        plans.append((clauses(text, breaks), positions if sentiment.has_letters(text) else []))
    # Whole comments and clauses, judged together: one list per language.
    pieces: list[str] = []
    piece_languages: list[str] = []
    for text, language, (spans, _positions) in zip(cleaned, resolved, plans, strict=True):
        pieces += [text, *(text[start:end] for start, end in spans)]
        piece_languages += [language] * (1 + len(spans))
    verdicts = sentiment.judge_many(pieces, piece_languages, korean=korean_model)
    versions = sentiment.versions(korean_model)
    results = []
    cursor = 0
    for text, language, (spans, positions) in zip(cleaned, resolved, plans, strict=True):
        whole, parts = verdicts[cursor], verdicts[cursor + 1: cursor + 1 + len(spans)]
        cursor += 1 + len(spans)
        try:
            need_spans = wishes.unmet_need_spans(text)
            mentions = _mentions(text, positions, spans, parts, need_spans)
            results.append(Analysis(whole.score, whole.label, language, whole.confidence, mentions,
                                    bool(need_spans), versions[language]))
        except Exception as error:  # one bad text must not stop the batch; the item records why
            logger.exception("feedback analysis failed")
            results.append(Analysis(0.0, "neutral", language, 0.0, [], False, versions[language],
                                    f"{type(error).__name__}: {error}"[:200]))
    return results


__all__ = ["Analysis", "Mention", "analyse", "analyse_many", "detect_language"]


def analyse(text: str, language: str = "") -> Analysis:
    return analyse_many([text], [language])[0]
