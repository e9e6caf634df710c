"""Find the passages that may answer a question, across nl/fr/en.

Dense retrieval with EmbeddingGemma does the cross-lingual work; on top of it we (1) search a
document first when the question names it the way people do ("the NGO memorandum", "de nota
van Van Bossuyt"), using the manifest's aliases, and (2) prefer, among equally relevant
passages, the one in the question's language: the model answers better from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from store.embedder import Embedder
from store.index import ChunkStore, StoredChunk
from store.manifest import Manifest

SAME_LANGUAGE_BONUS = 0.03
NAMED_DOCUMENT_BONUS = 0.08


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its raw similarity and the score used to rank it."""

    chunk: StoredChunk
    similarity: float
    score: float

    @property
    def doc(self) -> str:
        return self.chunk.doc


class Retriever:
    """Dense search in Chroma, re-ranked by named document and question language."""

    def __init__(self, store: ChunkStore, embedder: Embedder, manifest: Manifest,
                 candidates: int = 30) -> None:
        self._store = store
        self.embedder = embedder
        self._manifest = manifest
        self._candidates = candidates

    def embed(self, query: str) -> list[float]:
        return self.embedder.embed_query(query)

    def search(self, query: str, lang: str, k: int,
               vector: list[float] | None = None) -> list[Passage]:
        """The k best passages for the query (embedded here unless `vector` is given)."""
        vector = vector if vector is not None else self.embed(query)
        found: dict[str, StoredChunk] = {c.id: c for c in self._store.query(vector,
                                                                            self._candidates)}
        named = self._manifest.named_documents(query)
        for doc in named[:2]:
            for c in self._store.query(vector, 10, where={"doc": doc}):
                found.setdefault(c.id, c)
        ranked = []
        for c in found.values():
            score = c.score
            if c.language == lang:
                score += SAME_LANGUAGE_BONUS
            if c.doc in named[:2]:
                score += NAMED_DOCUMENT_BONUS
            ranked.append(Passage(c, c.score, score))
        ranked.sort(key=lambda p: -p.score)
        top = ranked[:k]
        if len(named) >= 2:  # a comparison: every named document keeps its best passage
            for doc in named[:2]:
                if not any(p.doc == doc for p in top):
                    best = next((p for p in ranked if p.doc == doc), None)
                    if best is not None:
                        top[-1] = best
                        top.sort(key=lambda p: -p.score)
        return top
