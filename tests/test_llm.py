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


def test_sse_deltas_report_why_the_stream_ended() -> None:
    lines = ['data: {"choices":[{"delta":{"content":"We betre"},"finish_reason":null}]}',
             'data: {"choices":[{"delta":{},"finish_reason":"length"}]}', "data: [DONE]"]
    ended: list[str] = []
    assert "".join(_sse_deltas(lines, ended)) == "We betre"
    assert ended == ["length"]


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
    assert llm.finish_reason == "stop"
    long = [{"role": "user", "content": "Count from one to fifty in words."}]
    assert len("".join(llm.stream(long, 4))) > 0 and llm.finish_reason == "length"
    with pytest.raises(LLMError, match="401"):
        list(OpenAICompatibleLLM(server.base_url, "local", "wrong-key").stream(messages, 4))


def test_prompt_cache_reuse_is_a_setting_sent_to_the_server() -> None:
    """The request body carries cache_prompt as configured (an ablation lever)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    bodies: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(b'data: {"choices":[{"delta":{"content":"ok"}}]}\n\ndata: [DONE]\n\n')

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/v1"
    try:
        for cache in (True, False):
            reply = OpenAICompatibleLLM(url, "m", cache_prompt=cache).stream(
                [{"role": "user", "content": "hi"}], 4)
            assert "".join(reply) == "ok"
    finally:
        server.shutdown()
    assert [b["cache_prompt"] for b in bodies] == [True, False]
