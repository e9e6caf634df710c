"""Embedders: the passage cache (never questions) and the real model's cross-lingual signal."""

import sqlite3
from pathlib import Path

import pytest

from store.embedder import CachedEmbedder, HashingEmbedder


class CountingEmbedder(HashingEmbedder):
    """The lexical embedder, counting what it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def document_prompt(self, title: str) -> str:
        return f"title: {title} | text: "

    def embed_documents(self, texts, titles):  # noqa: ANN001, ANN201
        self.embedded.extend(texts)
        return super().embed_documents(texts, titles)


def test_cache_embeds_each_passage_once_and_never_stores_questions(tmp_path: Path) -> None:
    inner = CountingEmbedder()
    path = tmp_path / "cache.sqlite"
    cached = CachedEmbedder(inner, path)  # type: ignore[arg-type]
    first = cached.embed_documents(["opvang", "terugkeer"], ["Nota", "Nota"])
    again = CachedEmbedder(inner, path).embed_documents(  # type: ignore[arg-type]
        ["terugkeer", "opvang", "Dublin"], ["Nota", "Nota", "Nota"])
    assert inner.embedded == ["opvang", "terugkeer", "Dublin"]
    assert again[1] == pytest.approx(first[0]) and again[0] == pytest.approx(first[1])
    # another title is another document prompt, hence another vector
    cached.embed_documents(["opvang"], ["Memorandum"])
    assert inner.embedded[-1] == "opvang"
    cached.embed_query("Hoeveel kost naturalisatie voor mijn zoon?")
    rows = sqlite3.connect(str(path)).execute("SELECT COUNT(*) FROM vec").fetchone()[0]
    assert rows == 4


@pytest.mark.models
def test_real_embedder_finds_dutch_passage_for_english_question(real_embedder) -> None:
    import numpy as np

    passages = [
        "Sinds begin 2021 heeft België meer dan 136.000 asielaanvragen gekregen.",
        "De Nationale Loterij financiert sportclubs en culturele verenigingen.",
        "Le réseau d'accueil de Fedasil compte un nombre record de 38.300 places.",
    ]
    docs = np.array(real_embedder.embed_documents(passages, ["none"] * 3))
    query = np.array(real_embedder.embed_query("How many asylum applications since 2021?"))
    sims = docs @ query
    assert sims.argmax() == 0
    assert sims[0] - sims[1] > 0.2
    assert abs(np.linalg.norm(docs[0]) - 1) < 1e-3
