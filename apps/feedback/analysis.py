"""Themes and sentiment of a feedback text, in Korean and English. Pure Python, no database.

Korean is analysed with Kiwi (kiwipiepy), a morphological analyser: the nouns (NNG, NNP) are the theme
candidates, and a small lexicon scores the morphemes, with negation ("안 좋", "좋지 않", "불친절", "문제 없")
and intensifiers ("너무", "정말"). English gets a regular-expression tokenizer and the same kind of lexicon.
The model loads once per process, on first use (about a second), so importing this module is cheap.
"""

import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

POSITIVE_FROM = 0.2
NEGATIVE_TO = -0.2

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
    "화상": ("화상 상담", "video consultation"), "로밍": ("로밍", "roaming"), "가족": ("가족 결합", "family plan"),
    "수선": ("수선", "repair"), "픽업": ("매장 픽업", "in-store pickup"), "코칭": ("러닝 코칭", "running coaching"),
}
SYNONYMS: dict[str, str] = {
    # Korean variants
    "택배": "배송", "배달": "배송", "배송비": "배송", "가격": "요금", "비용": "요금", "요금제": "요금", "값": "요금",
    "어플": "앱", "어플리케이션": "앱", "애플리케이션": "앱", "직원분": "직원", "점원": "직원", "상담원": "상담",
    "상담사": "상담", "고객센터": "상담", "콜센터": "상담", "설치기사": "기사", "기사님": "기사", "에러": "오류",
    "버그": "오류", "홈페이지": "웹사이트", "사이트": "웹사이트", "치수": "사이즈", "크기": "사이즈",
    "박스": "포장", "상자": "포장", "푸시": "알림", "영상": "화상", "수리": "수선",
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
    "notification": "알림", "notifications": "알림", "push": "알림", "video": "화상", "roaming": "로밍",
    "family": "가족", "repair": "수선", "repairs": "수선", "pickup": "픽업", "collect": "픽업",
    "coaching": "코칭", "coach": "코칭",
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


KOREAN_NOUN_STOPWORDS = _words(
    "것 수 때 정도 생각 부분 이번 진짜 정말 좀 등 중 거 분 번 후 전 점 게 데 건 뭐 곳 날 쪽 안 이상 이하 다음 처음 "
    "경우 관련 이용 사용 때문 자체 느낌 기분 만족 불만 불편 실망 친절 감사 최고 최악 추천 문제 짜증 편리 신속 정확 "
    "대박 칭찬 고장 지연 불량 엉망 오늘 어제 내일 지금 항상 매번 계속 하나 두 세 시간 일 주 달 년 고객 저희 제 "
    "우리 개선 기대 참고 보통 조금 특별 대비 한눈 정도 여러 모든 자꾸 계속 거의 부탁 서비스 기능")
# Lexicons: (morpheme, tag prefix) → weight. Tag prefixes keep "좋"(VA, good) apart from homographs.
KOREAN_LEXICON: dict[tuple[str, str], float] = {
    ("좋", "VA"): 1.0, ("친절", "NNG"): 1.0, ("친절", "XR"): 1.0, ("만족", "NNG"): 1.0, ("만족", "XR"): 1.0,
    ("빠르", "VA"): 0.8, ("편리", "NNG"): 0.9, ("편리", "XR"): 0.9, ("편하", "VA"): 0.8, ("감사", "NNG"): 0.8,
    ("최고", "NNG"): 1.2, ("훌륭", "XR"): 1.2, ("깔끔", "XR"): 0.8, ("추천", "NNG"): 0.8, ("신속", "NNG"): 0.8,
    ("신속", "XR"): 0.8, ("정확", "NNG"): 0.6, ("정확", "XR"): 0.6, ("저렴", "XR"): 0.7, ("쉽", "VA"): 0.6,
    ("괜찮", "VA"): 0.5, ("예쁘", "VA"): 0.8, ("이쁘", "VA"): 0.8, ("고맙", "VA"): 0.9, ("든든", "XR"): 0.7,
    ("칭찬", "NNG"): 0.9, ("대박", "NNG"): 0.9, ("행복", "NNG"): 0.9, ("기쁘", "VA"): 0.9, ("편안", "XR"): 0.8,
    ("안정", "NNG"): 0.5, ("꼼꼼", "XR"): 0.8, ("상냥", "XR"): 0.9, ("맛있", "VA"): 0.8, ("완벽", "NNG"): 1.0,
    ("완벽", "XR"): 1.0, ("유용", "XR"): 0.7, ("적극", "NNG"): 0.5, ("원활", "XR"): 0.7, ("훌륭하", "VA"): 1.2,
    ("나쁘", "VA"): -1.0, ("불편", "NNG"): -1.0, ("불편", "XR"): -1.0, ("실망", "NNG"): -1.1, ("느리", "VA"): -0.9,
    ("늦", "VA"): -0.9, ("늦", "VV"): -0.9, ("비싸", "VA"): -0.8, ("오류", "NNG"): -0.8, ("에러", "NNG"): -0.8,
    ("문제", "NNG"): -0.5, ("불만", "NNG"): -1.0, ("짜증", "NNG"): -1.1, ("최악", "NNG"): -1.5, ("고장", "NNG"): -0.9,
    ("지연", "NNG"): -0.8, ("파손", "NNG"): -0.9, ("어렵", "VA"): -0.7, ("복잡", "XR"): -0.7, ("복잡", "NNG"): -0.7,
    ("답답", "XR"): -0.9, ("화나", "VV"): -1.0, ("화", "NNG"): -0.5, ("엉망", "NNG"): -1.2, ("불량", "NNG"): -1.0,
    ("끊기", "VV"): -0.8, ("끊", "VV"): -0.6, ("귀찮", "VA"): -0.7, ("아쉽", "VA"): -0.6, ("힘들", "VA"): -0.7,
    ("별로", "MAG"): -0.7, ("별로", "NNG"): -0.7, ("불친절", "NNG"): -1.1, ("무례", "NNG"): -1.1, ("무례", "XR"): -1.1,
    ("황당", "XR"): -1.0, ("어이없", "VA"): -1.1, ("버그", "NNG"): -0.8, ("환불", "NNG"): -0.3, ("해지", "NNG"): -0.4,
    ("기다리", "VV"): -0.4, ("멈추", "VV"): -0.6, ("튕기", "VV"): -0.8, ("실수", "NNG"): -0.7, ("누락", "NNG"): -0.8,
    ("다르", "VA"): -0.5, ("떨어지", "VV"): -0.6, ("나빠지", "VV"): -0.9, ("반복", "NNG"): -0.4,
    ("감동", "NNG"): 1.0, ("해결", "NNG"): 0.6, ("든든하", "VA"): 0.7,
    ("분실", "NNG"): -0.9, ("손상", "NNG"): -0.9, ("더럽", "VA"): -0.9, ("시끄럽", "VA"): -0.6, ("부족", "NNG"): -0.6,
    ("부족", "XR"): -0.6, ("엉터리", "NNG"): -1.1, ("후회", "NNG"): -1.0, ("속상", "XR"): -0.8,
}
KOREAN_INTENSIFIERS = _words("너무 정말 진짜 매우 아주 엄청 완전 넘 참 굉장히 무척 많이 되게 제일 가장")
KOREAN_NEGATING_ADVERBS = frozenset(["안", "못"])
# A prefix that turns the noun after it around: 불친절, 불만족, 비효율, 무성의.
KOREAN_NEGATING_PREFIXES = frozenset(["불", "비", "무", "미"])

ENGLISH_LEXICON: dict[str, float] = {
    **dict.fromkeys(["fine", "ok", "okay", "decent", "alright"], 0.15),
    **dict.fromkeys(["well", "simple", "helps", "helped", "solved", "fixed", "prompt"], 0.6),
    **dict.fromkeys(["drops", "drop", "dropped", "dropping", "slowly", "lag", "laggy", "rudely"], -0.6),
    **dict.fromkeys(["good", "nice", "smooth", "clean", "kind", "polite", "reliable", "easy", "quick",
                     "fast", "helpful", "friendly", "happy", "satisfied", "pleased", "comfortable", "convenient",
                     "recommend", "recommended", "affordable", "cheap", "love", "loved", "like", "liked", "enjoy",
                     "enjoyed", "thank", "thanks", "appreciate", "appreciated", "responsive", "efficient",
                     "professional", "courteous", "accurate", "stable", "useful", "quickly", "promptly", "on-time"],
                    0.8),
    **dict.fromkeys(["great", "excellent", "amazing", "awesome", "perfect", "fantastic", "wonderful", "best",
                     "outstanding", "superb", "brilliant", "delighted", "lovely"], 1.2),
    **dict.fromkeys(["bad", "slow", "late", "delay", "delayed", "rude", "expensive", "broken", "bug", "bugs",
                     "buggy", "crash", "crashes", "crashed", "crashing", "error", "errors", "poor", "disappointed",
                     "disappointing", "annoying", "annoyed", "hard", "difficult", "confusing", "confused",
                     "problem", "problems", "issue", "issues", "unhelpful", "frustrating", "frustrated", "angry",
                     "complicated", "unfriendly", "dirty", "wrong", "missing", "lost", "damaged", "unusable",
                     "overpriced", "unreliable", "noisy", "cold", "waited", "waiting", "hung", "freezes", "froze",
                     "fail", "failed", "fails", "failure", "complaint", "complain", "uncomfortable", "tight",
                     "never", "nobody", "useless", "mess", "messy", "cancel", "cancelled", "refund"], -0.8),
    **dict.fromkeys(["terrible", "awful", "worst", "horrible", "disgusting", "ridiculous", "unacceptable",
                     "hate", "hated", "furious", "pathetic"], -1.3),
}
ENGLISH_NEGATIONS = frozenset(["not", "no", "never", "without", "hardly", "barely", "isn't", "wasn't", "aren't",
                               "weren't", "don't", "doesn't", "didn't", "can't", "cannot", "couldn't", "won't",
                               "wouldn't", "haven't", "hasn't", "nothing", "nor"])
ENGLISH_INTENSIFIERS = frozenset(["very", "really", "so", "too", "extremely", "super", "totally", "absolutely",
                                  "incredibly", "quite", "highly", "truly"])
ENGLISH_TOKEN = re.compile(r"[a-z]+(?:['’][a-z]+)?|\d+")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")


@dataclass
class Analysis:
    sentiment_score: float
    sentiment_label: str
    language: str
    themes: list[tuple[str, str, str]] = field(default_factory=list)  # (key, Korean label, English label)


def detect_language(text: str, default: str = "") -> str:
    """"ko" when the text is mostly Hangul, "en" when mostly Latin letters, else `default`."""
    hangul, latin = len(HANGUL.findall(text or "")), len(LATIN.findall(text or ""))
    if hangul == 0 and latin == 0:
        return default
    # A Hangul syllable carries about three Latin letters' worth of sound.
    return "ko" if hangul * 3 >= latin else "en"


def label_for(score: float) -> str:
    if score >= POSITIVE_FROM:
        return "positive"
    if score <= NEGATIVE_TO:
        return "negative"
    return "neutral"


def squash(total: float) -> float:
    """Sum of weights → −1…1; one clear word already reads as a clear sentiment (tanh(1) ≈ 0.76)."""
    return round(math.tanh(total), 4)


def negated(weight: float) -> float:
    """"Not good" is bad, but "not bad" is only lukewarm: a negated complaint weighs little."""
    return -weight * 0.8 if weight > 0 else -weight * 0.2


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


def analyse_korean_tokens(tokens: Sequence) -> tuple[float, list[tuple[str, str, str]]]:
    """Sentiment sum and themes from Kiwi tokens (objects with .form and .tag)."""
    contributions: list[list[float]] = []  # [weight, token index]
    themes: dict[str, tuple[str, str, str]] = {}
    negate_next = False
    intensify_next = False
    too = False  # "너무" before a plain adjective: "너무 많이 와요", "너무 길어요"
    pending_prefix = False
    previous_noun: str | None = None
    for index, token in enumerate(tokens):
        form, tag = token.form, token.tag
        prior_noun = previous_noun
        if tag.startswith("NN") and tag in ("NNG", "NNP"):
            if previous_noun is not None and f"{previous_noun} {form}" in CANONICAL_THEMES:
                theme = theme_for(f"{previous_noun} {form}")
                themes[theme[0]] = theme
            theme = theme_for(form)
            if theme is not None:
                themes[theme[0]] = theme
            elif tag == "NNP" or (len(form) >= 2 and form not in KOREAN_NOUN_STOPWORDS
                                  and (form, "NNG") not in KOREAN_LEXICON):
                themes.setdefault(form, (form, form, form))
            previous_noun = form
        else:
            previous_noun = None
        if tag == "XPN" and form in KOREAN_NEGATING_PREFIXES:
            pending_prefix = True
            continue
        if tag == "MAG" and form in KOREAN_INTENSIFIERS:
            intensify_next, too = True, form in ("너무", "넘") or (too and form == "많이")
            continue
        # "다시 걸어야 했어요", "교환해야 했어요": having had to do something is a complaint.
        if tag[:2] in ("VV", "VX") and form == "하" and index and tokens[index - 1].form in ("어야", "아야"):
            contributions.append([-0.5, index])
            continue
        # "기대 이상": better than expected.
        if form == "이상" and prior_noun == "기대":
            contributions.append([0.9, index])
            continue
        # "좋겠어요" (it would be good if…) is a wish, not praise.
        if form == "좋" and index + 1 < len(tokens) and tokens[index + 1].form == "겠":
            continue
        if tag == "MAG" and form in KOREAN_NEGATING_ADVERBS:
            negate_next = True
            continue
        # "좋지 않다", "친절하지 못했다": the auxiliary turns the predicate before it around.
        if tag == "VX" and form in ("않", "못하", "못"):
            if contributions and index - contributions[-1][1] <= 4:
                contributions[-1][0] = negated(contributions[-1][0])
            elif index >= 2 and tokens[index - 2].tag[:2] in ("VV", "VA"):
                contributions.append([-0.5, index])  # "넘어가지 않아요": something does not happen
            continue
        # "문제 없이", "오류가 없어서 좋았어요": absence of something bad is good; "없어서" alone is lacking.
        if (tag == "VA" and form == "없") or (tag == "MAG" and form == "없이"):
            if contributions and contributions[-1][0] < 0 and index - contributions[-1][1] <= 3:
                contributions[-1][0] = -contributions[-1][0] * 0.8
            else:
                contributions.append([-0.5, index])
            continue
        weight = KOREAN_LEXICON.get((form, tag[:3])) or KOREAN_LEXICON.get((form, tag[:2]))
        if weight is None:
            if negate_next and tag[:2] in ("VV", "VA"):
                # "안 와요", "잘 안 돼요": a negated plain verb is a complaint that something does not happen.
                contributions.append([-0.5, index])
                negate_next = False
            elif intensify_next and too and tag[:2] in ("VA", "VV"):
                contributions.append([-0.5, index])
                intensify_next = too = False
            pending_prefix = False if tag.startswith("NN") else pending_prefix
            continue
        if pending_prefix:
            weight, pending_prefix = -abs(weight), False
        # "빨랐으면 좋겠어요", "친절하면": a condition or a wish describes what did not happen.
        following = [tokens[n].form for n in range(index + 1, min(index + 4, len(tokens)))
                     if tokens[n].tag in ("EC", "EP", "XSA", "XSV", "XSA-I")]
        if "면" in following or "으면" in following:
            intensify_next = negate_next = False
            continue
        if intensify_next:
            weight, intensify_next = weight * 1.5, False
        if negate_next:
            weight, negate_next = negated(weight), False
        contributions.append([weight, index])
    return sum(weight for weight, _index in contributions), list(themes.values())


# English -----------------------------------------------------------------------------------------

def analyse_english(text: str) -> tuple[float, list[tuple[str, str, str]]]:
    tokens = ENGLISH_TOKEN.findall(text.lower().replace("’", "'"))
    total = 0.0
    themes: dict[str, tuple[str, str, str]] = {}
    negate_until = -1
    intensify_until = -1
    # "could not log in", "no discounts", "never connected": a negation that turns no sentiment word
    # around still says something did not happen, which in feedback is a complaint.
    pending_negation = False
    too_until = -1
    for index, word in enumerate(tokens):
        theme = theme_for(word)
        if theme is not None:
            themes[theme[0]] = theme
        if index > negate_until and pending_negation:
            total, pending_negation = total - 0.5, False
        if word in ENGLISH_NEGATIONS or word.endswith("n't"):
            negate_until, pending_negation = index + 3, word not in ("nothing",)
            continue
        if word in ENGLISH_INTENSIFIERS:
            intensify_until = index + 2
            too_until = index + 1 if word == "too" else too_until
            continue
        weight = ENGLISH_LEXICON.get(word)
        if weight is None:
            # "too many steps", "too long": too much of a plain thing is a complaint.
            if index <= too_until and word in ("many", "much", "long", "often", "far", "late", "complicated"):
                total -= 0.5
                too_until = -1
            # Without a part-of-speech tagger an unknown English word is as likely a verb as a noun, so
            # only the theme vocabulary makes English themes.
            continue
        pending_negation = False
        if index <= intensify_until:
            weight *= 1.5
        if index <= negate_until:
            weight = negated(weight)
        total += weight
    if pending_negation:
        total -= 0.5
    return total, list(themes.values())


# Both --------------------------------------------------------------------------------------------

def analyse_many(texts: Sequence[str], languages: Iterable[str] | None = None) -> list[Analysis]:
    """Analyse texts in one go; the Korean ones go through Kiwi as one batch (it uses its worker threads)."""
    languages = list(languages) if languages is not None else [""] * len(texts)
    # A text in the "wrong" language for its survey is analysed as what it is.
    resolved = [detect_language(text, default=language if language in ("ko", "en") else "ko")
                for text, language in zip(texts, languages, strict=True)]
    results: list[Analysis | None] = [None] * len(texts)
    korean = [index for index, language in enumerate(resolved) if language == "ko"]
    if korean:
        for index, tokens in zip(korean, kiwi().tokenize([texts[i] for i in korean]), strict=True):
            total, themes = analyse_korean_tokens(tokens)
            # English words in a Korean comment ("앱 crash") still count.
            english_total, english_themes = analyse_english(texts[index])
            total += english_total
            merged = {theme[0]: theme for theme in [*themes, *english_themes]}
            score = squash(total)
            results[index] = Analysis(score, label_for(score), "ko", list(merged.values()))
    for index, language in enumerate(resolved):
        if results[index] is None:
            total, themes = analyse_english(texts[index])
            score = squash(total)
            results[index] = Analysis(score, label_for(score), language or "en", themes)
    return results


def analyse(text: str, language: str = "") -> Analysis:
    return analyse_many([text], [language])[0]
