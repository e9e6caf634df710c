"""Split a raw corpus file into language-pure, section-tagged chunks with exact raw offsets.

Layout of the PDF text this is built for (see the corpus): wrapped lines end with a space,
paragraphs are separated by blank lines, a new page starts with a line indented by a single
space, and bilingual documents put a Dutch and a French column one after the other, so a
sentence cut by a page break continues after the other language's column. Hence:

- a blank line is only a *candidate* paragraph break: a block that does not end with sentence
  punctuation followed by a block starting in lowercase is one paragraph ("afgelopen jaren
  \\n\\nvaak in het oog"); a page start is no break by itself: body text after a block that
  does not end a sentence goes on with it;
- the parts of such a paragraph get their own language, and a paragraph is cut where the
  language changes ("dit netwerk wordt \\n manière structurelle": Dutch, then French);
  undetectable (short) text inherits the previous language, and a language with under
  MIN_LANGUAGE_SHARE of a document is taken for a misdetection (English titles in Dutch
  footnotes);
- headings are recognised per block or as the first line(s) of a block, and set the section of
  the following text in their language only (bilingual files alternate languages);
- letter-spaced running headers, "DOC 55 1610/064" page footers and URL-only blocks are left
  out;
- a sentence cut by the other language's column is put back together: when a same-language
  run does not end a sentence and the next run of that language starts in lowercase, with only
  runs of other languages between them (no heading in its language; running headers are page
  furniture and do not count), the two runs are one unit ("dit netwerk wordt" +
  "teruggebracht tot een adequaat aantal"), so a chunk may be made of several raw spans;
- a signature (a name line followed by a function line, or a name line after a line ending
  with a comma: "De minister van Asiel en Migratie,\\n\\nAnneleen Van Bossuyt") is body text.

`Chunk.section` is the heading path, outer to inner, joined with " > " and at most MAX_DEPTH
deep (for example "1. Krachtlijn 1: Respect voor internationaal recht en verdragen > Beleid"):
the last element is the nearest heading above, the others the part or chapter it belongs to.
`chunk.spans` are the raw spans of its parts, ordered and disjoint, each starting and ending on
a non-space character; `chunk.text` is the repair of each span, joined by one space, and
`chunk.offsets` maps every text position into its span (the joining space maps to the raw
character just after the previous span). So `chunk.offsets.original(0) == chunk.start`
(the first span's start) and `chunk.offsets.original(len(chunk.text)) == chunk.end` (the last
span's end). Spans of different chunks never overlap, but a chunk's spans may enclose chunks
of another language.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from ingest.repair import OffsetMap, repair

Detect = Callable[[str], str | None]
LANGUAGES = ("nl", "fr", "en")
SECTION_SEPARATOR = " > "
MIN_DETECT_LETTERS = 30  # shorter text inherits the previous language (lingua guesses there)
MAX_HEADING_LINES = 3
BLANK, PAGE = "blank", "page"  # what separates two blocks
MAX_DEPTH = 3  # section paths keep the innermost headings
MIN_LANGUAGE_SHARE = 0.10  # a language below this share of a document is a misdetection

_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_CLOSED = re.compile(r"[.!?…;][\"'”’»)\]]*$")  # not ":" which announces a list, not a heading
_PAGE_START = re.compile(r" \S|\f")  # the extractor starts a page with one space
_BULLET = re.compile(r"\s*[•—–·▪*-]\s")
_URL_ONLY = re.compile(r"\s*(?:(?:https?://|www\.)\S+\s*)+$")
_DOC_FOOTER = re.compile(r"\s*\d+/\d+\s*DOC\s*\d+\s*$")  # "1610/064DOC 5518" (DOC 55 1610/064)
_LETTER_ENUM = re.compile(r"[a-h][.)]\s")
_ROMAN_ENUM = re.compile(r"[IVXLC]{1,5}\.(?:\s*[—–-])?\s+")
_NUMBER_ENUM = re.compile(r"(\d{1,2})\.((?:\d{1,2}\.?)*)\s+")
_PART_WORD = re.compile(
    r"(?i)(partie|deel|part|hoofdstuk|chapitre|chapter|titre|titel|annexe|bijlage)\b"
)
_LINE_WORD = re.compile(r"(?i)(krachtlijn|ligne de force|axe)\b")
_NUMERIC_END = re.compile(r"[\d.,%/–-]+$")
_NAME_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_NAME_PARTICLES = frozenset({"van", "de", "der", "den", "du", "des", "le", "la", "von", "ter"})
_FUNCTION = re.compile(  # the function under a signature
    r"(?i)(directeur|directrice|director|voorzitter|président|présidente|president|"
    r"coördinator|coordinator|coordinat(?:eur|rice)|secretaris|secrétaire|secretary|minister|"
    r"ministre|staatssecretaris|woordvoerder|porte-parole|spokesperson|gedelegeerd|"
    r"algemeen directeur|administrat(?:eur|rice)|ceo|chair)\b"
)
_INNER_SENTENCE = re.compile(r"[.!?]\s+\S")
_ABBREVIATIONS = frozenset({  # a period after these does not end a sentence
    "bv", "bijv", "o.a", "e.a", "nr", "nrs", "art", "p", "pp", "blz", "cf", "vs", "dhr",
    "mevr", "mr", "dr", "prof", "st", "zgn", "m.a.w", "i.e", "e.g", "ca", "resp", "jr", "min",
    "max", "cfr", "al",
})
_END_STOPWORDS = frozenset({  # a heading does not end on these
    "de", "het", "een", "van", "en", "of", "in", "op", "te", "voor", "met", "aan", "door",
    "bij", "om", "tot", "naar", "uit", "over", "als", "dat", "die", "is", "zijn", "er", "le",
    "la", "les", "un", "une", "des", "du", "et", "ou", "à", "au", "aux", "pour", "par", "sur",
    "dans", "avec", "que", "qui", "est", "son", "sa", "ses", "the", "a", "an", "and",
    "or", "to", "on", "for", "with", "by", "at", "from", "that", "haar", "hun", "ons", "onze",
    "mijn", "uw", "dit", "deze", "tussen", "zonder", "tegen", "onder", "maar", "leur", "leurs",
    "notre", "nos", "votre", "vos", "ce", "cette", "ces", "cet", "entre", "sans", "vers", "chez",
    "mais", "its", "their", "our", "this", "these", "his", "her", "but",
})


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: its source is the concatenation of `raw[s:e]` for `(s, e)` in
    `spans`, and `text` is their repairs joined by one space. Usually one span, so
    `raw[start:end]` is the source; a sentence cut by the other language's column gives
    several, and then `raw[start:end]` also holds that other text, which is not in the chunk.
    """

    doc: str
    language: str
    section: str
    start: int  # raw start of the first span
    end: int  # raw end of the last span
    text: str
    offsets: OffsetMap = field(compare=False, repr=False)
    spans: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if not self.spans:
            object.__setattr__(self, "spans", ((self.start, self.end),))


