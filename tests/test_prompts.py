"""Prompt files: every language has the same templates, placeholders and messages."""

import shutil
from pathlib import Path

import pytest

from chat.prompts import PROMPTS_DIR, PromptError, load_prompts


def test_all_languages_load_and_render() -> None:
    prompts = load_prompts()
    for lang in ("nl", "fr", "en"):
        messages = prompts.template(lang, "answer").render(
            language_name="X", refusal=prompts.message(lang, "refusal"), passages="[1] p",
            question="q?",
        )
        assert [m["role"] for m in messages] == ["system", "user"]
        assert prompts.message(lang, "refusal") in messages[-1]["content"]
    assert prompts.message("fr", "too_long", length=900, limit=500).startswith("Votre question")


def test_missing_placeholder_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, broken)
    path = broken / "fr" / "answer.txt"
    path.write_text(path.read_text().replace("{question}", "la question"))
    with pytest.raises(PromptError, match="placeholders"):
        load_prompts(broken)


def test_message_keys_must_match(tmp_path: Path) -> None:
    broken = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, broken)
    (broken / "nl" / "messages.json").write_text('{"refusal": "Nee."}')
    with pytest.raises(PromptError, match="keys"):
        load_prompts(broken)
