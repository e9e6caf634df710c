"""The command line as a user runs it: JSON summaries, exit codes, clear one-line errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from store.settings import REPO_ROOT, Settings


def run(*args: str, data: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "VRAAGBAAK_DATA_DIR": str(data), **env}
    return subprocess.run([sys.executable, str(REPO_ROOT / "app.py"), *args],
                          capture_output=True, text=True, timeout=900, env=environ)


@pytest.mark.models
def test_ingest_json_twice_then_bad_files(tmp_path: Path, default_settings: Settings) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "004_c3eb19900ec74119.txt").write_text(
        (REPO_ROOT / "corpus" / "004_c3eb19900ec74119.txt").read_text(encoding="utf-8"))
    first = run("ingest", str(docs), "--json", data=tmp_path / "data",
                VRAAGBAAK_EMBEDDING_CACHE="false")
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert set(summary) >= {"documents", "chunks", "embedded", "removed", "seconds"}
    assert summary["documents"] == 1 and summary["embedded"] == summary["chunks"] > 0
    second = json.loads(run("ingest", str(docs), "--json", data=tmp_path / "data").stdout)
    assert (second["embedded"], second["removed"]) == (0, 0)

    (docs / "empty.txt").write_text("")
    third = run("ingest", str(docs), "--json", data=tmp_path / "data")
    assert third.returncode == 1
    assert "empty.txt: the file is empty" in third.stderr
    assert "Traceback" not in third.stderr
    assert json.loads(third.stdout)["documents"] == 1


def test_ask_without_index_says_what_to_do(tmp_path: Path) -> None:
    out = run("ask", "Hoeveel opvangplaatsen zijn er?", data=tmp_path / "none",
              VRAAGBAAK_EMBEDDING_PATH=str(tmp_path / "no-model"))
    assert out.returncode == 1
    assert out.stderr.startswith("error: Model not found") or "vraagbaak ingest" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.models
def test_empty_question_is_a_polite_usage_error(tmp_path: Path,
                                                default_settings: Settings) -> None:
    out = run("ask", "   ", "--json", data=default_settings.data_dir)
    assert out.returncode == 2
    assert json.loads(out.stdout)["kind"] == "empty"


def test_bad_history_file(tmp_path: Path) -> None:
    history = tmp_path / "h.json"
    history.write_text('{"role": "user"}')
    out = run("ask", "En dan?", "--history", str(history), data=tmp_path)
    assert out.returncode == 1
    assert "must be a JSON list" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize(("variable", "value", "named"), [
    ("VRAAGBAAK_TRANSLATE_QUOTE", "en", "VRAAGBAAK_TRANSLATE_QUOTE"),  # a list, not JSON
    ("VRAAGBAAK_TRANSLATE_QUOTE", '["de"]', "VRAAGBAAK_TRANSLATE_QUOTE"),
    ("VRAAGBAAK_TOP_K", "four", "VRAAGBAAK_TOP_K"),
    ("CHROMA_PORT", "abc", "CHROMA_PORT"),  # an alias is named as the user wrote it
])
def test_an_invalid_setting_names_the_variable_to_fix(tmp_path: Path, variable: str,
                                                      value: str, named: str) -> None:
    out = run("ask", "Hoeveel opvangplaatsen zijn er?", data=tmp_path / "none",
              **{variable: value})
    assert out.returncode == 1
    assert out.stderr.startswith(f"error: The setting {named} is invalid"), out.stderr
    assert "unexpected" not in out.stderr and "Traceback" not in out.stderr
