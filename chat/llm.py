"""Language models behind one small interface: stream text for a list of chat messages.

The local GGUF runs in llama.cpp's own server (xllamacpp) inside this process, listening on
loopback with a random API key; remote servers speak the same OpenAI-compatible protocol.
So one HTTP client serves both, and tests can swap in `ReplayLLM`.
"""

from __future__ import annotations

import json
import secrets
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

import httpx

from store.models import LLM as LLM_SPEC
from store.models import ModelError, require
from store.settings import Settings

Message = dict[str, str]


class LLMError(RuntimeError):
    """The model could not answer; the message says what to do."""


class ChatModel(Protocol):
    """Narrow seam: anything that streams a reply to chat messages."""

    name: str
    # why the last stream ended: "length" when it hit max_tokens (None when unknown)
    finish_reason: str | None

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]: ...


class OpenAICompatibleLLM:
    """Any server with /chat/completions (vLLM, Ollama, llama.cpp server, hosted APIs)."""

    def __init__(self, base_url: str, model: str, api_key: str = "", timeout_s: float = 180.0,
                 cache_prompt: bool = True):
        self.name = model
        self._cache_prompt = cache_prompt
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = httpx.Timeout(timeout_s, connect=10.0)
        self.finish_reason: str | None = None

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        body = {
            "model": self._model, "messages": messages, "max_tokens": max_tokens,
            "temperature": 0, "stream": True, "cache_prompt": self._cache_prompt,
        }
        self.finish_reason = None
        try:
            with httpx.stream("POST", self._url, json=body, headers=self._headers,
                              timeout=self._timeout) as resp:
                if resp.status_code != 200:
                    resp.read()
                    raise LLMError(
                        f"The language model server at {self._url} answered "
                        f"{resp.status_code}: {resp.text[:200]}. Check VRAAGBAAK_LLM_BASE_URL, "
                        "VRAAGBAAK_LLM_MODEL and VRAAGBAAK_LLM_API_KEY."
                    )
                ended: list[str] = []
                yield from _sse_deltas(resp.iter_lines(), ended)
                self.finish_reason = ended[-1] if ended else None
        except httpx.HTTPError as exc:
            raise LLMError(
                f"Cannot reach the language model at {self._url} ({exc}). Start the server or "
                "use the local model (VRAAGBAAK_LLM_MODE=local)."
            ) from exc


def _sse_deltas(lines: Iterable[str], ended: list[str] | None = None) -> Iterator[str]:
    """Content deltas from an OpenAI-style server-sent event stream.

    Each choice's `finish_reason` ("stop", "length") is appended to `ended` when given.
    """
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            event = json.loads(data)
        except ValueError:
            continue
        for choice in event.get("choices", []):
            text = (choice.get("delta") or {}).get("content")
            if text:
                yield text
            if choice.get("finish_reason") and ended is not None:
                ended.append(choice["finish_reason"])


class LocalLlamaServer:
    """llama.cpp's server for a local GGUF, in-process, on loopback, behind a random key."""

    def __init__(self, gguf: Path, threads: int, context: int, verified_in: Path | None = None):
        spec = LLM_SPEC if verified_in and gguf == verified_in / LLM_SPEC.target else None
        require(gguf, spec, verified_in or gguf.parent)
        try:
            import xllamacpp
        except ImportError as exc:
            raise ModelError(
                "The local model needs xllamacpp: pip install xllamacpp==2026.10.11549, "
                "or use a server (VRAAGBAAK_LLM_MODE=openai)."
            ) from exc
        params = xllamacpp.CommonParams()
        params.model.path = str(gguf)
        params.n_ctx = context
        params.n_parallel = 1
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.hostnames = ["127.0.0.1"]
        params.port = 0
        params.cors_origins = "http://127.0.0.1"
        params.verbosity = -1
        self.api_key = secrets.token_urlsafe(24)
        params.api_keys = [self.api_key]
        try:
            self._server = xllamacpp.Server(params)
        except Exception as exc:
            hint = ("If it is a broken download, delete it and run: vraagbaak models fetch"
                    if spec else "Check that VRAAGBAAK_LLM_PATH names a valid GGUF file.")
            raise ModelError(f"llama.cpp could not load {gguf} ({exc}). {hint}") from exc
        self.base_url = self._server.listening_address.rstrip("/") + "/v1"


class LocalLLM(OpenAICompatibleLLM):
    """The local GGUF through its in-process server."""

    def __init__(self, settings: Settings) -> None:
        gguf = settings.gguf_file()
        self._server = LocalLlamaServer(
            gguf, settings.llm_threads, settings.llm_context,
            verified_in=settings.models_dir if settings.llm_path is None else None,
        )
        super().__init__(self._server.base_url, gguf.stem, self._server.api_key,
                         settings.llm_timeout_s, settings.llm_cache_prompt)


class ReplayLLM:
    """Test double: replays queued replies in order and records the prompts it was sent."""

    name = "replay"

    PIECE = 7  # characters per "token": max_tokens of them are sent, as a server would

    def __init__(self, replies: Iterable[str] = ()) -> None:
        self.replies: deque[str] = deque(replies)
        self.prompts: list[list[Message]] = []
        self.finish_reason: str | None = None

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        self.prompts.append(messages)
        if not self.replies:
            raise LLMError("ReplayLLM has no reply queued for this call.")
        reply = self.replies.popleft()
        limit = max_tokens * self.PIECE
        self.finish_reason = "length" if len(reply) > limit else "stop"
        for i in range(0, min(len(reply), limit), self.PIECE):
            yield reply[i : i + self.PIECE]


def build_llm(settings: Settings) -> ChatModel:
    """The configured model; errors say what to install or set."""
    if settings.llm_mode == "local":
        return LocalLLM(settings)
    if settings.llm_mode == "openai":
        return OpenAICompatibleLLM(settings.llm_base_url, settings.llm_model,
                                   settings.llm_api_key, settings.llm_timeout_s,
                                   settings.llm_cache_prompt)
    raise LLMError(f"Unknown llm_mode {settings.llm_mode!r}: use 'local' or 'openai'.")
