"""Repair PDF-extracted text into running text, keeping a map back to the raw file.

Citations must point into the original file, so every repair step records where each kept
character came from. The map is stored as breakpoints: between two breakpoints one text
character is one raw character, which keeps it small enough for chunk metadata.

Rules (why each one, measured on the corpus):
- Any whitespace run (line breaks, blank lines, U+00A0, tabs, other Unicode spaces) becomes a
  single space; the result is stripped. Zero-width characters and soft hyphens are dropped.
- End-of-line hyphen (a hyphen directly after a non-space character, then a line break). The
  extractor writes a space after every wrapped word, so a hyphen *glued* to the break was put
  there by hyphenation, and a hyphen *followed by a space* ended a word:
  * glued, after a letter, and the next line starts in lowercase: hyphen and break are
    dropped ("éco-\\nnomiquement" -> "économiquement", "bepal-\\nen welke" -> "bepalen welke"),
    except after an acronym ("EU-\\nlidstaten" -> "EU-lidstaten") and for a suspended hyphen
    written without the space, recognised as a conjunction followed by a long compound
    ("asiel-\\nen migratiebeleid" -> "asiel- en migratiebeleid");
  * spaced ("asiel- \\nen"): before a conjunction a suspended hyphen ("asiel- en"); otherwise a
    compound or URL was cut, joined without space ("-moet- \\narmoede" -> "-moet-armoede");
  * before an uppercase letter or digit, or after a non-letter: a real hyphen, kept
    ("West-\\nEuropa", "2009-\\n2025", "LGBTQIA+-\\nbewoners").
- A footnote reference the PDF glued to a word is dropped ("op te sluiten.46 Ze" ->
  "op te sluiten. Ze", "werken39 bij" -> "werken bij"): the model read "46" as the figure
  of the sentence. Only after a word of lower-case letters, and after a full stop only when
  no lower-case word follows ("art.3 de la loi" keeps its 3); 76 in the memorandum, none in
  the other documents.
- The map: a kept character maps to its own raw position; a space made by a join maps to the
  first raw whitespace character it replaces; `original(len(text))` is just after the last
  kept character (trailing whitespace is not part of the span).
"""

from __future__ import annotations

import re

from store.offsets import OffsetMap

_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"  # soft hyphen, zero-width characters
# A hyphen (or soft hyphen) after a non-space character, optional spaces, then a line break
# and any further whitespace (indentation, page-start space, a spurious blank line); invisible
# characters with the whitespace around them; any other whitespace except a lone plain space,
# which is already what we want (not making it a token keeps repair fast).
_TOKEN = re.compile(
    r"(?P<hyphen>(?<=\S)[-\u00ad](?P<gap>[^\S\n]*)\n\s*)"
    r"|(?P<note>(?<=[^\W\d_]{3}[.,;:)»”])\d{1,3}(?=\s)|(?<=[^\W\d_]{4})\d{1,3}(?=\s+[^\W\d_]))"
    rf"|(?P<invisible>(?:\s*[{_INVISIBLE}])+\s*)"
    r"|(?P<space>\s{2,}|[^\S ])"
)
_WORD_BEFORE = re.compile(r"[^\W\d_]+[.,;:)»”]?$")
_CONJUNCTIONS = frozenset({"en", "of", "et", "ou", "and", "or", "tot", "à", "als", "noch"})
_LONG_COMPOUND = 7  # letters in the word after "X-\nen": "migratiebeleid" yes, "welke" no
_LETTERS_BEFORE = re.compile(r"[^\W\d_]+$")
_WORD_AFTER = re.compile(r"([^\W\d_]+)\s+([^\W\d_]+)")


class _Builder:
    """Accumulates output text pieces and the breakpoints of their raw origin."""

    def __init__(self, base: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.breaks: list[tuple[int, int]] = []
        self.base = base

    def add(self, text: str, raw_pos: int) -> None:
        """Append `text` whose first character comes from raw position `raw_pos`."""
        if not text:
            return
        raw_pos += self.base
        if not self.breaks or self.breaks[-1][1] + self.size - self.breaks[-1][0] != raw_pos:
            self.breaks.append((self.size, raw_pos))
        self.parts.append(text)
        self.size += len(text)


def _hyphen_join(raw: str, m: re.Match[str]) -> str | None:
    """What replaces an end-of-line hyphen run: None drops it, else hyphen + joiner."""
    hyphen_at, end = m.start(), m.end()
    if raw[hyphen_at] == "\u00ad":
        return ""  # a soft hyphen only ever marks a hyphenation
    nxt = raw[end]
    spaced = bool(m.group("gap"))
    words = _WORD_AFTER.match(raw, end)
    suspended = words is not None and words.group(1).lower() in _CONJUNCTIONS
    if not nxt.islower():
        return "- " if spaced else "-"
    if spaced:
        return "- " if suspended else "-"
    before = _LETTERS_BEFORE.search(raw, max(0, hyphen_at - 64), hyphen_at)
    if before is None:
        return "-"  # "LGBTQIA+-\nbewoners", "2009-\nheden": not a hyphenated word
    stem = before.group()
    if len(stem) >= 2 and stem.isupper():
        return "-"  # acronym prefix: "EU-lidstaten"
    if suspended and len(words.group(2)) >= _LONG_COMPOUND and len(stem) >= 3:
        return "- "  # "asiel-\nen migratiebeleid" without the usual trailing space
    return None


def _is_note(raw: str, m: re.Match[str]) -> bool:
    """A footnote reference the PDF glued to a word: "op te sluiten.46 Ze", "werken39 bij".

    Only after a word of lower-case letters (not "Covid19", not "2,5") and, after a full stop,
    not before a lower-case word ("art.3 de la loi" keeps its 3).
    """
    word = _WORD_BEFORE.search(raw, max(0, m.start() - 64), m.start())
    if word is None:
        return False
    letters = word.group().rstrip(".,;:)»”")
    ends_sentence_part = letters != word.group()  # a capital may open it: "Unie.9"
    if not (letters[1:] if ends_sentence_part else letters).islower():
        return False  # "Covid19"
    after = raw[m.end():m.end() + 64].lstrip()
    return not word.group().endswith(".") or not after[:1].islower()


def _blank(c: str) -> bool:
    return c.isspace() or c in _INVISIBLE


def repair(raw: str, base: int = 0) -> tuple[str, OffsetMap]:
    """Running text from wrapped PDF lines, plus the map back to `base + index in raw`."""
    lo, hi = 0, len(raw)
    while lo < hi and _blank(raw[lo]):
        lo += 1
    while hi > lo and _blank(raw[hi - 1]):
        hi -= 1
    out = _Builder(base)
    pos = lo
    for m in _TOKEN.finditer(raw, lo, hi):
        out.add(raw[pos : m.start()], pos)
        pos = m.end()
        kind, found = m.lastgroup, m.group()
        if kind == "note":
            if not _is_note(raw, m):  # else dropped: it would be read as the sentence's figure
                out.add(found, m.start())
        elif kind == "space":
            out.add(" ", m.start())
        elif kind == "invisible":
            spaces = [i for i, c in enumerate(found) if c.isspace()]
            if spaces:
                out.add(" ", m.start() + spaces[0])
        else:
            join = _hyphen_join(raw, m)
            if join:
                out.add("-", m.start())
            if join == "- ":
                out.add(" ", m.start() + 1)
    out.add(raw[pos:hi], pos)
    if not out.breaks:
        out.breaks.append((0, base))  # nothing kept: the empty text maps to the start
    text = "".join(out.parts)
    return text, OffsetMap(out.breaks, len(text))
