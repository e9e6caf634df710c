"""Checks on a generated answer: citation markers and numbers against the cited passages.

A 1.5B model sometimes invents a figure or reuses one from the wrong passage (DESIGN.md).
These checks are what lets us show its answer at all: every [n] must point at a passage
that was given, and every number in the answer must occur in a passage it cites.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from chat.evidence import sentences

MARKER = re.compile(r"\[(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\]")
# 136.000 / 136 000 / 136,000 / 1.117,5 / 13 % / 2025
NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)?"
)

WORD_NUMBERS: dict[str, str] = {}
_SPELLED = (
    "zero one two three four five six seven eight nine ten eleven twelve",
    "nul een twee drie vier vijf zes zeven acht negen tien elf twaalf",
    "zéro un deux trois quatre cinq six sept huit neuf dix onze douze",
)
for _line in _SPELLED:
    for _value, _word in enumerate(_line.split(" ")):
        WORD_NUMBERS.setdefault(_word, str(_value))
# "half of them", "la moitié": a share is an answer to "what share"
for _word in ("half", "helft", "moitié", "quarter", "kwart", "quart", "third", "derde", "tiers"):
    WORD_NUMBERS[_word] = _word
# "een"/"un"/"one" double as articles; never treat them as numbers.
for _article in ("een", "un", "one", "nul", "zero", "zéro"):
    WORD_NUMBERS.pop(_article, None)


def normalise_number(token: str) -> str:
    """'136.000', '136 000' and '136,000' -> '136000'; '2,5' and '2.5' -> '2.5'."""
    t = re.sub(r"[\u00a0\u202f ]", "", token)
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", t):
        return re.sub(r"[.,]", "", t)
    m = re.fullmatch(r"(\d{1,3}(?:[.,]\d{3})+)[.,](\d+)", t)
    if m:
        return re.sub(r"[.,]", "", m.group(1)) + "." + m.group(2)
    return t.replace(",", ".")


def numbers_in(text: str, words: bool = False) -> set[str]:
    """Normalised numbers in a text; with words=True also small spelled-out numbers."""
    found = {normalise_number(m.group(0)) for m in NUMBER.finditer(MARKER.sub(" ", text))}
    if words:
        for w in re.findall(r"\w+", text.lower()):
            if w in WORD_NUMBERS:
                found.add(WORD_NUMBERS[w])
    return found


def markers_in(text: str) -> list[int]:
    """Passage numbers cited with [n] or [n, m], in order of first appearance."""
    seen: list[int] = []
    for m in MARKER.finditer(text):
        for part in re.split(r"[,;]", m.group(1)):
            n = int(part)
            if n not in seen:
                seen.append(n)
    return seen


@dataclass
class CheckResult:
    """What is wrong with an answer, if anything (empty problems: the answer can be shown)."""

    cited: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    invented: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def repoint_markers(sentence: str, passages: list[str]) -> str:
    """The sentence citing the one passage that holds its figure, when it cites others.

    "… coûte 200 euros par personne [2]": the model numbered the wrong passage, and the
    reader who opens [2] finds no 200. When exactly one passage holds every figure the
    cited ones lack, it is cited: instead of a single marker that holds none of the
    sentence's figures, or next to several. Years are left out: too many passages hold them.
    """
    cited = [n for n in markers_in(sentence) if 1 <= n <= len(passages)]
    figures = {f for f in numbers_in(strip_markers(sentence)) if not YEAR.fullmatch(f)}
    held = [numbers_in(p, True) for p in passages]
    missing = {f for f in figures if not any(f in held[n - 1] for n in cited)}
    if not cited or not missing:
        return sentence
    holders = [n for n in range(1, len(passages) + 1) if missing <= held[n - 1]]
    if len(holders) != 1:
        return sentence
    # one wrong marker is replaced; of several, the others may stand for words, not figures
    keep = [n for n in cited if len(cited) > 1 or figures & held[n - 1]] + holders
    body = MARKER.sub("", sentence).rstrip()
    body = re.sub(r"\s+([.,;:!?])", r"\1", body)
    end = len(body.rstrip(".!?"))
    return body[:end].rstrip() + " " + "".join(f"[{n}]" for n in keep) + body[end:]


def check_answer(answer: str, passages: list[str]) -> CheckResult:
    """Markers must name given passages; numbers must occur in a cited passage.

    A number the user typed is no exception: "he says he is 16" came back as "the government
    changes the age assessment to 16 years", a claim no passage makes. When the answer cites
    nothing, we check against all passages but still report the missing citation.
    """
    result = CheckResult()
    for n in markers_in(answer):
        if 1 <= n <= len(passages):
            result.cited.append(n)
        else:
            result.problems.append(f"marker [{n}] points at no passage")
    if not result.cited:
        result.problems.append("no citation marker")
    allowed = set().union(*(numbers_in(passages[n - 1], words=True) for n in result.cited))
    for number in sorted(numbers_in(answer)):
        if number in allowed:
            continue
        # the model cited the wrong passage: cite the one that holds the number
        holder = next((n for n, p in enumerate(passages, 1) if number in numbers_in(p, True)),
                      None)
        if holder is None:
            result.problems.append(f"number {number} is in no passage")
            result.invented.append(number)
        else:
            result.cited.append(holder)
            allowed |= numbers_in(passages[holder - 1], True)
    if result.cited and "no citation marker" in result.problems:
        result.problems.remove("no citation marker")
    return result


ENUMERATION = re.compile(r"(?m)^(\s*)\d{1,2}[.)]\s+")
# a clause of 3+ words said again and again: "de beter globaal beheer van migratie, de beter …"
REPEAT = re.compile(r"(\b\w[^.!?\n]{10,}?)(?:\s*[,;]?\s*\1){2,}(?:\s*[,;]?\s*\S[^.!?\n]*)?")


def tidy_draft(draft: str) -> str:
    """A numbered list as bullets, and a looping clause or list line said once.

    The list numbers "1." "2." are not figures of the answer (checking them as figures sent
    whole list answers to the fallback), and greedy decoding of a 1.5B model sometimes
    loops on one clause until the token limit.
    """
    text = ENUMERATION.sub(r"\1- ", draft.strip())
    seen: set[str] = set()
    lines = []
    for line in text.split("\n"):  # a list line written again and again is said once
        key = strip_markers(line).strip(" -.").lower()
        if key and line.lstrip().startswith("- ") and key in seen:
            continue
        seen.add(key)
        lines.append(line)
    return REPEAT.sub(lambda m: m.group(1).rstrip(" ,;") + ".", "\n".join(lines))


def strip_markers(text: str) -> str:
    return re.sub(r"\s+([.,;:])", r"\1", MARKER.sub("", text)).strip()


YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
QUANTITY = re.compile(
    r"\b(how (?:many|much|long|old|high)|what (?:amount|percentage|share|number)|hoeveel|"
    r"hoe (?:lang|hoog|oud|groot)|welk(?:e)? (?:bedrag|percentage|aantal)|combien|"
    r"quel(?:le)? (?:montant|pourcentage|nombre|part|budget|salaire)|de combien|"
    # "Quel sera le montant …", "What was Fedasil's total budget …": the figure comes later
    r"(?:quel(?:le)?s?|what|wat|welke?)\b[^?]{0,30}?\b(?:montant|pourcentage|budget|salaire|"
    r"amount|percentage|total|bedrag))\b",
    re.IGNORECASE,
)
# "The budget was not specified in the given passages": a refusal in other words
NOT_STATED = re.compile(
    r"\b(?:not (?:specified|mentioned|stated|given|provided)|no (?:information|mention)|"
    r"do(?:es)? not (?:say|mention|specify|provide|contain)|"
    # "… does not include any specific countries"
    r"do(?:es)? not (?:include|list|name) any (?:specific|particular)|"
    r"(?:noemt|vermeldt|bevat) geen (?:specifieke|concrete)|"
    r"ne (?:cite|nomme|énumère)\w* aucun\w* (?:pays|nom|liste)|"
    r"niet (?:vermeld|gespecificeerd|gegeven|genoemd|vermeldt|vernoemd)|"
    r"geen (?:informatie|vermelding)|noemen? niet|"
    r"ne (?:mentionne|précise|dit|contient|donne|fournit|spécifie|indique)\w* pas|"
    r"pas (?:mentionné|précisé|spécifié|indiqué)|aucune (?:information|mention))",
    re.IGNORECASE,
)


def says_not_stated(draft: str) -> bool:
    """Every sentence of the draft says the passages do not give it."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", strip_markers(draft))
                 if len(s.split()) > 2]
    return bool(sentences) and all(NOT_STATED.search(s) for s in sentences)


