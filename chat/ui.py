"""The Gradio chat page: the same chain as the API, with the sources under each answer.

The answer streams in; under it, a collapsible "Sources" block lists each cited passage
(title, section, language, quote). Labels follow the browser's language (nl/fr/en).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from chat.chain import Answer, Chain, Citation, QuestionError
from chat.gate import AnswerGate, Busy
from chat.llm import LLMError

LANGUAGE_LABEL = {"nl": "Nederlands", "fr": "français", "en": "English"}

I18N = gr.I18n(
    en={"title": "Vraagbaak: Belgian asylum and migration policy",
        "description": "Ask in Dutch, French or English. Every answer cites the passages it "
        "rests on; when the documents do not hold the answer, Vraagbaak says so. "
        "Your questions are not stored.",
        "placeholder": "Your question…", "submit": "Ask", "sources": "Sources",
        "examples": "Examples"},
    nl={"title": "Vraagbaak: Belgisch asiel- en migratiebeleid",
        "description": "Stel uw vraag in het Nederlands, Frans of Engels. Elk antwoord "
        "vermeldt de passages waarop het steunt; staat het antwoord niet in de documenten, "
        "dan zegt Vraagbaak dat. Uw vragen worden niet bewaard.",
        "placeholder": "Uw vraag…", "submit": "Vragen", "sources": "Bronnen",
        "examples": "Voorbeelden"},
    fr={"title": "Vraagbaak : politique belge d'asile et de migration",
        "description": "Posez votre question en néerlandais, en français ou en anglais. "
        "Chaque réponse cite les passages sur lesquels elle repose ; si les documents ne "
        "contiennent pas la réponse, Vraagbaak le dit. Vos questions ne sont pas conservées.",
        "placeholder": "Votre question…", "submit": "Demander", "sources": "Sources",
        "examples": "Exemples"},
)

EXAMPLES = [
    "Hoeveel opvangplaatsen telt het netwerk van Fedasil volgens de beleidsnota van 2025?",
    "Que prévoit l'exposé d'orientation politique de 2022 pour le retour volontaire ?",
    "What does the NGO memorandum ask about family reunification?",
]


def sources_markdown(citations: list[Citation]) -> str:
    """One block per cited passage: number, title, section, language, then the quote."""
    parts = []
    for c in citations:
        head = f"**[{c.n}] {c.title}**"
        where = " · ".join(x for x in (c.section.split(" > ")[-1] if c.section else "",
                                       LANGUAGE_LABEL.get(c.language, c.language)) if x)
        parts.append(f"{head}  \n<small>{where} · {c.doc}</small>\n\n> {c.quote}")
    return "\n\n".join(parts)


def _plain_history(history: list[Any]) -> list[dict[str, str]]:
    """The conversation as {role, content} text turns, without the Sources blocks."""
    turns = []
    for m in history:
        msg = m if isinstance(m, dict) else getattr(m, "__dict__", {})
        if (msg.get("metadata") or {}).get("title"):
            continue
        content = msg.get("content")
        if isinstance(content, list):  # Gradio 6 may send a list of content parts
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        if isinstance(content, str) and content.strip():
            turns.append({"role": msg.get("role", "user"), "content": content})
    return turns


def build_page(chain: Chain, gate: AnswerGate) -> gr.Blocks:
    """The chat page; `app.py` mounts it on the API server."""

    def respond(message: str, history: list[Any]) -> Iterator[Any]:
        text = ""
        try:
            with gate:
                for item in chain.stream(message, _plain_history(history)):
                    if isinstance(item, Answer):
                        yield _final(item)
                        return
                    text += item
                    yield text
        except QuestionError as exc:
            yield str(exc)
        except Busy:
            yield chain.prompts.message(chain.detector.detect(message) or "en", "busy")
        except LLMError as exc:
            lang = chain.detector.detect(message) or "en"
            yield chain.prompts.message(lang, "error", detail=exc)

    def _final(answer: Answer) -> list[gr.ChatMessage]:
        messages = [gr.ChatMessage(role="assistant", content=answer.answer)]
        if answer.citations:
            title = chain.prompts.message(answer.language, "sources")
            messages.append(gr.ChatMessage(
                role="assistant", content=sources_markdown(answer.citations),
                metadata={"title": f"📄 {title} ({len(answer.citations)})", "status": "done"},
            ))
        return messages

    chatbot = gr.Chatbot(height=560, label="Vraagbaak", buttons=["copy"],
                         placeholder=I18N("description"), sanitize_html=True)
    textbox = gr.Textbox(placeholder=I18N("placeholder"), submit_btn=I18N("submit"),
                         max_length=chain.settings.max_question_chars, show_label=False)
    return gr.ChatInterface(
        respond, chatbot=chatbot, textbox=textbox, examples=EXAMPLES,
        examples_label=I18N("examples"), title=I18N("title"), description=I18N("description"),
        flagging_mode="never", analytics_enabled=False, save_history=False,
        concurrency_limit=4, autofocus=True, fill_height=True, api_visibility="private",
    )
