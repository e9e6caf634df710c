"""Prompt files, one folder per language, loaded and checked once at start.

A translator edits `prompts/<lang>/*.txt` and `messages.json`; the check makes sure every
language has the same files, the same placeholders and the same message keys, so a typo
fails at start-up instead of in front of a visitor.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from pathlib import Path

from store.language import SUPPORTED
from store.settings import REPO_ROOT

PROMPTS_DIR = REPO_ROOT / "prompts"
TEMPLATES = {
    "answer": {"language_name", "refusal", "passages", "question"},
    "rewrite": {"language_name", "history", "question"},
    # a question that names two documents: one sentence on each, each with its citation
    "compare": {"language_name", "refusal", "passages", "question", "first", "second"},
    # an answer with words left in the passages' language, rewritten in the user's
    "translate": {"language_name", "words", "answer"},
    # the best passage sentence for a reader whose language the document lacks
    "translate_quote": {"language_name", "source_name", "text"},
}
# "fallback" when the checks rejected the model's answer, "quoted" when the model overlooked
# a figure its best passage states: both then show the documents' own words
MESSAGE_KEYS = {"refusal", "empty", "too_long", "foreign", "busy", "fallback", "quoted", "sources",
                "error", "compare_part", "translated"}


class PromptError(RuntimeError):
    """A prompt file is missing or inconsistent across languages."""


@dataclass(frozen=True)
class Template:
    """A chat prompt: a system part and a user part, both with {placeholders}."""

    system: str
    user: str

    def render(self, **values: str) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": self.system.format(**values)},
            {"role": "user", "content": self.user.format(**values)},
        ]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _parse(path: Path) -> Template:
    text = path.read_text(encoding="utf-8")
    if "### system" not in text or "### user" not in text:
        raise PromptError(f"{path} needs a '### system' and a '### user' section.")
    system, user = text.split("### user", 1)
    return Template(system.split("### system", 1)[1].strip(), user.strip())


@dataclass(frozen=True)
class Prompts:
    """All prompts and user-facing messages, per language."""

    templates: dict[str, dict[str, Template]]
    messages: dict[str, dict[str, str]]

    def template(self, lang: str, name: str) -> Template:
        return self.templates[lang][name]

    def message(self, lang: str, key: str, **values: object) -> str:
        return self.messages.get(lang, self.messages["en"])[key].format(**values)


def load_prompts(folder: Path = PROMPTS_DIR) -> Prompts:
    """Load and validate every language's prompts; raise PromptError naming the problem."""
    templates: dict[str, dict[str, Template]] = {}
    messages: dict[str, dict[str, str]] = {}
    for lang in SUPPORTED:
        templates[lang] = {}
        for name, expected in TEMPLATES.items():
            path = folder / lang / f"{name}.txt"
            if not path.is_file():
                raise PromptError(f"Missing prompt file {path}.")
            tpl = _parse(path)
            found = _placeholders(tpl.system) | _placeholders(tpl.user)
            if found != expected:
                raise PromptError(
                    f"{path} has placeholders {sorted(found)}, expected {sorted(expected)}."
                )
            templates[lang][name] = tpl
        path = folder / lang / "messages.json"
        try:
            messages[lang] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PromptError(f"Cannot read {path}: {exc}") from exc
        if set(messages[lang]) != MESSAGE_KEYS:
            raise PromptError(
                f"{path} has keys {sorted(messages[lang])}, expected {sorted(MESSAGE_KEYS)}."
            )
    reference = {k: _placeholders(v) for k, v in messages["en"].items()}
    for lang, msgs in messages.items():
        for key, text in msgs.items():
            if _placeholders(text) != reference[key]:
                raise PromptError(f"prompts/{lang}/messages.json: {key!r} placeholders differ.")
    return Prompts(templates, messages)