def missing_years(question: str, evidence: list[str]) -> list[str]:
    """Years the question asks about that no evidence passage mentions (a near miss)."""
    seen = set(YEAR.findall(" ".join(evidence)))
    return [y for y in dict.fromkeys(YEAR.findall(question)) if y not in seen]


def asks_quantity(question: str) -> bool:
    return bool(QUANTITY.search(question))


MONEY_ASKED = re.compile(
    r"\b(?:euros?|montant|coûte?r?a?|prix|cost|price|amount|fee|salaire|salary|allocations?|"
    r"allowances?|benefits?)\b|€|"
    # Dutch compounds: "werkloosheidsuitkering", "inschrijvingskost"
    r"(?:bedrag|bedraagt|kost(?:en|t|prijs)?|budget|salaris|uitkering|leefloon|kinderbijslag|"
    r"toelage)\b",
    re.IGNORECASE,
)
PERCENT_ASKED = re.compile(
    r"\b(percentage|pourcentage|procent|pour ?cent|per ?cent|percent)\b|%", re.IGNORECASE
)
MONEY_NEAR = r"(?:€|eur\b|euros?\b|miljoen euro|millions? d.euros)"
PERCENT_NEAR = r"(?:%|procent|pour ?cent|per ?cent|percent)"


def _answer_figures(question: str, answer: str) -> set[str]:
    """The figures the answer adds: not echoed from the question, not years."""
    return {f for f in numbers_in(strip_markers(answer)) - numbers_in(question, True)
            if not YEAR.fullmatch(f)}


