"""The HTTP API with the real chain over a real Chroma (lexical embedder, replayed LLM):
the answer contract, polite errors, busy, server-sent events, OpenAPI, CORS, safe files."""

import json
import threading

import pytest
from fastapi.testclient import TestClient

from chat.gate import AnswerGate
from chat.server import build_server, create_api
from store.settings import Settings
from tests.conftest import make_chain

QUESTION = "Que dit la note sur le réseau d'accueil de Fedasil ?"
KEYS = {"question", "language", "answer", "refused", "rewritten_question", "citations",
        "retrieved", "timings"}


@pytest.fixture
def client_and_llm(hashing_index: Settings):  # noqa: ANN201
    chain, llm = make_chain(hashing_index, [])
    return TestClient(create_api(hashing_index, chain, AnswerGate(1))), llm


def test_ask_returns_the_cli_json_object(client_and_llm) -> None:  # noqa: ANN001
    client, llm = client_and_llm
    llm.replies.append("Le réseau d'accueil de Fedasil est sous pression [1].")
    resp = client.post("/api/ask", json={"question": QUESTION, "history": []})
    assert resp.status_code == 200
    data = resp.json()
    assert set(data) >= KEYS and data["language"] == "fr"
    assert data["citations"] and set(data["citations"][0]) >= {"n", "doc", "title", "quote",
                                                              "start", "end"}


def test_bad_questions_get_a_polite_message(client_and_llm) -> None:  # noqa: ANN001
    client, llm = client_and_llm
    empty = client.post("/api/ask", json={"question": "  "})
    assert empty.status_code == 400 and empty.json()["kind"] == "empty"
    long = client.post("/api/ask", json={"question": "Pourquoi " * 120})
    assert long.status_code == 400 and "trop longue" in long.json()["error"]
    history = client.post("/api/ask", json={"question": "Et alors ?",
                                            "history": [{"role": "robot", "content": "x"}]})
    assert history.status_code == 400 and history.json()["kind"] == "history"
    assert llm.prompts == []


def test_busy_when_the_queue_is_full(hashing_index: Settings) -> None:
    chain, _ = make_chain(hashing_index, [])
    gate = AnswerGate(0)
    client = TestClient(create_api(hashing_index, chain, gate))
    held = threading.Event()
    release = threading.Event()

    def occupy() -> None:
        with gate:
            held.set()
            release.wait(5)

    worker = threading.Thread(target=occupy)
    worker.start()
    held.wait(5)
    try:  # one question is being answered and none may wait: the next one is turned away
        resp = client.post("/api/ask", json={"question": QUESTION})
        assert resp.status_code == 503
        assert resp.json()["kind"] == "busy"
        assert "Réessayez" in resp.json()["error"]
    finally:
        release.set()
        worker.join()


def test_stream_sends_tokens_then_the_answer(client_and_llm) -> None:  # noqa: ANN001
    client, llm = client_and_llm
    llm.replies.append("Le réseau d'accueil de Fedasil est sous pression [1].")
    with client.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        body = "".join(resp.iter_text())
    events = [(b.split("\n")[0][7:], json.loads(b.split("\n")[1][6:]))
              for b in body.strip().split("\n\n")]
    kinds = [k for k, _ in events]
    assert kinds[-1] == "answer" and kinds.count("token") >= 2
    assert "".join(d["text"] for k, d in events if k == "token").startswith("Le réseau")
    assert events[-1][1]["citations"]


def test_openapi_describes_both_endpoints(client_and_llm) -> None:  # noqa: ANN001
    client, _ = client_and_llm
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/ask" in paths and "/api/ask/stream" in paths


def test_cors_only_for_listed_origins(client_and_llm) -> None:  # noqa: ANN001
    client, _ = client_and_llm
    headers = {"Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "content-type"}
    ok = client.options("/api/ask", headers={"Origin": "http://127.0.0.1:8081", **headers})
    assert ok.headers.get("access-control-allow-origin") == "http://127.0.0.1:8081"
    evil = client.options("/api/ask", headers={"Origin": "https://evil.example", **headers})
    assert "access-control-allow-origin" not in evil.headers


def test_widget_is_served_from_the_server(client_and_llm) -> None:  # noqa: ANN001
    client, _ = client_and_llm
    resp = client.get("/widget.js")
    assert resp.status_code == 200 and "customElements.define" in resp.text
    assert "http://" not in resp.text.replace("http://127", "")  # no third-party URL


def test_page_does_not_serve_data_or_models(hashing_index: Settings) -> None:
    chain, _ = make_chain(hashing_index, [])
    client = TestClient(build_server(hashing_index, chain))
    assert client.get("/").status_code == 200
    for secret in (hashing_index.chroma_dir() / "chroma.sqlite3",
                   hashing_index.corpus_dir / "manifest.json"):
        for url in (f"/gradio_api/file={secret}", f"/file={secret}"):
            assert client.get(url).status_code in (403, 404), url
