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

    def names(self, doc: str) -> str:
        """Every way the manifest names a document (titles, aliases, year), as one text."""
        meta = self.documents.get(doc, {})
        parts = [str(meta.get("year", "")), str(meta.get("date", ""))]
        for key in ("titles", "short_titles", "aliases"):
            for value in (meta.get(key) or {}).values():
                parts.extend(value if isinstance(value, list) else [value])
        return " ".join(parts)

    def named_documents(self, question: str) -> list[str]:
        """Documents whose aliases occur in the question (longest alias wins ties)."""
        q = " " + re.sub(r"\s+", " ", question.lower()) + " "
        hits: dict[str, int] = {}
        for doc, meta in self.documents.items():
            for aliases in (meta.get("aliases") or {}).values():
                for alias in aliases:
                    a = alias.lower().strip()
                    if len(a) >= 4 and re.search(r"(?<!\w)" + re.escape(a) + r"(?!\w)", q):
                        hits[doc] = max(hits.get(doc, 0), len(a))
        return sorted(hits, key=lambda d: -hits[d])
