"""Conversation history as the CLI, the API and the chat page pass it in."""

from __future__ import annotations

from typing import Any


class HistoryError(ValueError):
    """The history is not a list of {role, content} turns."""


def parse_history(data: Any) -> list[dict[str, str]]:
    """Validate a JSON history: a list of {"role": "user"|"assistant", "content": str}."""
    if not isinstance(data, list):
        raise HistoryError("The history must be a JSON list of {role, content} objects.")
    turns = []
    for i, turn in enumerate(data):
        if not isinstance(turn, dict) or not isinstance(turn.get("content"), str):
            raise HistoryError(f"History turn {i} needs a text 'content'.")
        role = turn.get("role")
        if role not in ("user", "assistant"):
            raise HistoryError(f"History turn {i} has role {role!r}; use 'user' or 'assistant'.")
        turns.append({"role": role, "content": turn["content"]})
    return turns