def repair_spans(raw: str, spans: Sequence[tuple[int, int]]) -> tuple[str, OffsetMap]:
    """The repaired text of raw spans joined by one space, and its map back into `raw`.

    The joining space maps to the raw position just after the previous span (where
    `original(len(part))` already points), the next part to its own raw positions.
    """
    texts: list[str] = []
    breaks: list[tuple[int, int]] = []
    size = 0
    for start, end in spans:
        text, offsets = repair(raw[start:end], start)
        if not text:
            continue
        if texts:
            size += 1  # the joining space
        breaks.extend((t + size, r) for t, r in offsets.breakpoints)
        texts.append(text)
        size += len(text)
    if not breaks:
        breaks = [(0, spans[0][0] if spans else 0)]
    joined = " ".join(texts)
    return joined, OffsetMap(_merge_breaks(breaks), len(joined))


def _merge_breaks(breaks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop breakpoints that continue the previous one linearly (a map has no redundant ones)."""
    out = [breaks[0]]
    for t, r in breaks[1:]:
        if r - t != out[-1][1] - out[-1][0]:
            out.append((t, r))
    return out


# --- headings --------------------------------------------------------------------------------


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def _letter_spaced(text: str) -> bool:
    """Running headers like "C H A M B R E   3 e  S E S S I O N": mostly one-letter tokens."""
    tokens = text.split()
    return len(tokens) >= 6 and sum(len(t) == 1 for t in tokens) >= 0.6 * len(tokens)


def _enumerator(text: str) -> re.Match[str] | None:
    return _ROMAN_ENUM.match(text) or _NUMBER_ENUM.match(text) or _LETTER_ENUM.match(text)


def is_heading(text: str) -> bool:
    """Short, unpunctuated, and numbered / a part keyword / ALL CAPS / title-like.

    Tuned to reject what looks similar in this corpus: table rows ("2. Syrie/Syrië 1 116"),
    footnotes, bullets, URLs, letter-spaced running headers, a sentence cut by a column
    break ("Samen met de minister van"), and numbered sentences ("10. Onderstreep ... (Europees)").
    """
    t = " ".join(text.split())
    if not t or len(t) > 160 or not any(c.isalpha() for c in t):
        return False
    if _BULLET.match(t) or "://" in t or "www." in t or "@" in t or _letter_spaced(t):
        return False
    if t[-1] in ".,;:-&" or (t[-1] == "?" and len(t.split()) > 6 and not _is_caps(t)):
        return False
    enum = _enumerator(t)
    rest = t[enum.end() :] if enum else t
    words = rest.split()
    if not words or not any(len(w) >= 3 and w[:3].isalpha() for w in words):
        return False
    if _INNER_SENTENCE.search(rest) or (_NUMERIC_END.search(words[-1]) and not _is_caps(t)):
        return False
    caps = _is_caps(rest)
    if not caps and words[-1].lower() in _END_STOPWORDS:
        return False
    first = rest.lstrip("“‘\"'(")[:1]
    if first.islower() and not (enum and _LETTER_ENUM.match(t)):
        return False
    if enum or caps or _PART_WORD.match(rest) or _LINE_WORD.match(rest):
        return len(words) <= 20
    return first.isupper() and len(words) <= 10 and "," not in rest


def heading_level(text: str) -> int:
    """Nesting rank, 0 = outermost: parts, lines of force, 1. / 1.1 / 1.1.1, a), the rest.

    Unnumbered headings share one level: ALL CAPS is not used consistently enough in the
    corpus to rank boxes ("WAT KAN U DOEN?") against subheadings ("Discriminatie").
    """
    t = " ".join(text.split())
    if _ROMAN_ENUM.match(t) or _PART_WORD.match(t):
        return 0
    number = _NUMBER_ENUM.match(t)
    rest = t[number.end() :] if number else t
    if _LINE_WORD.match(rest):
        return 1
    if number:
        return 2 + len([p for p in number.group(2).split(".") if p])
    return 5 if _LETTER_ENUM.match(t) else 6


# --- layout: lines -> blocks -> paragraphs ---------------------------------------------------


@dataclass
class _Line:
    start: int
    end: int  # excluding the newline
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def wrapped(self) -> bool:
        """Ends with whitespace: the extractor's mark of a line that continues."""
        return self.text != self.text.rstrip()


