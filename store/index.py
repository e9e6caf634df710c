"""The Chroma collection of chunks: the one place that talks to Chroma.

Ingest writes through `ChunkStore.writer()` (a file lock: one ingest at a time); the chat
side opens it read-only and never creates or changes anything.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from store.settings import Settings


class StoreError(RuntimeError):
    """The index is missing, busy or unreachable; the message says what to do."""


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as read back from Chroma, with its similarity when it came from a query."""

    id: str
    text: str
    meta: dict[str, Any]
    score: float = 0.0

    @property
    def doc(self) -> str:
        return str(self.meta["doc"])

    @property
    def language(self) -> str:
        return str(self.meta["language"])


def make_client(settings: Settings, create: bool) -> Any:
    """PersistentClient on the data folder, or HttpClient when CHROMA_HOST is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        except Exception as exc:
            raise StoreError(
                f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port}"
                f" ({exc}). Start it, or unset CHROMA_HOST to use the local data folder."
            ) from exc
    path = settings.chroma_dir()
    if not create and not path.exists():
        raise StoreError(f"No index at {path}. Build it first: vraagbaak ingest")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class ChunkStore:
    """Chunks with their embeddings and metadata in one Chroma collection (cosine space)."""

    def __init__(self, settings: Settings, embedder_name: str, create: bool = False) -> None:
        self._settings = settings
        self._client = make_client(settings, create)
        name = settings.collection
        if create:
            self._col = self._client.get_or_create_collection(
                name, metadata={"hnsw:space": "cosine", "embedder": embedder_name}
            )
        else:
            try:
                self._col = self._client.get_collection(name)
            except Exception as exc:
                raise StoreError(
                    f"The index has no collection {name!r}. Build it first: vraagbaak ingest"
                ) from exc
        stored = (self._col.metadata or {}).get("embedder")
        if stored and stored != embedder_name:
            raise StoreError(
                f"The index was built with the embedder {stored!r}, but {embedder_name!r} is "
                "configured. Re-ingest into a fresh data folder, or configure the same embedder."
            )

    @classmethod
    @contextmanager
    def writer(cls, settings: Settings, embedder_name: str) -> Iterator[ChunkStore]:
        """Open for writing, holding the ingest lock for the whole `with` block."""
        from filelock import FileLock, Timeout

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(settings.data_dir / "ingest.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout as exc:
            raise StoreError(
                "Another ingest is writing to the index right now "
                f"(lock {settings.data_dir / 'ingest.lock'}). Wait for it to finish, then retry."
            ) from exc
        try:
            yield cls(settings, embedder_name, create=True)
        finally:
            lock.release()

    # --- reading -------------------------------------------------------------------------
    def count(self) -> int:
        return self._col.count()

    def metadata_of(self, doc: str | None = None) -> dict[str, dict[str, Any]]:
        """id -> metadata, for one document or all."""
        got = self._col.get(where={"doc": doc} if doc else None, include=["metadatas"])
        return dict(zip(got["ids"], got["metadatas"], strict=True))

    def documents(self) -> set[str]:
        return {str(m["doc"]) for m in self.metadata_of().values()}

    def all_chunks(self) -> list[StoredChunk]:
        """Every chunk with its text (for the lexical index and passage pairing)."""
        got = self._col.get(include=["documents", "metadatas"])
        return [
            StoredChunk(i, t, m)
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]

    def all_chunks_with_embeddings(self) -> tuple[list[StoredChunk], Any]:
        """Every chunk with its text, and the stored vectors as one (n, dim) float32 array
        in the same order (for hybrid retrieval and passage pairing; read once at start)."""
        import numpy as np

        got = self._col.get(include=["documents", "metadatas", "embeddings"])
        chunks = [
            StoredChunk(i, t, m)
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        vectors = got["embeddings"]
        if vectors is None or len(vectors) == 0:
            return chunks, np.zeros((len(chunks), 0), dtype=np.float32)
        return chunks, np.asarray(vectors, dtype=np.float32)

    def query(self, embedding: Sequence[float], n: int,
              where: dict[str, Any] | None = None) -> list[StoredChunk]:
        """Nearest chunks, with score = cosine similarity (1 - cosine distance)."""
        if self._col.count() == 0:
            raise StoreError("The index is empty. Build it first: vraagbaak ingest")
        got = self._col.query(
            query_embeddings=[list(embedding)], n_results=n, where=where,
            include=["documents", "metadatas", "distances"],
        )
        return [
            StoredChunk(i, t, m, 1.0 - d)
            for i, t, m, d in zip(
                got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0],
                strict=True,
            )
        ]

    # --- writing (only through writer()) -------------------------------------------------
    def add(self, ids: Sequence[str], texts: Sequence[str], metas: Sequence[dict[str, Any]],
            embeddings: Sequence[Sequence[float]]) -> None:
        self._col.upsert(
            ids=list(ids), documents=list(texts), metadatas=list(metas),
            embeddings=[list(e) for e in embeddings],
        )

    def update_metadata(self, ids: Sequence[str], metas: Sequence[dict[str, Any]]) -> None:
        if ids:
            self._col.update(ids=list(ids), metadatas=list(metas))

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._col.delete(ids=list(ids))
