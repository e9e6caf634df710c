"""Ingest: documents -> repaired, language-tagged chunks -> embeddings -> Chroma.

Idempotent by construction: a chunk's id is derived from its document and content hash, so
an unchanged corpus embeds nothing, a changed document only embeds its new chunks, and
chunks that disappeared are removed. A bad file is reported and skipped; the rest goes on.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.chunking import Chunk, chunk_document
from store.embedder import Embedder
from store.index import ChunkStore
from store.manifest import Manifest
from store.settings import Settings

TEXT_SUFFIXES = {".txt", ".md"}


class IngestError(ValueError):
    """A file cannot be ingested; the message names the file and says what to do."""


@dataclass
class IngestReport:
    """The summary printed at the end (and as JSON with --json)."""

    documents: int = 0
    chunks: int = 0
    chunks_per_language: dict[str, int] = field(default_factory=dict)
    embedded: int = 0
    removed: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents, "chunks": self.chunks,
            "chunks_per_language": self.chunks_per_language, "embedded": self.embedded,
            "removed": self.removed, "seconds": self.seconds, "errors": self.errors,
        }


def read_document(path: Path) -> str:
    """The file's text, or an IngestError saying why it is unusable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot read it ({exc.strerror}).") from exc
    if not data.strip():
        raise IngestError(f"{path}: the file is empty; add text or remove it.")
    if b"\x00" in data[:8192]:
        raise IngestError(f"{path}: this is a binary file, not plain text; export it as .txt.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{path}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at position {exc.start}). "
            f"Convert it, e.g. iconv -f windows-1252 -t utf-8 '{path}' > fixed.txt"
        ) from exc
    if not text.strip():
        raise IngestError(f"{path}: the file holds only white space; add text or remove it.")
    return text


def collect(paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """Files to ingest, and errors for paths that do not exist."""
    files: list[Path] = []
    errors: list[str] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir()
                                if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES))
        elif path.is_file():
            files.append(path)
        else:
            errors.append(f"{path}: no such file or folder.")
    return files, errors


def chunk_id(doc: str, content_hash: str, occurrence: int) -> str:
    return f"{doc}:{content_hash}:{occurrence}"


def chunk_records(chunks: list[Chunk], manifest: Manifest) -> list[tuple[str, dict[str, Any]]]:
    """(id, metadata) per chunk; the hash covers everything that goes into the embedding."""
    seen: Counter[str] = Counter()
    records = []
    for c in chunks:
        title = manifest.title(c.doc, c.language, Path(c.doc).stem)
        content_hash = hashlib.sha256(
            f"{title}\n{c.section}\n{c.text}".encode()
        ).hexdigest()[:16]
        cid = chunk_id(c.doc, content_hash, seen[content_hash])
        seen[content_hash] += 1
        meta: dict[str, Any] = {
            "doc": c.doc, "title": title, "section": c.section, "language": c.language,
            "start": c.start, "end": c.end, "hash": content_hash,
            "offsets": c.offsets.to_json(),
        }
        for lang in ("nl", "fr", "en"):
            meta[f"title_{lang}"] = manifest.title(c.doc, lang, Path(c.doc).stem)
        records.append((cid, meta))
    return records


def embedding_input(text: str, section: str) -> str:
    """What the embedder sees: the section heading travels with the passage."""
    return f"{section}\n{text}" if section else text


def ingest(paths: Sequence[Path], settings: Settings, embedder: Embedder,
           detect: Callable[[str], str | None],
           progress: Callable[[int], Any] | None = None,
           on_total: Callable[[int], Any] | None = None) -> IngestReport:
    """Bring the index in line with `paths` (default: the bundled corpus)."""
    started = time.perf_counter()
    report = IngestReport()
    files, report.errors = collect(paths)
    whole_folders = [p for p in paths if p.is_dir()]
    plan: list[tuple[str, list[Chunk], list[tuple[str, dict[str, Any]]]]] = []
    for path in files:
        try:
            raw = read_document(path)
            chunks = chunk_document(path.name, raw, detect)
        except (IngestError, ValueError) as exc:
            report.errors.append(str(exc) if isinstance(exc, IngestError) else f"{path}: {exc}")
            continue
        manifest = Manifest.load(path.parent)
        plan.append((path.name, chunks, chunk_records(chunks, manifest)))

    with ChunkStore.writer(settings, embedder.name) as store:
        existing = store.metadata_of()
        wanted: set[str] = set()
        to_embed: list[tuple[str, Chunk, dict[str, Any]]] = []
        to_update: list[tuple[str, dict[str, Any]]] = []
        for _doc, chunks, records in plan:
            for chunk, (cid, meta) in zip(chunks, records, strict=True):
                wanted.add(cid)
                if cid not in existing:
                    to_embed.append((cid, chunk, meta))
                elif existing[cid] != meta:
                    to_update.append((cid, meta))
        ingested_docs = {doc for doc, _, _ in plan}
        failed_docs = {e.split(":", 1)[0] for e in report.errors}
        stale = [
            cid for cid, meta in existing.items()
            if cid not in wanted and (
                meta["doc"] in ingested_docs
                or (whole_folders and meta["doc"] not in {Path(f).name for f in failed_docs})
            )
        ]
        store.delete(stale)
        store.update_metadata([c for c, _ in to_update], [m for _, m in to_update])
        if on_total:
            on_total(len(to_embed))
        batch = max(1, settings.embedding_batch_size) * 4
        for i in range(0, len(to_embed), batch):
            part = to_embed[i : i + batch]
            vectors = embedder.embed_documents(
                [embedding_input(c.text, c.section) for _, c, _ in part],
                [m["title"] for _, _, m in part],
            )
            store.add([cid for cid, _, _ in part], [c.text for _, c, _ in part],
                      [m for _, _, m in part], vectors)
            if progress:
                progress(len(part))
        report.removed = len(stale)
        report.embedded = len(to_embed)

    all_chunks = [c for _, chunks, _ in plan for c in chunks]
    report.documents = len(plan)
    report.chunks = len(all_chunks)
    report.chunks_per_language = dict(sorted(Counter(c.language for c in all_chunks).items()))
    report.seconds = round(time.perf_counter() - started, 2)
    return report