@dataclass
class _Part:
    """A run of lines of one kind, and what separates it from the previous part."""

    kind: str  # "body" | "heading" | "junk"
    lines: list[_Line]
    boundary: str  # BLANK, PAGE, or "" (a bullet, or a heading split off inside a block)

    @property
    def text(self) -> str:
        return " ".join(" ".join(ln.text.split()) for ln in self.lines)


class _Spanned:
    """Something made of ordered raw spans: it starts with the first and ends with the last."""

    spans: list[tuple[int, int]]

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


@dataclass
class _Para(_Spanned):
    """A paragraph (or heading) as raw spans of its parts, trimmed of outer whitespace."""

    kind: str
    spans: list[tuple[int, int]]


def _lines(raw: str) -> list[_Line]:
    out, pos = [], 0
    for text in raw.split("\n"):
        out.append(_Line(pos, pos + len(text), text))
        pos += len(text) + 1
    return out


def _blocks(lines: list[_Line]) -> Iterator[tuple[list[_Line], str]]:
    """Runs of non-blank lines; a page start or bullet also opens one. Yields (lines, boundary)."""
    block: list[_Line] = []
    boundary = ""
    for line in lines:
        if line.blank:
            if block:
                yield block, boundary
                block = []
            boundary = BLANK
            continue
        page = bool(_PAGE_START.match(line.text))
        if block and (page or _BULLET.match(line.text)):
            yield block, boundary
            block, boundary = [], ""
        if not block and page:
            boundary = PAGE
        block.append(line)
    if block:
        yield block, boundary