PERIODS = {
    "day": r"per dag|dagelijks\w*|par jour|journali\w*|per day|a day|daily",
    "month": r"per maand|maandelijks\w*|par mois|mensuel\w*|per month|a month|monthly",
    "year": r"per jaar|jaarlijks\w*|par an\b|annuel\w*|per year|a year|annual\w*|yearly",
}


def period_mismatch(question: str, answer: str, cited: list[str]) -> list[str]:
    """The answer's figures when the passages give each of them for another period.

    "Hoeveel bedraagt het leefloon per maand?" answered with "8,10 euro", which the passage
    writes as "tussen 8,10 euro en 19,97 euro per dag" (the cost of a reception place).
    """
    asked = [p for p, pattern in PERIODS.items() if re.search(pattern, question, re.I)]
    figures = _answer_figures(question, answer)
    if len(asked) != 1 or not figures:
        return []
    text = " ".join(cited)
    for figure in figures:
        for m in NUMBER.finditer(text):
            if normalise_number(m.group(0)) != figure:
                continue
            after = re.split(r"[.;!?](?:\s|$)", text[m.end():m.end() + 80])[0]
            said = [p for p, pattern in PERIODS.items() if re.search(pattern, after, re.I)]
            if not said or asked[0] in said:
                return []  # this figure is given for the asked period, or for none
    return sorted(figures)


def unit_mismatch(question: str, answer: str, cited: list[str]) -> list[str]:
    """The answer's figures when none of them is of the kind asked (money, a percentage).

    "How much is the monthly allowance?" answered with "4,7 %" or "56.500 people" is a
    near miss: the passages hold a figure, but not an amount. A figure passes when some
    cited passage writes it next to the asked unit.
    """
    wrong_period = period_mismatch(question, answer, cited)
    if wrong_period:
        return wrong_period
    if MONEY_ASKED.search(question) and asks_quantity(question):
        near = MONEY_NEAR
    elif PERCENT_ASKED.search(question):
        near = PERCENT_NEAR
    else:
        return []
    figures = _answer_figures(question, answer)
    text = " ".join(cited)
    unit = re.compile(rf"{near}\s*({NUMBER.pattern})|({NUMBER.pattern})\s*{near}", re.I)
    ok = {normalise_number(m.group(1) or m.group(2)) for m in unit.finditer(text)}
    # "180 euro for 2 adults" is an amount: one figure of the asked kind is enough
    return [] if not figures or figures & ok else sorted(figures)


