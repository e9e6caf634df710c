"""Embedders: the real EmbeddingGemma, and a deterministic lexical one for fast tests.

Both return unit vectors, so Chroma's cosine distance and our relevance threshold mean the
same thing whichever is used.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
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
            hint = ("Delete the folder and run: vraagbaak models fetch" if spec else
                    "Check that VRAAGBAAK_EMBEDDING_PATH names a sentence-transformers folder.")
            raise ModelError(
                f"Could not load the embedding model from {path}: {exc}. {hint}"
            ) from exc
        self.name = path.name
        self._query_prompt = query_prompt
        self._document_prompt = document_prompt
        self._batch_size = batch_size

    def document_prompt(self, title: str) -> str:
        return self._document_prompt.format(title=title or "none")

    def embed_documents(self, texts: Sequence[str], titles: Sequence[str]) -> list[list[float]]:
        # The document prompt names the title, so encode per title group.
        out: list[list[float] | None] = [None] * len(texts)
        groups: dict[str, list[int]] = {}
        for i, title in enumerate(titles):
            groups.setdefault(title, []).append(i)
        for title, idx in groups.items():
            prompt = self.document_prompt(title)
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


class CachedEmbedder:
    """Passage embeddings remembered on disk, keyed by model, prompt and text.

    Re-ingesting into a fresh data folder or a Chroma server then costs seconds instead of
    minutes. Only passages are cached: a visitor's questions are never written anywhere.
    """

    def __init__(self, inner: SentenceTransformerEmbedder, path: Path) -> None:
        import sqlite3

        self._inner = inner
        self.name = inner.name
        path.parent.mkdir(parents=True, exist_ok=True)
        # the chat page embeds evidence sentences from worker threads: one connection, locked
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute("CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, v BLOB)")

    def _key(self, text: str, title: str) -> str:
        prompt = self._inner.document_prompt(title)
        return hashlib.sha256(f"{self.name}\0{prompt}\0{text}".encode()).hexdigest()

    def embed_documents(self, texts: Sequence[str], titles: Sequence[str]) -> list[list[float]]:
        with self._lock:
            return self._embed_documents(texts, titles)

    def _embed_documents(self, texts: Sequence[str], titles: Sequence[str]
                         ) -> list[list[float]]:
        import array

        keys = [self._key(t, ti) for t, ti in zip(texts, titles, strict=True)]
        found: dict[str, list[float]] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            rows = self._db.execute(
                f"SELECT key, v FROM vec WHERE key IN ({','.join('?' * len(part))})", part
            ).fetchall()
            found.update({k: array.array("f", v).tolist() for k, v in rows})
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            vectors = self._inner.embed_documents([texts[i] for i in missing],
                                                  [titles[i] for i in missing])
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vec VALUES (?, ?)",
                    [(keys[i], array.array("f", v).tobytes())
                     for i, v in zip(missing, vectors, strict=True)],
                )
            found.update({keys[i]: v for i, v in zip(missing, vectors, strict=True)})
        return [found[k] for k in keys]

    def embed_query(self, text: str) -> list[float]:
        return self._inner.embed_query(text)


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
