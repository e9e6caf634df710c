"""Find the passages that may answer a question, across nl/fr/en.

Dense retrieval with EmbeddingGemma does the cross-lingual work; on top of it we
(1) fuse it with BM25 in the question's language (chat/lexical.py), so an exact name, figure
or rare word counts; (2) search a document first when the question names it the way people
do ("the NGO memorandum", "de nota van Van Bossuyt"), using the manifest's aliases;
(3) prefer, among equally relevant passages, the one in the question's language; and
(4) hand over a Dutch or French passage in the question's language when the bilingual notes
hold both versions (chat/pairing.py): the model answers better from it, the user reads it.
Each lever is a setting, so the evals can measure it (eval/results/ablation/retrieval.md).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np

from chat.lexical import LexicalIndex
from chat.pairing import PassagePairs
from store.embedder import Embedder
from store.index import ChunkStore, StoredChunk
from store.manifest import Manifest
from store.settings import Settings

NAMED_DOCUMENT_BONUS = 0.08
NAMED_DOCUMENT_CANDIDATES = 10


def _default(name: str) -> Any:
    return Settings.model_fields[name].default


@dataclass(frozen=True)
class RetrievalOptions:
    """The retrieval levers of `Settings` (same names, same defaults)."""

    hybrid: bool = _default("hybrid")
    fusion: Literal["rrf", "blend"] = _default("fusion")
    lexical_candidates: int = _default("lexical_candidates")
    lexical_weight: float = _default("lexical_weight")
    rrf_k: int = _default("rrf_k")
    lexical_all_languages: bool = _default("lexical_all_languages")
    pairing: bool = _default("pairing")
    pairing_threshold: float = _default("pairing_threshold")
    same_language_bonus: float = _default("same_language_bonus")
    same_language_scope: Literal["versions", "all"] = _default("same_language_scope")
    named_documents: bool = _default("named_documents")
    named_only: bool = _default("named_only")
    compare_passages: int = _default("compare_passages")

    @classmethod
    def from_settings(cls, settings: Settings) -> RetrievalOptions:
        return cls(**{f.name: getattr(settings, f.name) for f in fields(cls)})


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
    """Dense search in Chroma fused with BM25, re-ranked by named document and language."""

    def __init__(self, store: ChunkStore, embedder: Embedder, manifest: Manifest,
                 candidates: int = 30, options: RetrievalOptions | None = None) -> None:
        self._store = store
        self.embedder = embedder
        self._manifest = manifest
        self._candidates = candidates
        self.options = options or RetrievalOptions()
        self._chunks: dict[str, StoredChunk] = {}
        self._row: dict[str, int] = {}
        self._vectors: Any = None
        self._lexical: LexicalIndex | None = None
        self._pairs: PassagePairs | None = None
        if self.options.hybrid or self.options.pairing:
            chunks, vectors = store.all_chunks_with_embeddings()
            self._chunks = {c.id: c for c in chunks}
            self._row = {c.id: i for i, c in enumerate(chunks)}
            norms = np.linalg.norm(vectors, axis=1, keepdims=True) if vectors.size else 1.0
            self._vectors = vectors / np.where(norms == 0, 1.0, norms)
            if self.options.hybrid:
                self._lexical = LexicalIndex(chunks)
            if self.options.pairing:
                self._pairs = PassagePairs(chunks, vectors, self.options.pairing_threshold)
            metas = [c.meta for c in chunks]
        else:
            metas = list(store.metadata_of().values())
        # the languages each document exists in (for the same-language bonus)
        self._doc_languages: dict[str, set[str]] = {}
        for m in metas:
            self._doc_languages.setdefault(str(m["doc"]), set()).add(str(m["language"]))

    def languages_of(self, doc: str) -> set[str]:
        """The languages the index holds the document in (its versions)."""
        return self._doc_languages.get(doc, set())

    def routed(self, query: str) -> bool:
        """The search keeps to the one document the query names (setting `named_only`)."""
        return self.options.named_documents and self.options.named_only and \
            len(self._manifest.named_documents(query)[:2]) == 1

    def top_similarity(self, vector: list[float]) -> float:
        """The best similarity of any chunk in the index: how close the corpus comes."""
        return max((c.score for c in self._store.query(vector, 1)), default=0.0)

    def embed(self, query: str) -> list[float]:
        return self.embedder.embed_query(query)

    # --- the pieces -----------------------------------------------------------------------
    def _similarity(self, chunk_id: str, unit_query: Any) -> float:
        """Cosine of a stored chunk with the (unit) query vector."""
        return float(self._vectors[self._row[chunk_id]] @ unit_query)

    def _lexical_scores(self, query: str, lang: str) -> dict[str, float]:
        """chunk id -> BM25 relevance in the question's language (and the others if asked)."""
        assert self._lexical is not None
        langs = [lang]
        if self.options.lexical_all_languages:
            langs += [x for x in self._lexical.languages if x != lang]
        out: dict[str, float] = {}
        for x in langs:
            out.update(self._lexical.scores(query, x))
        return out

    def _candidates_for(self, query: str, lang: str, vector: list[float], named: list[str]
                        ) -> tuple[dict[str, StoredChunk], dict[str, float]]:
        """Dense candidates (plus each named document's best), and BM25's, with scores."""
        found = {c.id: c for c in self._store.query(vector, self._candidates)}
        for doc in named:
            for c in self._store.query(vector, NAMED_DOCUMENT_CANDIDATES, where={"doc": doc}):
                found.setdefault(c.id, c)
        if self._lexical is None:
            return found, {}
        lexical = self._lexical_scores(query, lang)
        best = sorted(lexical, key=lambda i: -lexical[i])
        add = best[: self.options.lexical_candidates]
        for doc in named:
            add += [i for i in best if self._chunks[i].doc == doc][:NAMED_DOCUMENT_CANDIDATES]
        q = np.asarray(vector, dtype=np.float32)
        q = q / (np.linalg.norm(q) or 1.0)
        for i in add:
            if i not in found:
                c = self._chunks[i]
                found[i] = StoredChunk(c.id, c.text, c.meta, self._similarity(i, q))
        return found, lexical

    def _rank(self, found: dict[str, StoredChunk], lexical: dict[str, float], lang: str,
              named: list[str]) -> list[Passage]:
        """All candidates, best first, by the dense score with bonuses fused with BM25."""
        opts = self.options

        def dense(c: StoredChunk) -> float:
            score = c.score
            if c.language == lang or (opts.same_language_scope == "versions"
                                      and lang not in self.languages_of(c.doc)):
                score += opts.same_language_bonus
            if c.doc in named:
                score += NAMED_DOCUMENT_BONUS
            return score

        chunks = list(found.values())
        if not lexical:
            ranked = [Passage(c, c.score, dense(c)) for c in chunks]
        elif opts.fusion == "blend":
            ranked = [Passage(c, c.score, dense(c) + opts.lexical_weight * lexical.get(c.id, 0.0))
                      for c in chunks]
        else:  # reciprocal rank fusion of the dense ranking and BM25's top list
            by_dense = sorted(chunks, key=lambda c: -dense(c))
            by_lexical = sorted((c for c in chunks if lexical.get(c.id, 0.0) > 0),
                                key=lambda c: -lexical[c.id])[: opts.lexical_candidates]
            fused = {c.id: 1.0 / (opts.rrf_k + r) for r, c in enumerate(by_dense, 1)}
            for r, c in enumerate(by_lexical, 1):
                fused[c.id] += 1.0 / (opts.rrf_k + r)
            ranked = [Passage(c, c.score, fused[c.id]) for c in chunks]
        ranked.sort(key=lambda p: -p.score)
        return ranked

    def _paired(self, ranked: list[Passage], lang: str, vector: list[float]) -> list[Passage]:
        """Each nl/fr passage in the question's language where its twin exists (no duplicates).

        The twin keeps the original's rank and similarity: it says the same thing.
        """
        q = np.asarray(vector, dtype=np.float32)
        q = q / (np.linalg.norm(q) or 1.0)
        out: list[Passage] = []
        seen: set[str] = set()
        for p in ranked:
            c = p.chunk
            twin = self._pairs.twin(c.id) if self._pairs is not None and c.language != lang \
                else None
            if twin is not None and self._chunks[twin[0]].language == lang:
                t = self._chunks[twin[0]]
                p = Passage(StoredChunk(t.id, t.text, t.meta, self._similarity(t.id, q)),
                            p.similarity, p.score)
            if p.chunk.id not in seen:
                seen.add(p.chunk.id)
                out.append(p)
        return out

    # --- the search -----------------------------------------------------------------------
    def search(self, query: str, lang: str, k: int,
               vector: list[float] | None = None) -> list[Passage]:
        """The k best passages for the query (embedded here unless `vector` is given)."""
        vector = vector if vector is not None else self.embed(query)
        named = self._manifest.named_documents(query)[:2] if self.options.named_documents else []
        found, lexical = self._candidates_for(query, lang, vector, named)
        ranked = self._rank(found, lexical, lang, named)
        if self._pairs is not None:
            ranked = self._paired(ranked, lang, vector)
        if len(named) >= 2:
            return self._comparison(ranked, named, k)
        if self.routed(query):
            # "according to the English news item": another document's passage on the same
            # topic ("March 2023" in the 2022 statement) only leads the model astray
            return [p for p in ranked if p.doc == named[0]][:k] or ranked[:k]
        return ranked[:k]

    def _comparison(self, ranked: list[Passage], named: list[str], k: int) -> list[Passage]:
        """A question naming two documents compares them: each keeps its best passages."""
        per = max(1, min(self.options.compare_passages, k // len(named)))
        keep: list[Passage] = []
        for doc in named:
            keep += [p for p in ranked if p.doc == doc][:per]
        ids = {p.chunk.id for p in keep}
        top = keep[:k] + [p for p in ranked if p.chunk.id not in ids][: max(0, k - len(keep))]
        return sorted(top, key=lambda p: -p.score)
