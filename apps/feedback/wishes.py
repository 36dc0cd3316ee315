"""Unmet needs in a comment: wishes ("…있었으면 좋겠어요", "I wish …", "please add …") and missing things
("…없어서 아쉬워요", "there is no way to …", "lacks …"), in Korean and English. Pure Python, regular
expressions only: no database, no morphological analyser, no model. It feeds the ERRC board's Create proposals.

The text is read clause by clause. Clauses end at sentence ends (. ! ? … 。 ; newline, a Korean polite ending
followed by a space) and at contrast markers (-는데/-ㄴ데/-은데, -지만, 그런데, 근데, 하지만, 그러나, 다만; but,
however, although, though, except), so praise and a wish in one comment are told apart and a span points at
the wish alone. In each clause, satisfaction worded like a need ("아쉬운 점이 없어요", "nothing missing",
"I couldn't wish for better", "I wish nothing changed") is blanked out first; the need patterns then run on
what is left. A "missing" clause needs regret after it ("없어서 좋았어요" is praise, "없어서 아쉬워요" is not).

Matching runs on a normalised copy (NFKC, lower case, no zero-width or control characters, markup blanked)
and every normalised character remembers where it came from, so spans are positions in the original text.
"""

import functools
import re
import unicodedata

__all__ = ["is_unmet_need", "unmet_need_spans"]

# Normalisation ---------------------------------------------------------------------------------------

# Removed outright (they hide inside words: "추가\u200b해 주세요"): zero-width and format characters, C0/C1 controls.
_REMOVE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u180e\u200b-\u200f\u202a-\u202e"
                     r"\u2060-\u206f\ufeff]")
# One character for one, so these never move an offset.
_ONE_FOR_ONE = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2032": "'", "`": "'", "\t": " ",
                              "\r": "\n", "\u00a0": " ", "\u2028": "\n", "\u2029": "\n", "\u3000": " ",
                              # Full-width ASCII (Ｉ ｗｉｓｈ), as NFKC would fold it.
                              **{chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}})
# Characters that NFKC and lower case leave as one character (the translation above aside): ASCII, Hangul
# syllables, common punctuation, CJK ideographs, emoji. Compatibility jamo (ㅋㅋ, ㅠㅠ) are kept as typed, though
# NFKC would turn them into conjoining jamo. A comment made only of these is normalised in one step.
_SAFE = ("\t\n\r\x20-\x7e\u00a0\u00b7\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2028\u2029\u3000-\u3002"
         "\u300c-\u300f\u3131-\u318e\uac00-\ud7a3\u4e00-\u9fff\u2600-\u27bf\uff01-\uff5e\U0001f300-\U0001faff")
# Marks that NFKC may fold into the character before them (accents, decomposed Hangul vowels and finals).
_MARKS = "\u0300-\u036f\u1160-\u11ff\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\u3099\u309a\ud7b0-\ud7ff\ufe20-\ufe2f"
_COMPLEX = re.compile(rf"(?:[^{_SAFE}]|[\uac00-\ud7a3](?=[{_MARKS}]))[{_MARKS}]*")
_BLOCK_TAG = re.compile(r"</?(?:br|p|div|li|ul|ol|tr|td|th|h[1-6]|table|section|article|blockquote|hr)\b[^<>]{0,200}>")
_TAG = re.compile(r"</?[a-z!][^<>]{0,200}>")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,8});")


def _blank(match: re.Match) -> str:
    return " " * len(match.group(0))


@functools.lru_cache(maxsize=4096)
def _fold(piece: str) -> str:
    return _REMOVE.sub("", unicodedata.normalize("NFKC", _REMOVE.sub("", piece)).lower())


