"""Shared fixtures: a test settings profile, the real corpus, and the real models when present.

Tests that need the real models are marked `models`. Outside CI they are skipped when the
models have not been fetched; in CI (CI=true) a missing model is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from store.settings import REPO_ROOT, Settings

CORPUS = REPO_ROOT / "corpus"


def test_settings(tmp_path: Path, **overrides: object) -> Settings:
    """The test profile: a private data folder, the bundled corpus, the usual model cache."""
    values: dict[str, object] = {"data_dir": tmp_path / "data", "corpus_dir": CORPUS}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


test_settings.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return test_settings(tmp_path)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus with its manifest."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


def models_present(settings: Settings) -> bool:
    return settings.embedding_dir().is_dir() and settings.gguf_file().is_file()


@pytest.fixture(scope="session")
def default_settings() -> Settings:
    """The settings a user gets: the index built by ./setup.sh in data/."""
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    if not models_present(s):
        if os.environ.get("CI"):
            pytest.fail("The models are missing in CI: run ./setup.sh first.")
        pytest.skip("models not fetched (run: vraagbaak models fetch)")
    return s


@pytest.fixture(scope="session")
def real_embedder(default_settings: Settings):  # noqa: ANN201
    from chat.factory import build_embedder

    return build_embedder(default_settings)


@pytest.fixture(scope="session")
def hashing_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The bundled corpus in a real Chroma, embedded by the lexical test embedder."""
    from ingest.pipeline import ingest
    from store.embedder import HashingEmbedder
    from store.language import get_detector

    settings = test_settings(tmp_path_factory.mktemp("hashing-index"), min_relevance=0.2)
    ingest([CORPUS], settings, HashingEmbedder(), get_detector("lingua").detect)
    return settings


def make_chain(settings: Settings, replies: list[str]):  # noqa: ANN201
    """The real chain over the hashing index, with a replayed LLM (returns chain, llm)."""
    from chat.chain import Chain
    from chat.llm import ReplayLLM
    from chat.prompts import load_prompts
    from chat.retrieve import Retriever
    from store.embedder import HashingEmbedder
    from store.index import ChunkStore
    from store.language import get_detector
    from store.manifest import Manifest

    llm = ReplayLLM(replies)
    embedder = HashingEmbedder()
    store = ChunkStore(settings, embedder.name)
    manifest = Manifest.load(CORPUS)
    chain = Chain(settings, Retriever(store, embedder, manifest), llm, load_prompts(),
                  get_detector("lingua"), manifest)
    return chain, llm
