"""The LLM seam: the OpenAI-compatible client against the real in-process llama.cpp server,
and clear errors for a broken GGUF and an unreachable server."""

import socket
from pathlib import Path

import pytest

from chat.llm import LLMError, LocalLlamaServer, OpenAICompatibleLLM, _sse_deltas
from store.models import ModelError
from store.settings import Settings


def test_sse_deltas_reads_openai_stream() -> None:
    lines = ['data: {"choices":[{"delta":{"content":"Bon"}}]}', "",
             ': keep-alive', 'data: {"choices":[{"delta":{"content":"jour"}}]}',
             "data: [DONE]", 'data: {"choices":[{"delta":{"content":"late"}}]}']
    assert "".join(_sse_deltas(lines)) == "Bonjour"


def test_unreachable_server_says_what_to_do() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # a port nobody listens on once the socket closes
    llm = OpenAICompatibleLLM(f"http://127.0.0.1:{port}/v1", "m", timeout_s=5)
    with pytest.raises(LLMError, match="Cannot reach the language model"):
        list(llm.stream([{"role": "user", "content": "hi"}], 5))


def test_broken_gguf_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00\x01" * 5000)
    with pytest.raises(ModelError, match="could not load"):
        LocalLlamaServer(broken, threads=1, context=256)


@pytest.mark.models
def test_local_server_streams_and_requires_its_key(default_settings: Settings) -> None:
    server = LocalLlamaServer(default_settings.gguf_file(), 2, 1024,
                              verified_in=default_settings.models_dir)
    assert server.base_url.startswith("http://127.0.0.1:")
    llm = OpenAICompatibleLLM(server.base_url, "local", server.api_key)
    messages = [{"role": "user", "content": "Reply with the single word: Brussel"}]
    text = "".join(llm.stream(messages, 8))
    assert "brussel" in text.lower()
    with pytest.raises(LLMError, match="401"):
        list(OpenAICompatibleLLM(server.base_url, "local", "wrong-key").stream(messages, 4))