def _normalise(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """The normalised text and, per character, the original start and end it came from (None: the same)."""
    if _COMPLEX.search(text) is None:
        # The common case: nothing changes length, so offsets are the original ones.
        normalised, starts, ends = text.lower().translate(_ONE_FOR_ONE), None, None
    else:
        # Safe runs are copied as they are; each other character (with its marks) is normalised on its own and
        # every character it becomes remembers the original span.
        pieces: list[str] = []
        starts, ends = [], []
        done = 0
        for match in _COMPLEX.finditer(text):
            begin, end = match.span()
            if begin > done:
                pieces.append(text[done:begin].lower())
                starts.extend(range(done, begin))
                ends.extend(range(done + 1, begin + 1))
            done = end
            piece = _fold(match.group(0))
            pieces.append(piece)
            starts.extend([begin] * len(piece))
            ends.extend([end] * len(piece))
        if done < len(text):
            pieces.append(text[done:].lower())
            starts.extend(range(done, len(text)))
            ends.extend(range(done + 1, len(text) + 1))
        normalised = "".join(pieces).translate(_ONE_FOR_ONE)
    if "<" in normalised:
        # A line break or a paragraph in markup ends a sentence; inline tags are only blanked.
        normalised = _BLOCK_TAG.sub(lambda match: "\n" + " " * (len(match.group(0)) - 1), normalised)
        normalised = _TAG.sub(_blank, normalised)
    if "&" in normalised:
        normalised = _ENTITY.sub(_blank, normalised)
    return normalised, starts, ends


# Clauses ---------------------------------------------------------------------------------------------

# Hangul syllables whose final consonant is ㄴ (는, 은, 한, 인, 운 …): with 데 they make the -ㄴ데 connective.
_N_FINAL = "".join(chr(0xAC00 + index * 28 + 4) for index in range(19 * 21))
_BREAK_PARTS = [
    r"(?P<stop>(?:[!?;。\n…]|(?<!\d)\.|\.(?!\d))+)",
    r"(?P<ko_word>(?<![가-힣])(?:그런데|근데|하지만|그러나|그렇지만|그치만|반면에|반면|다만)(?![가-힣]))",
    r"(?P<en_word>\b(?:but|however|although|even\s+though|though|except(?:\s+for|\s+that)?)\b)",
    # Connective endings stay with the clause they end; nouns ending in 지 + 만 ("페이지만") are not one.
    rf"(?P<ko_end>(?:[{_N_FINAL}]데(?:요|도)?|지만(?<!페이지만)(?<!이미지만)(?<!메시지만)(?<!메세지만)(?<!패키지만)"
    r"(?<!마사지만)(?<!에너지만)(?<!바지만))(?=[\s,~^)ㄱ-ㅣ]|$))",
    # Unpunctuated Korean: a polite sentence ending followed by a space ends the sentence.
    r"(?P<ko_stop>(?:[어아여워와해에예세네군줘봐]요|니다|[었았였했겠]다|죠)(?=[\s~^ㄱ-ㅣ]))",
]
# The lookahead lists every character a break can start with (the tests check it): the engine skips other
# positions at once, which makes splitting several times faster. The need patterns below are gated the same way.
_BREAK_FIRST = f"!?;。\n….그근하다반bhate지어아여워와해에예세네군줘봐니었았였했겠죠{_N_FINAL}"
_BREAK = re.compile(f"(?=[{_BREAK_FIRST}])(?:" + "|".join(_BREAK_PARTS) + ")")
_TRIM = " \t\n,;:-–—·*\"'"
_CONCESSIVE = {"although", "though", "even though"}


def _clauses(normalised: str) -> list[tuple[int, int, str]]:
    """(start, end, the contrast word before it) of each non-empty clause, in normalised positions."""
    pieces: list[tuple[int, int, str]] = []
    start, marker = 0, ""
    for match in _BREAK.finditer(normalised):
        kind = match.lastgroup
        if kind in ("ko_end", "ko_stop"):
            pieces.append((start, match.end(), marker))
            start, marker = match.end(), ""
        else:
            pieces.append((start, match.start(), marker))
            start = match.end()
            marker = " ".join(match.group(0).split()) if kind != "stop" else ""
    pieces.append((start, len(normalised), marker))
    clauses = []
    for begin, end, word in pieces:
        # "Although A, B": A is the concession and B the main clause, so the first comma ends A.
        comma = normalised.find(",", begin, end) if word in _CONCESSIVE else -1
        parts = [(begin, comma, word), (comma + 1, end, "")] if comma >= 0 else [(begin, end, word)]
        for a, b, w in parts:
            while a < b and normalised[a] in _TRIM:
                a += 1
            while b > a and normalised[b - 1] in _TRIM:
                b -= 1
            if a < b:
                clauses.append((a, b, w))
    return clauses


# Satisfaction that reads like a need: blanked out before the need patterns run -----------------------

_FILL = "#"
_KO_CALM = r"(?:딱히|별로|특별히|전혀|하나도|크게|더\s?이상|따로|아무것도|정말|진짜|굳이|더)"
_KO_SATISFIED_PARTS = [
    # "아쉬운 점이 없어요", "더 바랄 게 없어요", "불만 없습니다"; "…면 더 바랄 게 없겠어요" is still a wish.
    r"(?:바라는|바랄|희망하는|원하는|아쉬운|아쉬웠던|아쉬울|불편한|불편했던|불편할|어려운|불만|개선할|건의할|필요한|"
    r"부족한|단점|흠|추가할|바꿀|고칠|아쉬움|불편함|부족함|문제|걱정|오류|하자)\s?(?:점|것|거|건|게|부분|사항|나위)?"
    rf"(?:은|는|이|가|도|이라곤|이라고는)?\s?(?:{_KO_CALM}\s?)?없(?!겠|을\s?(?:텐데|것|거|듯))",
    rf"필요(?:는|가|도|성은|성이|성도)?\s?(?:{_KO_CALM}\s?)?없",
    # "뭐가 더 필요해": a question that expects no answer.
    r"(?:뭐가|무엇이|뭐|뭘|무엇을|무얼)\s?(?:더\s?)?(?:필요|바라|바랄|원하)",
    # Wishes that nothing change, and good wishes: "지금처럼 유지되었으면 좋겠어요", "번창하시길 바랍니다".
    r"(?:앞으로도|다음에도|다음번에도|지금처럼|이번처럼|오늘처럼|지금\s?그대로|지금\s?이대로|이대로|"
    r"변함\s?(?:없|이\s?없)|변치\s?않|변하지\s?않|바뀌지\s?않|번창|건강하|행복하|대박\s?나|화이팅|파이팅|"
    r"승승장구|유지(?:해|하|되|됐|돼)|(?:계속|늘|항상)\s?(?:이렇게|지금처럼|그렇게))[^.!?\n]{0,40}?"
    r"(?:바랍니다|바래요|바라요|바랄게요|바랍니당|좋겠|면\s?해|으면\s?합|주세요|주시길|주시기|부탁|희망)",
]
# The characters those patterns start with, for the same lookahead as _BREAK_FIRST's.
_KO_SATISFIED_FIRST = "개걱건계고늘다단대무문뭐뭘바번변부불승아앞어오원유이지추파필하항행화흠희"
_KO_SATISFIED = re.compile(f"(?=[{_KO_SATISFIED_FIRST}])(?:" + "|".join(_KO_SATISFIED_PARTS) + ")")
_EN_SATISFIED_PARTS = [
    r"\bnothing\s+(?:(?:is|was|seems|seemed|really|at\s+all|whatsoever|much|else|more|left|that\s+i|i|we)\s+){0,3}"
    r"(?:missing|lacking|lacks|needed|need|wanted|want|to\s+(?:add|improve|change|wish\s+for|ask\s+for|want|fix))\b",
    # "don't need", "no need to", "not missing", "couldn't (have) wish(ed) for", "never lacks".
    r"\b(?:not|[a-z]+n't|never|without|no|nor)\s+(?:\w+\s+){0,2}?(?:in\s+)?"
    r"(?:need(?:ed|s|ing)?|want(?:ed|s|ing)?|miss(?:ed|es|ing)?|lack(?:s|ed|ing)?|wish(?:ed|es)?)\b",
    r"(?:\bnobody|\bno\s+one|\bno-one)\s+(?:\w+\s+)?(?:needs?|wants?|misses|wish(?:es)?)\b",
    r"\bwish(?:ed|es)?\s+(?:you|them|the\s+(?:team|staff|store|company|shop)|everyone|all\s+of\s+you|y'?all)\s+"
    r"(?:all\s+)?(?:the\s+)?(?:best|luck|well|success|continued|good\s+luck|happy|merry|a\s+(?:happy|merry|great|"
    r"good))",
    # "I wish I'd found you sooner" is praise.
    r"\bwish(?:ed)?\s+(?:i|we)(?:'d|\s+had|\s+would\s+have|\s+could\s+have)?\s+(?:\w+\s+)?(?:found|discovered|known|"
    r"come|started|switched|tried|bought|ordered|met|joined|signed\s+up)\b[^.!?\n]{0,40}?"
    r"\b(?:sooner|earlier|before|years\s+ago|ages\s+ago|long\s+ago)\b",
    # A wish that nothing change is not a need: "I wish nothing changed", "please keep it the same".
    r"\b(?:wish(?:ed)?|hope|hoping|please|would\s+\w+\s+(?:it\s+)?if)\b[^.!?\n]{0,40}?"
    r"(?:\bnothing\s+(?:\w+\s+)?chang(?:es|ed|e)|\bnever\s+(?:\w+\s+)?chang(?:es|ed|e)|"
    r"(?:n't|\bnot)\s+(?:ever\s+)?change|"
    r"\b(?:stays?|stayed|remains?|remained|keeps?|kept)\s+(?:\w+\s+){0,2}?(?:the\s+same|as\s+(?:is|it\s+is|they\s+are)|"
    r"like\s+(?:this|that|it\s+is)|this\s+way|that\s+way|unchanged|forever)|\bchange\s+nothing|\bkeep\s+up)\b",
]
_EN_SATISFIED = re.compile(r"\b(?=[a-z])(?:" + "|".join(_EN_SATISFIED_PARTS) + ")")


def _fill(match: re.Match) -> str:
    return _FILL * len(match.group(0))


# Needs --------------------------------------------------------------------------------------------------

# Regret after a missing thing; not when negated ("불편하지 않았어요", "불편함이 없었어요", "안 불편했어요").
_KO_REGRET = (r"(?<!안\s)(?<!안)(?<!덜\s)(?:아쉽|아쉬|불편|힘들|힘드|힘듦|속상|섭섭|서운|안타깝|안타까|번거|답답|짜증|"
              r"귀찮|곤란|난감|실망|유감|어렵|어려워|어려웠|어려움|흠이|단점|별로(?:예요|에요|였|네요|다|임))"
              r"(?![^\s,.!?]{0,5}\s?(?:않|없|아니))")
# Something absent or impossible. Adjectives built on 없 (재미없다, 맛없다, 정신없다) are complaints, not gaps.
_KO_LACK = (r"(?:없(?<!재미없)(?<!재미\s없)(?<!재미가\s없)(?<!재미도\s없)(?<!의미가\s없)(?<!맛없)(?<!맛\s없)"
            r"(?<!멋없)(?<!상관없)(?<!관계없)(?<!어이없)(?<!어이\s없)"
            r"(?<!형편없)(?<!틀림없)(?<!쓸데없)(?<!성의없)(?<!성의\s없)(?<!개념없)(?<!개념\s없)(?<!정신없)(?<!정신\s없)"
            r"(?<!소용없)(?<!힘없)|"
            r"안\s?되|안\s?돼|안되|안돼|되지\s?않|(?:지원|제공)(?:하|되)지\s?않|(?:지원|제공)\s?안\s?(?:되|돼)?|"
            r"불가능(?:하|해)?|불가|(?<!잘\s)(?<!잘)못\s?해|(?<!잘\s)(?<!잘)못하|부족(?:하|해)?|모자라|모자르)")
_KO_LINK = (r"(?:어서|어|서|고|으니까|으니|니까|으므로|는\s?(?:게|것이|것도|거|점이|점은|점도|부분이|건)|"
            r"다는\s?(?:게|것이|것도|거|점이|점은|점도|부분이|건)|었던\s?(?:게|것이|점이|건|거)|"
            r"네요|네|더라고요|더라구요|더라|던데|었어요|었고|었는데|었네요|었습니다|어요|음|습니다|고요|"
            r"아서|아|해서|해|한\s?(?:게|것이|점이|건|거)|하여|군요)")
# Request verbs: asking for something to be added or changed, not for a refund or a call back.
_KO_ASK = (r"(?:(?:추가|개선|도입|지원|확대|마련|변경|제공|개설|신설|출시|설치|허용|반영|보완|업데이트|"
           r"연장|확충|보강|배치|개발|구현|판매|입고|재입고|오픈|부활|적용|활성화|표시|연동|증설|확장)"
           r"\s?(?:를|을)?\s?(?:좀\s?|꼭\s?|빨리\s?|다시\s?)?(?:해|하여|시켜|되게\s?해)|"
           r"열어|만들어|늘려|넣어|바꿔|바꾸어|줄여|살려|갖춰|늘여|넓혀|되살려|달아|붙여|올려|내려|낮춰|더해|"
           r"(?:생기|있|되|가능하|수\s?있|수\s?있도록)(?:게|도록)\s?해)\s?"
           r"(?:주세요|주시면|주셨으면|주시길|주시기|주십시오|주실\s?수|주시겠|주셔요|주었으면|주면|주길|주기\s?바|"
           r"줬으면|줬음|줘요|줘(?![가-힣])|주라|달라|주셨음|주셈|주세여)")
_KO_NEED_PARTS = [
    # "…면 좋겠어요", "…(으)면 좋을 것 같아요", "…면 감사하겠습니다", "…만 있으면 더 바랄 게 없겠어요".
    r"(?:면|음|믄)(?<=[가-힣].)\s?(?:더\s?|정말\s?|참\s?|너무\s?|진짜\s?|좀\s?|훨씬\s?|많이\s?|꼭\s?)?"
    r"(?:좋겠|좋을\s?(?:것|거|듯|텐데|까)|좋았을|좋지\s?않을까|편하겠|편할\s?(?:것|거|듯|텐데)|편리하겠|"
    r"편리할\s?(?:것|거|듯|텐데)|나을\s?(?:것|거|듯|텐데)|낫겠|좋아질\s?(?:것|거|듯)|감사하겠|감사할\s?(?:것|거)|"
    r"감사드리겠|고맙겠|바랄\s?(?:게|것이|거|나위가?)\s?없겠|완벽할|완벽하겠|최고일|최고겠|금상첨화|유용할|유용하겠|"
    r"도움이?\s?될\s?(?:것|거|듯)|싶)",
    r"으면\s?(?:해요|해(?![가-힣])|합니다|하는|한다|하네요|하고|하며|함)",
    # "주차장이 있었으면…": the wish said without its ending.
    r"(?:었|았|였|했|겼|됐|졌|줬|왔|웠)으면\W*$",
    _KO_ASK,
    # "좀 더 빨리 배송해 주세요": asking for more of something is asking for a change.
    r"(?<![가-힣])(?:좀\s?|조금\s?|훨씬\s?)?더\s(?:[^\s.!?]+\s){0,2}?[^\s.!?]*(?:해|어|아|여|워|줘|꿔|켜|려|춰|내|"
    r"게\s?해)\s?주(?:세요|시면|셨으면|시길|시기|십시오|었으면)",
    r"(?:추가|개선|도입|확대|마련|개설|신설|출시|변경|보완|확충|연장|반영|재입고|부활|증설|확장|다양화)"
    r"(?:를|을|가|이|도)?\s?(?:(?:검토|고려)\s?)?(?:좀\s?|꼭\s?|빨리\s?|적극\s?|조속히\s?)?(?:부탁|요청|바랍|바래|바라|"
    r"희망|원합|원해|건의|필요|했으면|하면|됐으면|되면|되었으면|되길|되기를|해줬으면|돼야|되어야|해야)",
    r"바랍니다|바래요|바라요|바랄게요|바랄께요|바랍니당|바라겠습니다|바라는\s?바|바라며|바랄\s?뿐|바람입니다|"
    r"바람이에요|바라는\s?(?:점|것|건|게|부분)|희망(?:합니다|해요|함|하는\s?(?:점|것|건|바)|사항|해\s?봅니다|하며)",
    r"필요(?:해요|합니다|하다|하네요|하겠|할\s?(?:것|거|듯|텐데)|한\s?(?:것|거|듯)\s?같(?!지|진)|함|해(?![가-힣])|"
    r"합니당|해\s?보여|해\s?보입니다|하지\s?않(?:을까|나))",
    r"(?<=[을를\s])원(?:해요|합니다)",
    r"(?:있어야|생겨야|되어야|돼야)\s?(?:할\s?(?:것|거|듯)|해요|합니다|한다|하지\s?않|하는\s?거|겠|된다|돼요|"
    r"될\s?(?:것|거|듯))",
    # Missing, then regret: "포장 옵션이 없어서 아쉬워요", "예약이 안 돼서 불편해요", "지원하지 않아 아쉽습니다".
    rf"{_KO_LACK}{_KO_LINK}[^.!?\n]{{0,15}}?{_KO_REGRET}",
    # Regret, then missing: "아쉬운 점은 주차장이 없다는 거예요", "아쉽게도 카드 결제가 안 돼요".
    r"(?:아쉽게도|안타깝게도|불편하게도|유감스럽게도|"
    r"(?:아쉬운|불편한)\s?(?:점은|건|것은|거는|게\s?있다면|점이\s?있다면|점이라면|부분은)|"
    r"단점은|단점이라면|흠이라면|옥에\s?티(?:라면|는)?|바라는\s?점은|개선할\s?점은|개선점은)"
    rf"[^.!?\n]{{1,40}}?{_KO_LACK}",
]
# Every Korean pattern starts with one of these characters (the tests check it), so the lookahead lets the engine
# skip every other position at once: a 10,000-character comment takes a third of the time. English patterns all
# start at the start of a word.
_KO_NEED_FIRST = ("가갖개겼구낮내넓넣늘다단달더도돼됐되를마만면모못믄바반배변보부불붙살생설수신아안"
                  "았업없었연열였오옥올왔웠원유으을음입있재적제졌조좀줄줬증지추출판표필했허확활훨흠희")
_KO_NEED = re.compile(f"(?=[{_KO_NEED_FIRST}])(?:" + "|".join(_KO_NEED_PARTS) + ")")

_EN_VERB_ASKED = (r"(?:add(?:ing)?|bring(?:ing)?\s+(?:\w+\s+)?back|re-?introduce|introduce|include|offer(?:ing)?|"
                  r"provide|make\s+(?:it\s+)?(?:possible|available)|create|implement|support|allow|"
                  r"let\s+(?:us|me|users|customers|people)(?!\s+know\b)|open|reopen|extend|enable|restore|reinstate|"
                  r"put\s+(?:\w+\s+)?back|install|launch|stock|sell|hire|expand|increase|improve|change|update|"
                  r"develop|build)")
_EN_CONTENT = (r"(?:problems?|issues?|bugs?|complaints?|hidden|waiting|queues?|delays?|errors?|troubles?|fees?|"
               r"worries|anything\s+(?:to|bad|negative))")
_EN_REGRET = (r"(?<!not\s)(?<!n't\s)(?<!never\s)(?:shame|pity|too\s+bad|disappointing|unfortunate|annoying|frustrating|"
              r"inconvenient|bummer|a\s+pain|a\s+hassle)")
_EN_NEED_PARTS = [
    # Wishes: "I wish", "wish there was", "my only wish", "if only".
    r"\b(?:i|we)\s+(?:(?:\w+ly|just|so|do|only|still|kind\s+of|kinda|sort\s+of|also|often)\s+)?wish(?:ed)?\b",
    r"\b(?:my|our|one|only|biggest|main|big|small|personal)\s+wish\b|\bwish\s*list\b|\bif\s+only\b",
    # "I'd love it if", "I would like to see more", "we'd appreciate an option".
    r"\b(?:i'?d|i\s+would|we'?d|we\s+would|would)\s+(?:(?:really|so|just|also|very\s+much|much|definitely|honestly|"
    r"absolutely)\s+)?(?:love|like|prefer|appreciate|want|welcome)\s+(?:it\s+)?(?:if|when|to\s+(?:have|get|be\s+able|"
    r"find|choose|book|pay|order)|to\s+see\s+(?:a|an|more|some|better|additional|extra|the\s+option|\w+\s+(?:added|"
    r"back|introduced|offered)))\b",
    r"\b(?:i'?d|i\s+would|we'?d|we\s+would)\s+(?:really\s+|so\s+|just\s+)?(?:(?:love|welcome)\s+(?:a|an|some|more)|"
    r"(?:love|welcome|appreciate)\s+(?:more|an?\s+(?:\w+\s+)?(?:option|way|choice|setting|feature)|the\s+(?:option|"
    r"ability|possibility|chance)))\b",
    r"\b(?:i|we)\s+(?:really\s+)?(?:want|need)\s+to\s+be\s+able\s+to\b",
    # "It would be nice/great/helpful if …", "would be nice to have", "it'd have been good to …".
    r"\b(?:would|(?:it|that|this|which|they|we|you|i)'d)\s+(?:have\s+been|be)\s+"
    r"(?:(?:really|so|very|much|super|also|even|pretty|quite|extremely|incredibly|a\s+lot|way)\s+)?"
    r"(?:nice|great|good|helpful|useful|lovely|awesome|better|handy|convenient|cool|amazing|"
    r"perfect|fantastic|wonderful|ideal|appreciated|brilliant|excellent|beneficial|a\s+(?:nice|great|good|big|huge|"
    r"welcome)\s+(?:\w+\s+)?(?:addition|improvement|touch|bonus|plus|idea|help))\s*(?:if|to|when|for\s+(?:us|me|"
    r"customers|users|them)\s+to|,|$)",
    r"\bwould\s+make\s+(?:it|things|life|everything|this|the\s+\w+)\s+(?:so\s+|much\s+|a\s+lot\s+)?"
    r"(?:easier|better|simpler|more\s+convenient)",
    # Requests: "please add", "please bring back", "could you add", "I hope you add", "bring back the old menu".
    rf"\bplease[\s,]+(?:(?:\w+ly|just|also|do|consider|think\s+about|maybe)\s+)?{_EN_VERB_ASKED}\b",
    r"\b(?:add|bring\s+(?:\w+\s+)?back)\b[^.!?\n]{0,50}?\bplease\b",
    rf"\b(?:can|could|would|will)\s+(?:you|they|u)\s+(?:guys\s+)?(?:please\s+|maybe\s+|possibly\s+|also\s+|kindly\s+|"
    rf"consider\s+)?{_EN_VERB_ASKED}\b",
    rf"\b(?:i|we)\s+hope\s+(?:that\s+)?(?:you|they|u|the\s+\w+)\s+(?:(?:will|can|would|could|soon|eventually|someday|"
    rf"consider)\s+)*{_EN_VERB_ASKED}\b",
    rf"\bhopefully\s+(?:you|they|u|the\s+\w+)\s+(?:(?:will|can|soon)\s+)*{_EN_VERB_ASKED}\b",
    # "You should offer …", "should have a live chat" (not "should have called"), "there should be …".
    r"\bshould\s+(?:(?:really|also|definitely|seriously|honestly|probably|at\s+least|consider|think\s+about|just)\s+)?"
    r"(?:add(?:ing)?|offer(?:ing)?|provide|include|introduce|bring\s+back|implement|create|support|allow|"
    r"let\s+(?:us|me|users|customers|people)|open|extend|install|hire|stock|sell|enable|expand|"
    r"start\s+(?:offering|selling)|get\s+(?:a|an|more|some))\b",
    r"\bshould\s+(?:(?:really|also|definitely|seriously|honestly|probably|at\s+least|just)\s+)?have\s+"
    r"(?!(?:been|had|done|known|sent|told|gone|given|taken|seen|made|got|gotten|come|thought|brought|spoken|written|"
    r"let|put|shown|kept|left|paid|said|found|heard|read|run|won|lost|caught|held|sold|bought|understood|"
    r"meant|chosen|driven|eaten|fallen|felt|forgotten|hidden|known|ridden|rung|stolen|thrown|worn)\b)(?!\w+ed\b)\w",
    r"\bthere\s+(?:really\s+|also\s+)?should\s+be\s+(?!no\b|nothing\b|any\s+problem)",
    r"\bshould\s+be\s+able\s+to\b",
    # "The app needs a dark mode", "we need more staff"; "needs improvement".
    r"\b(?:needs|(?:really|definitely|seriously|desperately|badly|still|we|they|you|also|urgently|it|app|store|site|"
    r"shop|service|website|menu)\s+need)\s+(?:a|an|some|more|better|proper|additional|extra|another|improvement|"
    r"improving|updating|to\s+(?:add|have|offer|provide|get|include|introduce|bring|support|allow|be\s+able|improve|"
    r"hire|open|extend))\b",
    r"\bin\s+need\s+of\s+(?:a|an|some|more|better)\b",
    # Missing features and options (a missing parcel is a delivery complaint, not a need).
    r"\b(?:the\s+only\s+thing|one\s+thing|what(?:'s|\s+is|\s+was)|something(?:'s|\s+is)?|sorely|badly|really|"
    r"definitely|still|seriously|clearly|obviously|feels?|felt)\s+(?:(?:that'?s|that\s+is|which\s+is|is|was|"
    r"i\s+find|\w+ly)\s+)?missing\b",
    r"\bmissing\s+(?:\w+\s+){0,3}?(?:features?|options?|functions?|functionality|settings?|modes?|support|ability|way|"
    r"filters?|integrations?|languages?|payment\s+methods?|choices?|alternatives?|capabilit(?:y|ies))\b",
    r"\b(?:features?|options?|functions?|functionality|settings?|modes?|support|ability|integrations?|filters?)\s+"
    r"(?:(?:is|are|was|were|seems?|still|sadly|currently|just)\s+){1,3}missing\b",
    # "There is no way to", "no option to", "no dark mode option", "can't find any way to", "lacks".
    r"\bno\s+(?:(?:easy|simple|quick|obvious|clear|real|other|convenient|online|longer\s+an?|\w+)\s+)?"
    r"(?:way|option|possibility|ability|means|setting|feature|button|choice|function|facility|place)s?\s+(?:to|for)\b"
    r"(?!\s+(?:describe|express|thank|beat|go\s+wrong|improve|fault|complain|put|compare|explain|be\s+disappointed)\b)",
    r"\bno\s+(?:\w+\s+){0,2}(?:option|feature|setting|mode|function|functionality|integration|filter)s?\b",
    r"\bno\s+support\s+for\b",
    r"\bthere\s+(?:is|are|was|were)(?:n't|\s+not)\s+(?:a|an|any)\s+(?:\w+\s+)?(?:way|option|possibility|setting|"
    r"feature|button|choice|function|place)s?\s+(?:to|for)\b",
    r"\b(?:can(?:'?t|not)|could(?:n'?t|\s+not)|unable\s+to|do(?:n'?t|\s+not))\s+(?:\w+\s+)?(?:find|see|locate|get)\s+"
    r"(?:any|a|an|the)\s+(?:\w+\s+)?(?:way|option|setting|button|feature|possibility|place|function|menu|choice)s?\s+"
    r"(?:to|for)\b",
    r"\b(?:lacks|lacking|lacked|lack\s+of)\b",
    # "It doesn't support Apple Pay", "they don't open on Sundays": the business is the subject, so not "I still
    # don't have an answer", "you don't have to wait" or "no hidden fees".
    r"\b(?:it|they|you|u|the\s+\w+(?:\s+\w+)?|this\s+\w+|your\s+\w+|their\s+\w+)\s+(?:(?:still|currently|even|"
    r"really|just|also|sadly|unfortunately)\s+)?(?:does|do)(?:n't|\s+not)\s+(?:(?:yet|even|currently|still)\s+)?"
    rf"(?:support|offer|have(?!\s+to\b)|allow|let\s+(?:me|us|you|users|customers)|provide|include|accept|sell|stock|"
    rf"carry|open)\b(?!\s+(?:any\s+)?{_EN_CONTENT})",
    r"\b(?:you|we|customers|users|one)\s+can(?:'?t|not)\s+(?:\w+\s+)?(?:pay|book|order|choose|select|export|filter|"
    r"track|schedule|reserve|save|download|edit|customi[sz]e|switch)\b",
    rf"\bno\s+longer\s+(?:offers?|offered|available|have|has|supports?|sells?|stocks?|carry|carries|opens?|provides?|"
    rf"exists?|there)\b(?!\s+(?:any\s+)?{_EN_CONTENT})",
    r"\bi\s+(?:really\s+|do\s+|still\s+|truly\s+)?miss\s+(?:the\s+old|having|being\s+able|when\s+you|the\s+days)\b",
    r"\bwhy\s+(?:is\s+there\s+no|isn'?t\s+there\s+(?:a|an|any)|are\s+there\s+no|don'?t\s+you\s+(?:\w+\s+)?(?:have|"
    r"offer|add|sell|provide|support|open|stock|accept)|doesn'?t\s+(?:the\s+\w+|it)\s+(?:have|offer|support|allow))\b",
    # Regret with an absence, either order: "sadly there's no …", "there's no dark mode, which is a shame".
    r"\b(?:shame|pity|too\s+bad|disappointing|unfortunate(?:ly)?|sadly|annoying|frustrating|inconvenient|bummer)\b"
    r"[^.!?\n]{0,40}?(?:\bthere(?:'s|\s+is|\s+are)\s+no\b|\bno\s+longer\b|(?:is|are|does|do)(?:n't|\s+not)\b|"
    r"\bcan(?:'t|not)\b|\bnot\s+available\b|\bunavailable\b|\bwithout\s+(?:a|an|any)\b)",
    rf"\b(?:there(?:'s|\s+is|\s+are)\s+no|no\s+longer|(?:is|are|does|do)(?:n't|\s+not)|can(?:'t|not))\b"
    rf"[^.!?\n]{{0,40}}?\b{_EN_REGRET}\b",
]
_EN_NEED = re.compile(r"\b(?=[a-z])(?:" + "|".join(_EN_NEED_PARTS) + ")")
# Imperatives and subjectless clauses, at the start of a clause: "Bring back the old menu", "Wish there was …",
# "Doesn't support Apple Pay".
_EN_OPENING = re.compile(r"\W*(?:wish(?:ed)?\s+(?:there|they|you|it|the|we|i|that|someone|somebody|u)\b|"
                         r"(?:bring\s+back|re-?introduce|reinstate)\b|"
                         rf"does(?:n't|\s+not)\s+(?:support|offer|have|allow|accept)\b(?!\s+(?:any\s+)?{_EN_CONTENT}))")

# After "except", an absence is the exception to praise: "all great except there's no parking".
_EN_EXCEPTION = re.compile(r"^\W*(?:that\s+)?(?:there(?:'s|\s+is|\s+are)\s+no\b|no\s+\w|the\s+lack\b|"
                           r"(?:it|they|you)\s+(?:don'?t|doesn'?t|do\s+not|does\s+not)\s+(?:have|offer|support|sell|"
                           r"open|accept)\b)")
# After 다만 ("only, …"), the same: "다 좋았어요. 다만 주차장이 없어요".
_KO_EXCEPTION = re.compile(r"(?:없|안\s?되|안\s?돼|안되|안돼|되지\s?않|부족)[가-힣]{0,5}\W*$")
# "주차장이 없네요. 아쉬워요": the regret is a sentence of its own.
_KO_LACK_AT_END = re.compile(rf"{_KO_LACK}[가-힣]{{0,5}}\W*$")
_KO_REGRET_ALONE = re.compile(r"^\W*(?:(?:좀|너무|많이|정말|참|진짜|넘|되게|조금|살짝|그게|그건|그래서|그\s?점이|"
                              r"이\s?점이)\s?)*" + _KO_REGRET)
_HANGUL = re.compile(r"[가-힣ㄱ-ㅣ]")
_LATIN = re.compile(r"[a-z]")


def _need_clauses(normalised: str, first_only: bool) -> list[tuple[int, int]]:
    """Normalised (start, end) of the clauses that voice a need."""
    found: list[tuple[int, int]] = []
    previous: tuple[int, int, str, bool] | None = None  # start, end, masked Korean text, matched
    for start, end, marker in _clauses(normalised):
        clause = normalised[start:end]
        korean, english = _HANGUL.search(clause) is not None, _LATIN.search(clause) is not None
        if korean:
            clause = _KO_SATISFIED.sub(_fill, clause)
        if english:
            clause = _EN_SATISFIED.sub(_fill, clause)
        matched = bool(
            (korean and _KO_NEED.search(clause))
            or (english and (_EN_NEED.search(clause) or _EN_OPENING.match(clause)))
            or (marker.startswith("except") and _EN_EXCEPTION.search(clause))
            or (marker == "다만" and _KO_EXCEPTION.search(clause))
        )
        if matched:
            found.append((start, end))
        elif (korean and previous and not previous[3] and _KO_REGRET_ALONE.search(clause)
              and _KO_LACK_AT_END.search(previous[2])):
            found.append((previous[0], end))
            matched = True
        if matched and first_only:
            break
        previous = (start, end, clause, matched)
    return found


def _to_original(spans: list[tuple[int, int]], starts: list[int] | None,
                 ends: list[int] | None) -> list[tuple[int, int]]:
    """The spans in the original text's positions, sorted, with touching ones merged."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if starts is not None and ends is not None:
            start, end = starts[start], ends[end - 1]
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def unmet_need_spans(text: str) -> list[tuple[int, int]]:
    """Character spans (start, end) of the clauses in `text` that voice an unmet need; [] when none."""
    if not text or not isinstance(text, str):
        return []
    normalised, starts, ends = _normalise(text)
    return _to_original(_need_clauses(normalised, first_only=False), starts, ends)


def is_unmet_need(text: str) -> bool:
    """True when any clause of `text` voices an unmet need."""
    if not text or not isinstance(text, str):
        return False
    return bool(_need_clauses(_normalise(text)[0], first_only=True))
