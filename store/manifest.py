"""The corpus manifest: titles per language, authors, and the names people use for documents.

It lives next to the corpus (`manifest.json`) so maintainers edit metadata without code;
ingest stores titles with each chunk, and retrieval uses the aliases to route questions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

NAMING_KEYS = ("titles", "short_titles", "author", "author_role", "publisher", "kind_label",
               "aliases")


class Manifest:
    """Document metadata next to the corpus: titles per language and the names people use."""

    def __init__(self, documents: dict[str, dict[str, Any]],
                 scope: list[str] | None = None) -> None:
        self.documents = documents
        self.scope = scope or []  # names true of every document ("België", "Belgium")

    @classmethod
    def load(cls, corpus_dir: Path) -> Manifest:
        path = corpus_dir / "manifest.json"
        if not path.is_file():
            return cls({})
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls({d["file"]: d for d in data.get("documents", [])}, data.get("scope", []))

    def title(self, doc: str, lang: str, fallback: str = "") -> str:
        meta = self.documents.get(doc, {})
        for key in ("short_titles", "titles"):
            titles = meta.get(key) or {}
            if titles.get(lang):
                return str(titles[lang])
        return fallback or doc

    def _matches(self, question: str) -> list[tuple[str, re.Match[str]]]:
        q = _plain(question)
        found = []
        for doc, meta in self.documents.items():
            for aliases in (meta.get("aliases") or {}).values():
                for alias in aliases:
                    a = _plain(alias).strip()
                    if len(a) >= 4 and (m := re.search(r"(?<!\w)" + re.escape(a) + r"(?!\w)", q)):
                        found.append((doc, m))
        return found

    def named_documents(self, question: str) -> list[str]:
        """Documents whose aliases occur in the question (longest alias first)."""
        hits: dict[str, int] = {}
        for doc, m in self._matches(question):
            hits[doc] = max(hits.get(doc, 0), len(m.group(0)))
        return sorted(hits, key=lambda d: -hits[d])

    def named_in_order(self, question: str) -> list[str]:
        """Documents named in the question, in the order the question names them."""
        first: dict[str, int] = {}
        for doc, m in self._matches(question):
            first[doc] = min(first.get(doc, m.start()), m.start())
        return sorted(first, key=first.__getitem__)

    def name_words(self) -> set[str]:
        """Lower-cased words of every title, author and alias, and the corpus's scope: words
        that name a document ("Van Bossuyt", "Vluchtelingenwerk") or hold for all of them
        ("Belgium"), not what a question asks about."""
        def strings(value: Any) -> list[str]:
            if isinstance(value, dict):
                return [s for v in value.values() for s in strings(v)]
            if isinstance(value, list):
                return [s for v in value for s in strings(v)]
            return [value] if isinstance(value, str) else []

        words = {w.lower() for w in self.scope}
        for meta in self.documents.values():
            for text in strings([meta.get(k) for k in NAMING_KEYS]):
                for w in re.findall(r"[\w’'-]+", text.lower()):
                    words.update({w, re.sub(r"[’']s$", "", w)})
        return words

    def year(self, doc: str) -> str:
        """The year the document appeared: its "recent weeks" are that year's."""
        return str(self.documents.get(doc, {}).get("year", ""))

    def _years(self, doc: str) -> set[str]:
        meta = self.documents.get(doc, {})
        text = " ".join([str(meta.get("year", "")), *(meta.get("titles") or {}).values(),
                         *(meta.get("short_titles") or {}).values()])
        return set(re.findall(r"(?:19|20)\d{2}", text))

    def without_names(self, question: str) -> str:
        """The question with the document names it uses blanked out.

        "the 2022 statement" is an alias; in "Van Bossuyt's 2025 note" the author is named,
        so the document's own years name it too. What remains ("in 2023") is really asked.
        """
        q = _plain(question)
        named = set()
        for doc, m in self._matches(question):
            q = q.replace(m.group(0), " ")
            named.add(doc)
        for doc, meta in self.documents.items():
            surname = str(meta.get("author", "")).split()[-1:] or [""]
            if len(surname[0]) >= 4 and surname[0].lower() in q:
                named.add(doc)
        for doc in named:
            for year in self._years(doc):
                q = re.sub(rf"(?<!\d){year}(?!\d)", " ", q)
        years = "|".join(sorted(set().union(*(self._years(d) for d in self.documents)) or {"x"}))
        # "la note 2020-2021", "the 2022 statement": a document's year next to a document word
        q = re.sub(rf"\b({DOC_WORDS})((?:\W+\w+){{0,2}}?\W+)(?:{years})(?:-(?:{years}))?\b",
                   r"\1\2 ", q)
        q = re.sub(rf"\b(?:{years})(?:-(?:{years}))?((?:\W+\w+)?\W+(?:{DOC_WORDS}))\b",
                   r" \1", q)
        return q


DOC_WORDS = (
    r"nota|note|beleidsnota|beleidsverklaring|verklaring|statement|exposé|memorandum|"
    r"mémorandum|verkiezingsmemorandum|nieuwsbericht|article|news item|tekst|texte|text"
)


def _plain(text: str) -> str:
    """Lower case, one kind of apostrophe, single spaces: how names are compared."""
    return re.sub(r"\s+", " ", text.lower().replace("\u2019", "'").replace("`", "'"))