def attribute(answer: str, passages: list[str], question: str = "") -> int | None:
    """The passage an uncited answer comes from: the one sharing its numbers and words.

    Words the answer repeats from the question count a tenth: "The next topic on the
    Interministerial Conference … agenda is Activering and arbeidsmigratie" comes from the
    passage holding "Activering", not from the one that names the conference most.
    """
    nums = numbers_in(answer, words=True)
    asked = {w[:6] for w in re.findall(r"\w{4,}", question.lower())}
    words = {w[:6] for w in re.findall(r"\w{4,}", answer.lower())}
    best, best_score = None, 0.0
    for n, text in enumerate(passages, 1):
        shared_nums = len(nums & numbers_in(text, words=True))
        shared = words & {w[:6] for w in re.findall(r"\w{4,}", text.lower())}
        score = 3 * shared_nums + len(shared - asked) + 0.1 * len(shared & asked)
        if score > best_score:
            best, best_score = n, score
    return best


def figure_for_years(answer: str, cited: list[str], years: list[str], question: str) -> bool:
    """Some figure of the answer stands in a cited sentence that names an asked year.

    "How many applications in 2024?" answered with a figure from a sentence about 2021 is a
    near miss: the documents hold a figure, just not for the year asked.
    """
    from chat.evidence import sentences

    figures = numbers_in(answer, words=True) - set(years) - numbers_in(question, True)
    if not figures:
        return False
    for text in cited:
        spans = sentences(text)
        for j, (start, end) in enumerate(spans):
            # "Van juli tot en met 14 oktober 2020 ... 208 verzoeken": the year may stand
            # in the sentence before the figure
            context = text[spans[j - 1][0] if j else start:end]
            if any(y in context for y in years) and figures & numbers_in(text[start:end], True):
                return True
    return False


# a capitalised word inside the question: "Brugge", "Fedasil", "MENA" (not its first word)
QUESTION_NAME = re.compile(r"(?<=[\w,;:'’)]\s)([A-ZÀ-Ý][\w’'-]{2,})")


def asked_names(question: str, known: set[str]) -> list[str]:
    """The names a question asks about, other than `known` ones (documents, authors)."""
    names = (re.sub(r"[’']s$", "", n) for n in QUESTION_NAME.findall(question))
    return [n for n in dict.fromkeys(names) if n.lower() not in known]


def figure_for_names(answer: str, cited: list[str], names: list[str], question: str) -> bool:
    """Some figure of the answer stands in a cited sentence that names what was asked.

    "How many places does the closed centre in Bruges have?" answered with the 583 places a
    passage gives for closed centres in general is a near miss: the figure is real, but not
    for the thing asked. The name may stand in the sentence before the figure.
    """
    from chat.evidence import sentences

    figures = numbers_in(strip_markers(answer), True) - numbers_in(question, True)
    stems = [re.compile(rf"\b{re.escape(n[:5].lower())}") for n in names]
    for text in cited:
        spans = sentences(text)
        for j, (start, end) in enumerate(spans):
            context = text[spans[j - 1][0] if j else start:end].lower()
            if figures & numbers_in(text[start:end], True) and \
                    all(s.search(context) for s in stems):
                return True
    return False


COUNT_ASKED = re.compile(r"\b(how many|hoeveel|combien)\b", re.IGNORECASE)


def share_for_count(question: str, answer: str) -> bool:
    """A count asked ("how many Ukrainians?") answered only with percentages.

    The small model then read a neighbouring passage about shares; its answer is wrong in
    kind even though each figure is in a passage.
    """
    if not COUNT_ASKED.search(question) or PERCENT_ASKED.search(question) or \
            MONEY_ASKED.search(question):
        return False
    figures = _answer_figures(question, answer)
    shares = {normalise_number(m.group(1)) for m in re.finditer(
        rf"({NUMBER.pattern})\s*{PERCENT_NEAR}", strip_markers(answer), re.IGNORECASE)}
    return bool(figures) and figures <= shares


