"""Plain-text rendering of an answer for the terminal."""

from __future__ import annotations

import textwrap

from chat.chain import Answer


def render_plain(answer: Answer, sources_label: str = "Sources") -> str:
    """The answer, then the numbered sources: title, section, quote."""
    lines = [answer.answer, ""]
    if answer.citations:
        lines.append(f"{sources_label}:")
        for c in answer.citations:
            where = f"{c.title} ({c.doc})" + (f", {c.section}" if c.section else "")
            lines.append(f"[{c.n}] {where} [{c.language}]")
            lines.extend(textwrap.wrap(f"“{c.quote}”", 96, initial_indent="    ",
                                       subsequent_indent="    "))
    return "\n".join(lines).rstrip() + "\n"
