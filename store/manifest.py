"""The corpus manifest: titles per language, authors, and the names people use for documents.

It lives next to the corpus (`manifest.json`) so maintainers edit metadata without code;
ingest stores titles with each chunk, and retrieval uses the aliases to route questions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any


class Manifest:
    """Document metadata next to the corpus: titles per language and the names people use."""

    def __init__(self, documents: dict[str, dict[str, Any]]) -> None:
        self.documents = documents

    @classmethod
    def load(cls, corpus_dir: Path) -> Manifest:
        path = corpus_dir / "manifest.json"
        if not path.is_file():
            return cls({})
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls({d["file"]: d for d in data.get("documents", [])})

    def title(self, doc: str, lang: str, fallback: str = "") -> str:
        meta = self.documents.get(doc, {})
        for key in ("short_titles", "titles"):
            titles = meta.get(key) or {}
            if titles.get(lang):
                return str(titles[lang])
        return fallback or doc

    def _matches(self, question: str) -> list[tuple[str, re.Match[str]]]:
        q = re.sub(r"\s+", " ", question.lower())
        found = []
        for doc, meta in self.documents.items():
            for aliases in (meta.get("aliases") or {}).values():
                for alias in aliases:
                    a = alias.lower().strip()
                    if len(a) >= 4 and (m := re.search(r"(?<!\w)" + re.escape(a) + r"(?!\w)", q)):
                        found.append((doc, m))
        return found

    def named_documents(self, question: str) -> list[str]:
        """Documents whose aliases occur in the question (longest alias first)."""
        hits: dict[str, int] = {}
        for doc, m in self._matches(question):
            hits[doc] = max(hits.get(doc, 0), len(m.group(0)))
        return sorted(hits, key=lambda d: -hits[d])

    def without_names(self, question: str) -> str:
        """The question with the document names it uses blanked out ("the 2022 statement")."""
        q = re.sub(r"\s+", " ", question.lower())
        for _, m in self._matches(question):
            q = q.replace(m.group(0), " ")
        return q