# between the sentences and list lines of a draft; split with it, the gaps are kept
SENTENCE_GAP = re.compile(r"((?<=[.!?])[ \t]+|[ \t]*\n\s*)")
# a sentence or list line that was finished: it ends in punctuation, a closing quote or
# bracket, or a citation marker
FINISHED = re.compile(r"""(?:[.!?:;)\]”"»…]|\[\d+\])\s*$""")
LETTER = re.compile(r"[^\W\d_]")


def drop_unfinished(draft: str) -> str:
    """The draft without the sentence the token limit cut ("… We betre", a bare "3.").

    Called only when the model stopped for length: the reader should not see a fragment.
    A draft that is one unfinished sentence keeps its finished clauses and says "…" (the
    quote that follows shows the rest).
    """
    pieces = SENTENCE_GAP.split(ENUMERATION.sub(r"\1- ", draft.rstrip()))  # "3. " ends nothing
    if len(pieces) >= 3 and _unfinished(pieces[-1]):
        pieces = pieces[:-2]
        while len(pieces) >= 3 and not LETTER.search(pieces[-1]):  # a bare "-"
            pieces = pieces[:-2]
    text = "".join(pieces).rstrip()
    if len(pieces) == 1 and _unfinished(text):
        cut = max(text.rfind(", "), text.rfind("; "))
        if cut > 0.4 * len(text):
            return text[:cut] + " …"
    return text


def _unfinished(piece: str) -> bool:
    return not FINISHED.search(piece) or not LETTER.search(strip_markers(piece))


ECHO_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
YES_NO = re.compile(r"^\W*(?:ja|nee|neen|oui|non|yes|no)\b", re.IGNORECASE)


def _echo_words(text: str) -> set[str]:
    return {w.lower()[:6] for w in ECHO_WORD.findall(strip_markers(text))}


def drop_echoes(draft: str, sources: list[str]) -> str:
    """The draft without sentences that only repeat the question or the prompt's instruction.

    The 1.5B model sometimes starts by copying the question ("Le mémorandum … vont-ils dans
    le même sens … ?") or writes the instruction back ("first what X says, then what Y
    says"): words that look like an answer and say nothing. A sentence with a figure of its
    own or a yes/no is kept.
    """
    given = set().union(*(_echo_words(s) for s in sources)) if sources else set()
    given_numbers = set().union(*(numbers_in(s) for s in sources)) if sources else set()
    pieces = SENTENCE_GAP.split(draft)
    kept: list[str] = []
    for k in range(0, len(pieces), 2):
        sentence, gap = pieces[k], pieces[k + 1] if k + 1 < len(pieces) else ""
        words = _echo_words(sentence)
        echo = (len(words) >= 4 and words <= given and not YES_NO.match(sentence)
                and numbers_in(strip_markers(sentence)) <= given_numbers
                and not strip_markers(sentence).endswith(":"))  # "The three pillars are:"
        if not echo:
            kept.append(sentence + gap)
    out = "".join(kept).strip()
    return out if _echo_words(out) or numbers_in(strip_markers(out)) else ""


YES = re.compile(r"^\W*(?:ja|oui|yes)\b", re.IGNORECASE)
NEGATION = re.compile(r"\b(?:geen|géén|niet|nooit|ne|n['’]|pas|jamais|aucune?|not|no|never|"
                      r"cannot)\b|n['’]t\b", re.IGNORECASE)


