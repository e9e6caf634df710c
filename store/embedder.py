"""Embedders: the real EmbeddingGemma, and a deterministic lexical one for fast tests.

Both return unit vectors, so Chroma's cosine distance and our relevance threshold mean the
same thing whichever is used.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from store.models import EMBEDDING, ModelError, require


class Embedder(Protocol):
    """Narrow seam between the store and whatever turns text into vectors."""

    name: str

    def embed_documents(self, texts: Sequence[str], titles: Sequence[str]) -> list[list[float]]:
        ...

    def embed_query(self, text: str) -> list[float]: ...


class SentenceTransformerEmbedder:
    """A local sentence-transformers folder (default: EmbeddingGemma-300m), on the CPU."""

    def __init__(self, path: Path, query_prompt: str, document_prompt: str,
                 batch_size: int = 8, models_dir: Path | None = None) -> None:
        spec = EMBEDDING if models_dir and path == models_dir / EMBEDDING.target else None
        require(path, spec, models_dir or path.parent)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - dependency of the project
            raise ModelError("sentence-transformers is missing: pip install -e .") from exc
        try:
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as exc:  # a truncated or foreign folder: say which and what to do
            raise ModelError(
                f"Could not load the embedding model from {path}: {exc}. "
                "Delete the folder and run: vraagbaak models fetch"
            ) from exc
        self.name = path.name
        self._query_prompt = query_prompt
        self._document_prompt = document_prompt
        self._batch_size = batch_size

    def embed_documents(self, texts: Sequence[str], titles: Sequence[str]) -> list[list[float]]:
        # The document prompt names the title, so encode per title group.
        out: list[list[float] | None] = [None] * len(texts)
        groups: dict[str, list[int]] = {}
        for i, title in enumerate(titles):
            groups.setdefault(title, []).append(i)
        for title, idx in groups.items():
            prompt = self._document_prompt.format(title=title or "none")
            vectors = self._model.encode(
                [texts[i] for i in idx], prompt=prompt, batch_size=self._batch_size,
                normalize_embeddings=True, show_progress_bar=False,
            )
            for i, vec in zip(idx, vectors, strict=True):
                out[i] = vec.tolist()
        return [v for v in out if v is not None]

    def embed_query(self, text: str) -> list[float]:
        vec = self._model.encode(
            [text], prompt=self._query_prompt, normalize_embeddings=True, show_progress_bar=False
        )[0]
        return vec.tolist()


_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Deterministic bag-of-stems vectors: texts sharing words are similar, others are not.

    Stands in for the real model in unit tests of the store and the chain, where what matters
    is that similarity means something and that it is fast; never in the integration tests.
    """

    name = "hashing-test-embedder"

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dim
        for word in _WORD.findall(text.lower()):
            stem = word[:6]
            h = int.from_bytes(hashlib.blake2b(stem.encode(), digest_size=8).digest(), "big")
            vec[h % self.dim] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: Sequence[str], titles: Sequence[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)
