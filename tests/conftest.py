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