def contradicts(answer: str, cited: list[str]) -> bool:
    """The answer says yes where the cited passage's matching sentence says no.

    "Krijgen zij nog opvang?" was answered "Ja, … krijgen nog opvang [1]" over a passage
    saying "Zij … krijgen géén opvang": the model took the question's words for the answer.
    A yes whose own sentence has no negation, against the passage sentence sharing most of
    its words, which has one, is not shown.
    """
    first = SENTENCE_GAP.split(answer.strip(), maxsplit=1)[0]
    if not YES.match(first) or NEGATION.search(first):
        return False
    words = _echo_words(first)
    best = max(((len(_echo_words(text[s:e]) & words), text[s:e]) for text in cited
                for s, e in sentences(text)), default=(0, ""))
    return best[0] >= 3 and bool(NEGATION.search(best[1]))


FOREIGN_WORD = re.compile(r"(?<![\w\[])([a-zà-ÿ][a-zà-ÿ'’-]{4,})(?!\w)")


def foreign_words(answer: str, lang: str, passages: list[tuple[str, str]],
                  confidence: Callable[[str, str], float]) -> list[str]:
    """Words the model copied from a passage in another language instead of translating.

    A 1.5B model answering in English from a Dutch passage leaves "familierechtbanken" or
    "opvangnetwerk" in place. A word counts when it occurs in a passage of another language
    (and in none of the answer's language, nor the question, which come in `passages` too),
    is not capitalised (names stay), and the detector is sure of that other language for
    the word on its own. `passages` holds (language, text); quotes are not looked at.
    """
    body = re.sub(r"“[^”]*”", " ", answer)
    by_language: dict[str, str] = {}
    for lg, text in passages:
        by_language[lg] = f"{by_language.get(lg, '')} {text.lower()}"
    own = by_language.pop(lang, "")
    found = []
    for word in dict.fromkeys(FOREIGN_WORD.findall(body)):
        if re.search(rf"\b{re.escape(word)}\b", own):
            continue
        for other, text in by_language.items():
            if (re.search(rf"\b{re.escape(word)}\b", text) and confidence(word, other) > 0.6
                    and confidence(word, lang) < 0.2):
                found.append(word)
                break
    return found


def same_substance(before: str, after: str) -> bool:
    """A rewrite kept the citation markers and figures, and about the length."""
    return (sorted(markers_in(after)) == sorted(markers_in(before))
            and numbers_in(after) == numbers_in(before)
            and 0.6 * len(before) <= len(after) <= 1.6 * len(before))


def faithful_translation(original: str, translation: str) -> bool:
    """A translation keeps every figure of the original, adds none, and is about as long.

    Markers and quotes are refused: the model was asked for the translation only.
    """
    if not translation or markers_in(translation) or "\n\n" in translation.strip():
        return False
    return (numbers_in(translation, words=True) == numbers_in(original, words=True)
            and 0.5 * len(original) <= len(translation) <= 1.8 * len(original))


def content_words(text: str) -> set[str]:
    """Words of four letters or more, lower-cased and cut to a stem-like prefix."""
    return {w[:6] for w in re.findall(r"\w{4,}", text.lower()) if not w.isdigit()}


def borrowed_from(answer: str, question: str, passages: list[str | None]) -> int | None:
    """The uncited passage an answer sentence takes its own words from, if any.

    "De openingsuren van Klein Kasteeltje zijn tussen acht uur 's morgens en zeven uur 's
    avonds [1]": [1] is about Klein Kasteeltje, the hours come from [3], on MPs' access to
    closed centres. Words the question already holds do not count; a sentence must add at
    least three, at most half of them in what it cites, nearly all in one other passage.
    Only meaningful when the answer and the passages share a language: a passage in
    another language is None, and a sentence citing one is not judged.
    """
    asked = content_words(question)
    held = [content_words(p or "") for p in passages]
    for sentence in SENTENCE_GAP.split(answer)[::2]:
        cited = [n for n in markers_in(sentence) if 1 <= n <= len(passages)]
        novel = content_words(strip_markers(sentence)) - asked
        if not cited or len(novel) < 3 or any(passages[n - 1] is None for n in cited):
            continue
        in_cited = len(novel & set().union(*(held[n - 1] for n in cited))) / len(novel)
        others = [(len(novel & held[n - 1]) / len(novel), n)
                  for n in range(1, len(passages) + 1) if n not in cited]
        if in_cited > 0.5 or not others:
            continue
        share, n = max(others)
        if share >= 0.8:
            return n
    return None
