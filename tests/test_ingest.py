"""Ingest against a real Chroma in a temporary folder: idempotence, replacement, removal,
bad files, the lock, and exact offsets of what is stored."""

from pathlib import Path

import pytest

from ingest.pipeline import IngestError, ingest, read_document
from store.embedder import HashingEmbedder
from store.index import ChunkStore, StoreError
from store.language import get_detector
from store.offsets import OffsetMap
from store.settings import Settings


@pytest.fixture(scope="module")
def detect():  # noqa: ANN201
    return get_detector("lingua").detect


def _run(folder: Path, settings: Settings, detect, paths=None):  # noqa: ANN001, ANN202
    return ingest(paths or [folder], settings, HashingEmbedder(), detect)


def test_second_run_embeds_nothing(corpus_copy: Path, settings: Settings, detect) -> None:
    first = _run(corpus_copy, settings, detect)
    assert first.documents == 5 and first.errors == []
    assert first.embedded == first.chunks > 300
    assert set(first.chunks_per_language) == {"nl", "fr", "en"}
    second = _run(corpus_copy, settings, detect)
    assert (second.embedded, second.removed, second.chunks) == (0, 0, first.chunks)


def test_stored_offsets_point_at_the_cited_text(corpus_copy: Path, settings: Settings,
                                                detect) -> None:
    _run(corpus_copy, settings, detect)
    store = ChunkStore(settings, HashingEmbedder.name)
    chunks = store.all_chunks()
    raw = {p.name: p.read_text(encoding="utf-8") for p in corpus_copy.glob("*.txt")}
    joined = 0
    for chunk in chunks:
        meta = chunk.meta
        source = raw[meta["doc"]]
        # the chunk starts with the first word of its (first) raw span
        assert source[meta["start"] : meta["end"]].split()[0].rstrip("-") in chunk.text
        offsets = OffsetMap.from_json(meta["offsets"])
        assert offsets.original(0) == meta["start"]
        assert offsets.original(len(chunk.text)) == meta["end"]
        # every character maps to itself in the file, also after the jump over the other
        # language's column in a chunk made of several spans
        for i, char in enumerate(chunk.text):
            assert source[offsets.original(i)] == char or char == " ", (meta["start"], i)
        joined += any(r - t > 200 for t, r in _jumps(offsets))
        assert meta["language"] in {"nl", "fr", "en"}
        assert meta["title"] and meta["title_fr"]
    assert joined >= 20  # sentences cut by a column break, put back together


def _jumps(offsets: OffsetMap) -> list[tuple[int, int]]:
    """(raw end of the text before a breakpoint, raw position after it), for every jump."""
    points = offsets.breakpoints
    return [(r0 + t1 - t0, r1) for (t0, r0), (t1, r1) in zip(points, points[1:], strict=False)]


def test_changed_document_replaces_only_its_chunks(corpus_copy: Path, settings: Settings,
                                                   detect) -> None:
    first = _run(corpus_copy, settings, detect)
    news = corpus_copy / "004_c3eb19900ec74119.txt"
    news.write_text(news.read_text(encoding="utf-8") + "\n\nA new closing paragraph about "
                    "the reception network and its 35,000 places, added for this test.\n",
                    encoding="utf-8")
    second = _run(corpus_copy, settings, detect)
    assert 1 <= second.embedded <= 3
    assert second.removed <= 2
    assert second.chunks >= first.chunks


def test_document_gone_from_the_folder_is_removed(corpus_copy: Path, settings: Settings,
                                                  detect) -> None:
    _run(corpus_copy, settings, detect)
    store = ChunkStore(settings, HashingEmbedder.name)
    news_chunks = len(store.metadata_of("004_c3eb19900ec74119.txt"))
    (corpus_copy / "004_c3eb19900ec74119.txt").unlink()
    report = _run(corpus_copy, settings, detect)
    assert report.removed == news_chunks > 0
    assert "004_c3eb19900ec74119.txt" not in store.documents()


def test_ingesting_one_file_keeps_the_others(corpus_copy: Path, settings: Settings,
                                             detect) -> None:
    _run(corpus_copy, settings, detect)
    report = _run(corpus_copy, settings, detect,
                  paths=[corpus_copy / "004_c3eb19900ec74119.txt"])
    assert (report.documents, report.removed, report.embedded) == (1, 0, 0)
    assert len(ChunkStore(settings, HashingEmbedder.name).documents()) == 5


def test_bad_files_are_reported_and_the_rest_ingested(tmp_path: Path, settings: Settings,
                                                      detect) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text("De opvang van verzoekers om internationale bescherming "
                                     "wordt georganiseerd door Fedasil. " * 5, encoding="utf-8")
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "latin1.txt").write_bytes("Réfugiés et demandeurs d'asile".encode("latin-1"))
    report = _run(folder, settings, detect)
    assert report.documents == 1 and report.embedded >= 1
    joined = "\n".join(report.errors)
    assert "empty.txt: the file is empty" in joined
    assert "binary.txt: this is a binary file" in joined
    assert "latin1.txt: not valid UTF-8" in joined and "iconv" in joined


def test_read_document_messages(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("   \n\n ")
    with pytest.raises(IngestError, match="empty"):
        read_document(path)


def test_only_one_ingest_writes_at_a_time(settings: Settings) -> None:
    with ChunkStore.writer(settings, HashingEmbedder.name), pytest.raises(
        StoreError, match="Another ingest"
    ), ChunkStore.writer(settings, HashingEmbedder.name):
        pass


def test_chat_side_needs_an_index(settings: Settings) -> None:
    with pytest.raises(StoreError, match="vraagbaak ingest"):
        ChunkStore(settings, HashingEmbedder.name)


def test_other_embedder_is_refused(corpus_copy: Path, settings: Settings, detect) -> None:
    _run(corpus_copy, settings, detect, paths=[corpus_copy / "004_c3eb19900ec74119.txt"])
    with pytest.raises(StoreError, match="embedder"):
        ChunkStore(settings, "another-model")