def _starts_lower(line: _Line) -> bool:
    first = line.text.lstrip()[:1]
    return first.islower() and not _LETTER_ENUM.match(line.text.lstrip())


def _looks_cut(line: _Line, width: float) -> bool:
    """A wrapped line about as wide as the text column: a sentence goes on after it."""
    return line.wrapped and len(line.text.rstrip()) >= 0.75 * width


def _heading_end(block: list[_Line], i: int, width: float) -> int | None:
    """End (exclusive) of a heading starting at line i of the block, or None."""
    width = min(width, max(len(ln.text.rstrip()) for ln in block)) if len(block) > 1 else width
    best = None
    for j in range(i + 1, min(len(block), i + MAX_HEADING_LINES) + 1):
        if j > i + 1:
            prev, line = block[j - 2], block[j - 1]
            continues = _starts_lower(line) or prev.text.rstrip().endswith("-")
            caps = _is_caps(prev.text) and _is_caps(line.text) and heading_level(line.text) >= 6
            if not (continues or caps):
                break
        text = " ".join(" ".join(ln.text.split()) for ln in block[i:j])
        if not is_heading(text):
            continue
        if j < len(block) and _starts_lower(block[j]):
            continue
        if _looks_cut(block[j - 1], width) and not _is_caps(text):
            continue
        best = j
    return best


def _is_name(text: str) -> bool:
    """A person's name: "Charlotte Vandycke", "Anneleen Van Bossuyt", "Nicole de MOOR"."""
    words = text.split()
    if not 2 <= len(words) <= 4 or _PART_WORD.match(text) or _LINE_WORD.match(text):
        return False
    if not all(_NAME_WORD.fullmatch(w) for w in words) or _is_caps(text):
        return False
    return words[0][0].isupper() and words[-1][0].isupper() and all(
        w[0].isupper() or w in _NAME_PARTICLES for w in words
    )


def _signature(block: list[_Line], previous: str) -> bool:
    """A name line closing a text: followed by a function line ("Directeur Vluchtelingenwerk
    Vlaanderen"), or alone after a function ending in a comma ("De minister van Asiel en
    Migratie,"). Body text, not a heading: it says who signed."""
    if not _is_name(block[0].text):
        return False
    if len(block) == 1:
        return previous.rstrip().endswith(",")
    return len(block) == 2 and bool(_FUNCTION.match(block[1].text.strip()))


def _split_block(block: list[_Line], boundary: str, width: float, previous: str = ""
                 ) -> list[_Part]:
    """Body, heading and junk parts of one block (headings may open or sit inside it);
    `previous` is the text of the part before it."""
    if all(_URL_ONLY.match(ln.text) or _DOC_FOOTER.match(ln.text) or _letter_spaced(ln.text)
           for ln in block):
        return [_Part("junk", block, boundary)]
    if _signature(block, previous):
        return [_Part("body", block, boundary)]
    headings: list[tuple[int, int]] = []  # line ranges within the block
    i = 0
    while i < len(block):
        after_sentence = i == 0 or bool(_CLOSED.search(block[i - 1].text.rstrip()))
        after_heading = bool(headings) and headings[-1][1] == i
        end = _heading_end(block, i, width) if after_sentence or after_heading else None
        if end is None:
            i += 1
            continue
        headings.append((i, end))
        i = end
    parts: list[_Part] = []
    body_from = 0
    for start, end in _demote_lists(block, headings):
        if body_from < start:
            parts.append(_Part("body", block[body_from:start], boundary if body_from == 0 else ""))
        parts.append(_Part("heading", block[start:end], boundary if start == 0 else ""))
        body_from = end
    if body_from < len(block):
        parts.append(_Part("body", block[body_from:], boundary if body_from == 0 else ""))
    return parts


