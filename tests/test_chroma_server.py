"""CHROMA_HOST/CHROMA_PORT switch the store to a real Chroma server (`chroma run`, on
loopback) with no other change: ingest, idempotence and queries go through HttpClient."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from ingest.pipeline import ingest
from store.embedder import HashingEmbedder
from store.index import ChunkStore, StoreError
from store.language import get_detector
from tests.conftest import CORPUS, test_settings

CHROMA = shutil.which("chroma") or str(Path(os.sys.executable).parent / "chroma")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    if not Path(CHROMA).exists():
        pytest.skip("the chroma CLI is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([CHROMA, "run", "--path", str(path), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ,
                                                            "ANONYMIZED_TELEMETRY": "False"})
    try:
        for _ in range(60):
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        yield port
    finally:
        proc.terminate()
        proc.wait(20)


def test_ingest_and_query_through_a_chroma_server(chroma_server: int, tmp_path: Path) -> None:
    settings = test_settings(tmp_path, chroma_host="127.0.0.1", chroma_port=chroma_server)
    news = [CORPUS / "004_c3eb19900ec74119.txt"]
    detect = get_detector("lingua").detect
    first = ingest(news, settings, HashingEmbedder(), detect)
    assert first.embedded == first.chunks > 0
    assert ingest(news, settings, HashingEmbedder(), detect).embedded == 0
    store = ChunkStore(settings, HashingEmbedder.name)
    hits = store.query(HashingEmbedder().embed_query("Belgian presidency of the Council"), 3)
    assert hits and hits[0].doc == "004_c3eb19900ec74119.txt"
    assert not settings.chroma_dir().exists()  # nothing written to the local data folder


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = test_settings(tmp_path, chroma_host="127.0.0.1", chroma_port=port)
    with pytest.raises(StoreError, match="Cannot reach the Chroma server"):
        ChunkStore(settings, HashingEmbedder.name)
