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
    en={"heading": "## Vraagbaak: Belgian asylum and migration policy",
        "description": "Ask in Dutch, French or English. Every answer cites the passages it "
        "rests on; when the documents do not hold the answer, Vraagbaak says so. "
        "Your questions are not stored.",
        "placeholder": "Your question…", "examples": "Examples"},
    nl={"heading": "## Vraagbaak: Belgisch asiel- en migratiebeleid",
        "description": "Stel uw vraag in het Nederlands, Frans of Engels. Elk antwoord "
        "vermeldt de passages waarop het steunt; staat het antwoord niet in de documenten, "
        "dan zegt Vraagbaak dat. Uw vragen worden niet bewaard.",
        "placeholder": "Uw vraag…", "examples": "Voorbeelden"},
    fr={"heading": "## Vraagbaak : politique belge d'asile et de migration",
        "description": "Posez votre question en néerlandais, en français ou en anglais. "
        "Chaque réponse cite les passages sur lesquels elle repose ; si les documents ne "
        "contiennent pas la réponse, Vraagbaak le dit. Vos questions ne sont pas conservées.",
        "placeholder": "Votre question…", "examples": "Exemples"},
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


def _text(content: Any) -> str:
    """Message text, whether Gradio hands it over as a string or as a list of parts."""
    if isinstance(content, list):
        return " ".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return content if isinstance(content, str) else ""


def _plain_history(history: list[Any]) -> list[dict[str, str]]:
    """The conversation as {role, content} text turns, without the Sources blocks."""
    turns = []
    for m in history:
        msg = m if isinstance(m, dict) else getattr(m, "__dict__", {})
        if (msg.get("metadata") or {}).get("title"):
            continue
        content = _text(msg.get("content"))
        if content.strip():
            turns.append({"role": msg.get("role", "user"), "content": content})
    return turns


def build_page(chain: Chain, gate: AnswerGate) -> gr.Blocks:
    """The chat page; `chat.server.build_server` mounts it on the API server.

    Plain Blocks rather than ChatInterface: the latter keeps conversations in the browser's
    localStorage, and the page must store nothing about a visitor.
    """

    def add_question(message: str, history: list[Any]) -> tuple[str, list[Any]]:
        if not message.strip():  # no words, so no language to detect: say it in all three
            polite = "  \n".join(chain.prompts.message(lang, "empty") for lang in ("nl", "fr",
                                                                                "en"))
            return "", [*history, {"role": "assistant", "content": polite}]
        return "", [*history, {"role": "user", "content": message}]

    def answer(history: list[Any]) -> Iterator[list[Any]]:
        if not history or history[-1].get("role") != "user":
            return
        question = _text(history[-1]["content"])
        past = _plain_history(history[:-1])
        text = ""
        try:
            with gate:
                for item in chain.stream(question, past):
                    if isinstance(item, Answer):
                        yield [*history, *_final(item)]
                        return
                    text += item
                    yield [*history, {"role": "assistant", "content": text}]
        except QuestionError as exc:
            yield [*history, {"role": "assistant", "content": str(exc)}]
        except Busy:
            lang = chain.detector.detect(question) or "en"
            yield [*history, {"role": "assistant", "content": chain.prompts.message(lang, "busy")}]
        except LLMError as exc:
            lang = chain.detector.detect(question) or "en"
            message = chain.prompts.message(lang, "error", detail=exc)
            yield [*history, {"role": "assistant", "content": message}]

    def _final(result: Answer) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = [{"role": "assistant", "content": result.answer}]
        if result.citations:
            title = chain.prompts.message(result.language, "sources")
            messages.append({
                "role": "assistant", "content": sources_markdown(result.citations),
                "metadata": {"title": f"{title} ({len(result.citations)})",
                             "status": "done"},
            })
        return messages

    with gr.Blocks(title="Vraagbaak", analytics_enabled=False, fill_height=True) as page:
        gr.Markdown(I18N("heading"))
        chatbot = gr.Chatbot(label="Vraagbaak", buttons=["copy"], scale=1, min_height=420,
                             placeholder=I18N("description"), sanitize_html=True,
                             group_consecutive_messages=False)
        with gr.Row():
            textbox = gr.Textbox(placeholder=I18N("placeholder"), label=I18N("placeholder"),
                                 show_label=False, scale=6, autofocus=True, submit_btn=True,
                                 max_length=chain.settings.max_question_chars)
        gr.Examples(EXAMPLES, inputs=textbox, label=I18N("examples"))
        textbox.submit(add_question, [textbox, chatbot], [textbox, chatbot], queue=False,
                       api_visibility="private").then(
            answer, chatbot, chatbot, api_visibility="private", concurrency_limit=4)
    return page