def _demote_lists(block: list[_Line], headings: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Three or more plain headings in a row are a list ("CGVS: ...", "CLB: ..."): keep one."""

    def plain(span: tuple[int, int]) -> bool:
        return heading_level(" ".join(ln.text for ln in block[span[0] : span[1]])) >= 6

    kept: list[tuple[int, int]] = []
    k = 0
    while k < len(headings):
        m = k + 1
        while (m < len(headings) and plain(headings[k]) and plain(headings[m])
               and headings[m][0] == headings[m - 1][1]):
            m += 1
        run = headings[k:m]
        kept.extend(run[:1] if len(run) >= 3 else run)
        k = m
    return kept


def _trimmed_span(raw: str, part: _Part) -> tuple[int, int]:
    start, end = part.lines[0].start, part.lines[-1].end
    start += len(raw[start:end]) - len(raw[start:end].lstrip())
    end -= len(raw[start:end]) - len(raw[start:end].rstrip())
    return start, end


def _continues(prev: _Para, prev_text: str, part: _Part) -> bool:
    """Whether `part` goes on with the previous paragraph: a spurious break.

    Only when the previous part does not end a sentence, and
    - after a blank line, the next part starts in lowercase ("jaren \\n\\nvaak in het oog");
    - after a page start, the next part is body text too, or starts in lowercase: a page
      start alone is no paragraph break. (In bilingual files the language split undoes the
      joins of "dit netwerk wordt \\n manière structurelle".)
    """
    if "junk" in (prev.kind, part.kind) or _SENTENCE_END.search(prev_text):
        return False
    lower = _starts_lower(part.lines[0])
    if part.boundary == BLANK:
        return lower
    if part.boundary == PAGE:
        return lower or (prev.kind == part.kind == "body")
    return False


def _column_width(lines: list[_Line]) -> float:
    """Typical width of a full text line (90th percentile), to tell cut sentences apart."""
    widths = sorted(len(ln.text.rstrip()) for ln in lines if not ln.blank)
    return float(widths[int(0.9 * (len(widths) - 1))]) if widths else 0.0


def _layout(raw: str) -> list[_Para]:
    paras: list[_Para] = []
    last_text = ""
    lines = _lines(raw)
    width = _column_width(lines)
    for block, boundary in _blocks(lines):
        for part in _split_block(block, boundary, width, last_text):
            span = _trimmed_span(raw, part)
            if paras and _continues(paras[-1], last_text, part):
                paras[-1].kind = "body"  # a "heading" continued in lowercase was a sentence
                paras[-1].spans.append(span)
            else:
                paras.append(_Para(part.kind, [span]))
            last_text = part.text
    return paras


def split_paragraphs(raw: str) -> list[tuple[int, int]]:
    """Raw spans (trimmed) of paragraphs and headings, in order; running headers are left out."""
    return [(p.start, p.end) for p in _layout(raw) if p.kind != "junk"]


# --- language and sections -------------------------------------------------------------------


@dataclass
class _Unit(_Spanned):
    """A same-language run of a paragraph (or several, when a sentence goes on after the other
    language's column): the atom chunks are packed from."""

    spans: list[tuple[int, int]]
    language: str
    section: str = ""
    joinable: bool = True  # False when a heading or running header separates it from the last
    size: int = 0
    bridge: bool = True  # False when the raw text before it is the rest of a joined unit's gap


def _detectable(text: str) -> bool:
    return sum(c.isalpha() for c in text) >= MIN_DETECT_LETTERS and not _letter_spaced(text)


class _Languages:
    """Cached detection; None for text too short (or too odd) to tell, which then inherits."""

    def __init__(self, detect: Detect) -> None:
        self._detect = detect
        self._cache: dict[str, str | None] = {}

    def guess(self, text: str) -> str | None:
        if not _detectable(text):
            return None
        if text not in self._cache:
            found = self._detect(text)
            self._cache[text] = found if found in LANGUAGES else None
        return self._cache[text]


def _language_runs(
    raw: str, para: _Para, langs: _Languages, previous: str | None
) -> list[tuple[int, int, str | None]]:
    """Cut a paragraph where the language of its parts changes."""
    runs: list[tuple[int, int, str | None]] = []
    for start, end in para.spans:
        lang = langs.guess(repair(raw[start:end])[0]) or (runs[-1][2] if runs else previous)
        if runs and runs[-1][2] == lang:
            runs[-1] = (runs[-1][0], end, lang)
        else:
            runs.append((start, end, lang))
    return runs


def _fill_languages(runs: list[tuple[int, int, str | None]], raw: str, langs: _Languages
                    ) -> list[str]:
    """Leading undetectable runs take the first detected language (or the document's)."""
    found = [lang for _, _, lang in runs]
    if not found:
        return []
    first = next((lang for lang in found if lang), None)
    if first is None:
        first = langs.guess(repair(raw)[0]) or "en"
    out, current = [], first
    for lang in found:
        current = lang or current
        out.append(current)
    return out


def _suppress_minor_languages(runs: list[tuple[int, int, str | None]], languages: list[str]
                              ) -> set[str]:
    """Relabel runs of a language with under MIN_LANGUAGE_SHARE of the text; return the rest.

    In the Dutch manifesto (003) the only "English" paragraphs are footnotes citing English
    titles: they belong to the Dutch document and should be found by Dutch questions.
    """
    weight: Counter[str] = Counter()
    for (start, end, _), lang in zip(runs, languages, strict=True):
        weight[lang] += end - start
    total = sum(weight.values())
    kept = {lang for lang, n in weight.items() if n >= MIN_LANGUAGE_SHARE * total}
    current = weight.most_common(1)[0][0] if weight else None
    for k, lang in enumerate(languages):
        if lang in kept:
            current = lang
        elif current is not None:
            languages[k] = current
    return kept


def _heading_language(text: str, following: str | None, langs: _Languages,
                      doc_langs: set[str]) -> str | None:
    """A heading belongs to the text after it, unless it is long enough to tell by itself."""
    own = langs.guess(text) if len(text.split()) >= 5 else None
    return own if own in doc_langs else following


# --- chunk packing ---------------------------------------------------------------------------


_SENTENCE_BREAK = re.compile(
    r"(?<=[.!?…;])[\"'”’»)\]]* (?=[\"'“‘«(]?[A-ZÀ-Þ0-9—•–])|(?P<bullet> )(?=[—•] )"
)


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a repaired text; abbreviations and initials do not end sentences."""
    spans, start = [], 0
    for m in _SENTENCE_BREAK.finditer(text):
        if m.group("bullet") is not None:
            space = m.start()
        else:
            space = m.end() - 1
            word = text[start : m.start()].rsplit(" ", 1)[-1].rstrip(".!?…;").lower()
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        if space > start:
            spans.append((start, space))
            start = space + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _hard_cuts(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """An over-long sentence cut after ; or : , then after a comma, then at a space."""
    spans = []
    while end - start > max_chars:
        window = text[start : start + max_chars + 1]
        half = max_chars // 2
        cut = -1
        for pattern in (r"[;:] ", r", ", r" "):
            hits = [m.end() - 1 for m in re.finditer(pattern, window) if m.end() - 1 >= half]
            if hits:
                cut = hits[-1]
                break
        if cut <= 0:
            nxt = text.find(" ", start + max_chars)
            if nxt < 0 or nxt >= end:
                break  # one unsplittable token
            cut = nxt - start
        spans.append((start, start + cut))
        start += cut + 1
    spans.append((start, end))
    return spans


def _pack(lengths: list[int], max_chars: int, min_chars: int) -> list[list[int]]:
    """Group consecutive items into balanced groups of at most max_chars (joined by spaces)."""
    total = sum(lengths) + len(lengths) - 1
    target = total / max(1, -(-total // max_chars))
    groups: list[list[int]] = []
    size = 0
    for i, n in enumerate(lengths):
        grown = size + 1 + n
        if groups and grown <= max_chars and (size < min_chars or abs(grown - target)
                                               <= abs(size - target)):
            groups[-1].append(i)
            size = grown
        else:
            groups.append([i])
            size = n
    return groups


def _split_unit(raw: str, unit: _Unit, max_chars: int, min_chars: int) -> list[_Unit]:
    """A paragraph longer than max_chars, cut at sentence boundaries with exact raw offsets.

    A piece of a joined unit keeps a raw span per part it overlaps; a piece that starts in a
    later part than the previous piece ended in is not bridged to it (the gap is other text).
    """
    text, offsets = repair_spans(raw, unit.spans)
    if len(text) <= max_chars:
        return [unit]
    bounds = []  # text range of each part
    pos = 0
    for start, end in unit.spans:
        n = len(repair(raw[start:end])[0])
        if n:
            bounds.append((pos, pos + n))
            pos += n + 1
    sentences = [
        piece
        for s, e in _sentence_spans(text)
        for piece in (_hard_cuts(text, s, e, max_chars) if e - s > max_chars else [(s, e)])
    ]
    groups = _pack([e - s for s, e in sentences], max_chars, min_chars)
    out = []
    last_part = 0
    for k, group in enumerate(groups):
        s, e = sentences[group[0]][0], sentences[group[-1]][1]
        parts = [i for i, (ps, pe) in enumerate(bounds) if ps < e and s < pe]
        spans = [offsets.original_span(max(s, bounds[i][0]), min(e, bounds[i][1]))
                 for i in parts]
        out.append(_Unit(spans, unit.language, unit.section,
                         unit.joinable if k == 0 else True, e - s,
                         unit.bridge if k == 0 else parts[0] == last_part))
        last_part = parts[-1]
    return out


def _compatible(a: list[_Unit], b: list[_Unit], after: dict[int, int]) -> bool:
    """Same language and section, nothing but white space between them (no heading, running
    header or other unit, `after` maps a unit span's end to the start of the next span), or
    `b` the next piece of a joined unit cut by _split_unit."""
    first, last = b[0], a[-1]
    adjacent = after.get(last.end) == first.start or not first.bridge
    return (first.joinable and adjacent and last.language == first.language
            and last.section == first.section)


def _group_size(group: list[_Unit]) -> int:
    return sum(u.size for u in group) + len(group) - 1


def _reading_order(units: list[_Unit]) -> list[_Unit]:
    """Units (sorted by start) in that order, except that a joined unit is followed by the
    units of its language after its last part (the rest of the page it ends on), so it can be
    packed with them as well as with those before it; the units in its gap come next."""
    starts = [u.start for u in units]
    order: list[_Unit] = []
    done: set[int] = set()

    def emit(i: int) -> None:
        unit = units[i]
        order.append(unit)
        done.add(i)
        if len(unit.spans) == 1:
            return
        j = bisect_right(starts, unit.end)
        while (j < len(units) and j not in done and units[j].language == unit.language
               and units[j].joinable):
            emit(j)
            j += 1

    for i in range(len(units)):
        if i not in done:
            emit(i)
    return order


def _group_units(units: list[_Unit], max_chars: int, min_chars: int) -> list[list[_Unit]]:
    """Greedy packing, then tiny groups merged into a compatible neighbour."""
    spans = sorted(span for unit in units for span in unit.spans)
    after = {a[1]: b[0] for a, b in zip(spans, spans[1:], strict=False)}
    groups: list[list[_Unit]] = []
    for unit in units:
        if groups and _compatible(groups[-1], [unit], after) and (
            _group_size(groups[-1]) + 1 + unit.size <= max_chars
        ):
            groups[-1].append(unit)
        else:
            groups.append([unit])
    limit = max_chars + min_chars // 2
    i = 0
    while i < len(groups):
        group = groups[i]
        options = []
        if _group_size(group) < min_chars:
            if i > 0 and _compatible(groups[i - 1], group, after):
                options.append((_group_size(groups[i - 1]) + 1 + _group_size(group), i - 1))
            if i + 1 < len(groups) and _compatible(group, groups[i + 1], after):
                options.append((_group_size(group) + 1 + _group_size(groups[i + 1]), i))
        options = [o for o in options if o[0] <= limit]
        if not options:
            i += 1
            continue
        _, left = min(options)
        groups[left : left + 2] = [groups[left] + groups[left + 1]]
        i = left  # the merged group may still be tiny
    return groups


# --- the document ----------------------------------------------------------------------------


def _units(raw: str, paras: list[_Para], langs: _Languages) -> list[_Unit]:
    """Body runs with their language and section path (one heading stack per language)."""
    runs: list[tuple[int, int, str | None]] = []
    owner: list[int] = []  # index of the paragraph each run comes from
    previous: str | None = None
    for k, para in enumerate(paras):
        if para.kind != "body":
            continue
        for run in _language_runs(raw, para, langs, previous):
            runs.append(run)
            owner.append(k)
            previous = run[2] or previous
    languages = _fill_languages(runs, raw, langs)
    doc_langs = _suppress_minor_languages(runs, languages)

    stacks: dict[str, list[tuple[int, str]]] = {}
    pending: list[str] = []
    units: list[_Unit] = []
    open_sentence: dict[str, int] = {}  # language -> its last unit, if that ends mid-sentence
    r = 0
    separated = True
    for k, para in enumerate(paras):
        if para.kind != "body":
            if para.kind == "heading":
                pending.append(repair(raw[para.start : para.end])[0])
            separated = True  # (a running header leaves open sentences open: page furniture)
            continue
        while r < len(runs) and owner[r] == k:
            start, end, _ = runs[r]
            lang = languages[r]
            for heading in pending:
                target = _heading_language(heading, lang, langs, doc_langs) or lang
                open_sentence.pop(target, None)  # a new section in that language
                stack = stacks.setdefault(target, [])
                level = heading_level(heading)
                while stack and stack[-1][0] >= level:
                    stack.pop()
                stack.append((level, heading))
            pending = []
            section = SECTION_SEPARATOR.join(h for _, h in stacks.get(lang, [])[-MAX_DEPTH:])
            text = repair(raw[start:end])[0]
            before = units[open_sentence[lang]] if lang in open_sentence else None
            joined = (before is not None and units[-1].language != lang
                      and before.section == section and _goes_on(text))
            if joined:  # the other language's column cut this sentence: put it back together
                before.spans.append((start, end))
                before.size += 1 + len(text)
                separated = True  # the units in between must not bridge over this part
            else:
                units.append(_Unit([(start, end)], lang, section, not separated, len(text)))
                separated = False
            if _SENTENCE_END.search(text):
                open_sentence.pop(lang, None)
            elif not joined:
                open_sentence[lang] = len(units) - 1
            r += 1
    return units


def _goes_on(text: str) -> bool:
    """Starts in lowercase, so it continues a sentence (not an enumeration "a) ...")."""
    return text[:1].islower() and not _LETTER_ENUM.match(text)


def chunk_document(
    doc: str,
    raw: str,
    detect: Detect,
    max_chars: int = 900,
    min_chars: int = 200,
) -> list[Chunk]:
    """Language-pure chunks of at most about max_chars, each tied to exact raw spans (one,
    or more for a sentence cut by the other language's column).

    Chunks never mix languages or sections and never contain a heading. A paragraph longer
    than max_chars is cut at sentence boundaries (an over-long sentence at clauses or words);
    chunks under min_chars are merged into a neighbour of the same language and section when
    the result stays within max_chars + min_chars // 2.
    """
    if not raw.strip():
        raise ValueError(f"Document {doc!r} is empty or whitespace-only: nothing to chunk.")
    if max_chars < 1 or not 0 <= min_chars <= max_chars:
        raise ValueError(f"Need 0 <= min_chars <= max_chars, got {min_chars} and {max_chars}.")
    langs = _Languages(detect)
    units = [
        piece
        for unit in _reading_order(_units(raw, _layout(raw), langs))
        for piece in _split_unit(raw, unit, max_chars, min_chars)
    ]
    chunks = []
    for group in _group_units(units, max_chars, min_chars):
        spans: list[tuple[int, int]] = []
        for unit in group:  # bridge what lies between units, not the gap of a joined unit
            if spans and unit.bridge:
                spans[-1] = (spans[-1][0], unit.spans[0][1])
                spans.extend(unit.spans[1:])
            else:
                spans.extend(unit.spans)
        text, offsets = repair_spans(raw, spans)
        if text:
            chunks.append(Chunk(doc, group[0].language, group[0].section, spans[0][0],
                                spans[-1][1], text, offsets, tuple(spans)))
    return sorted(chunks, key=lambda c: c.start)
