"""The HTTP side: JSON and streaming APIs, the widget's files, and the chat page mounted on it.

One model answers one question at a time, so requests pass through a bounded gate: a few
may wait their turn, the next is told politely that Vraagbaak is busy. Nothing about a
visitor's question is logged or stored.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from chat.chain import Answer, Chain, QuestionError
from chat.gate import AnswerGate, Busy
from chat.history import HistoryError, parse_history
from chat.llm import LLMError
from store.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"


class AskRequest(BaseModel):
    question: str = Field(description="The question, in Dutch, French or English.")
    history: list[dict[str, str]] = Field(
        default_factory=list, description="Earlier turns: [{role: user|assistant, content}]."
    )


def _error(status: int, message: str, kind: str, language: str) -> JSONResponse:
    return JSONResponse({"error": message, "kind": kind, "language": language},
                        status_code=status)


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def create_api(settings: Settings, chain: Chain, gate: AnswerGate) -> FastAPI:
    """The FastAPI app: /api/ask, /api/ask/stream, /widget.js, /openapi.json."""
    app = FastAPI(
        title="Vraagbaak",
        version="0.1.0",
        description="Questions about Belgian asylum and migration policy, answered in Dutch, "
        "French or English with citations of the exact passages.",
        root_path=settings.root_path,
        telemetry={"auto_configure": False, "tracing": False, "metrics": False,
                   "logs": False},
    )
    app.add_middleware(
        CORSMiddleware, allow_origins=settings.allowed_origins, allow_credentials=False,
        allow_methods=["GET", "POST"], allow_headers=["Content-Type"],
    )

    def language_of(question: str) -> str:
        return chain.detector.detect(question) or "en"

    @app.post("/api/ask", summary="Answer a question (the same object as `vraagbaak ask --json`)")
    def ask(body: AskRequest) -> Any:
        try:
            history = parse_history(body.history)
            with gate:
                answer = chain.ask(body.question, history)
        except QuestionError as exc:
            return _error(400, str(exc), exc.kind, exc.language)
        except HistoryError as exc:
            return _error(400, str(exc), "history", "en")
        except Busy:
            lang = language_of(body.question)
            return _error(503, chain.prompts.message(lang, "busy"), "busy", lang)
        except LLMError as exc:
            lang = language_of(body.question)
            return _error(502, chain.prompts.message(lang, "error", detail=exc), "llm", lang)
        return answer.to_dict()

    @app.post("/api/ask/stream", summary="Answer a question as server-sent events",
              response_class=StreamingResponse,
              description="Events: `token` ({text}) while the answer is generated, then "
              "`answer` (the full object, with citations), or `error` ({error, kind}).")
    async def ask_stream(body: AskRequest, request: Request) -> StreamingResponse:
        async def events() -> AsyncIterator[str]:
            queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
            loop = asyncio.get_running_loop()
            worker = loop.run_in_executor(None, _produce, body, queue, loop)
            while True:
                kind, data = await queue.get()
                if kind == "end":
                    break
                yield _sse(kind, data)
                if await request.is_disconnected():
                    break
            await worker

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    def _produce(body: AskRequest, queue: asyncio.Queue, loop: asyncio.AbstractEventLoop) -> None:
        def put(kind: str, data: Any) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, (kind, data))

        try:
            history = parse_history(body.history)
            with gate:
                for item in chain.stream(body.question, history):
                    if isinstance(item, Answer):
                        put("answer", item.to_dict())
                    else:
                        put("token", {"text": item})
        except QuestionError as exc:
            put("error", {"error": str(exc), "kind": exc.kind, "language": exc.language})
        except HistoryError as exc:
            put("error", {"error": str(exc), "kind": "history", "language": "en"})
        except Busy:
            lang = language_of(body.question)
            put("error", {"error": chain.prompts.message(lang, "busy"), "kind": "busy",
                          "language": lang})
        except LLMError as exc:
            lang = language_of(body.question)
            put("error", {"error": chain.prompts.message(lang, "error", detail=exc),
                          "kind": "llm", "language": lang})
        finally:
            put("end", None)

    @app.get("/widget.js", include_in_schema=False)
    def widget_js() -> FileResponse:
        return FileResponse(STATIC / "widget.js", media_type="text/javascript")

    return app


def build_server(settings: Settings, chain: Chain) -> FastAPI:
    """API + widget + the Gradio chat page at "/", sharing one chain and one gate."""
    import gradio as gr

    from chat.ui import I18N, build_page

    gate = AnswerGate(settings.max_waiting)
    app = create_api(settings, chain, gate)
    page = build_page(chain, gate)
    page.queue(max_size=settings.max_waiting + 4, default_concurrency_limit=4)
    blocked = [str(p) for p in (settings.data_dir, settings.models_dir, settings.corpus_dir)]
    return gr.mount_gradio_app(
        app, page, path="/", footer_links=[], run_history=False, root_path=settings.root_path
        or None, allowed_paths=[], blocked_paths=blocked, show_error=False, max_file_size=0,
        ssr_mode=False, enable_monitoring=False, pwa=False, i18n=I18N, mcp_server=False,
    )
