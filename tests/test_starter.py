"""The llama-index starter comparison row: its refusal rule, its answer mapping, its wiring."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import build_parser
from chat.llm import ReplayLLM
from eval.run import run_item
from eval.starter import EMPTY, StarterPipeline, looks_like_refusal, to_answer
from store.language import get_detector
from store.settings import Settings
from tests.conftest import test_settings


@pytest.fixture(scope="module")
def detector():  # noqa: ANN201
    return get_detector("lingua")


@pytest.fixture
def tiny(tmp_path: Path) -> Settings:
    """Two small documents (and a manifest the starter must skip) in a private data folder."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("In 2024 the reception agency Fedasil managed 35,000 "
                                  "reception places for asylum seekers in Belgium.\n")
    (corpus / "b.txt").write_text("Le gouvernement prévoit que le code de la migration soit "
                                  "finalisé au cours de cette législature.\n")
    (corpus / "manifest.json").write_text("{}")
    return test_settings(tmp_path, corpus_dir=corpus)


@pytest.mark.parametrize("text", [
    "",
    "Empty Response",
    "The context does not provide information about the cost of a visa.",
    "I don't know.",
    "There is no information about naturalisation fees in the documents.",
    "De documenten bevatten geen informatie over de kosten van een visum.",
    "Dat wordt niet vermeld in de tekst.",
    "Le document ne contient pas cette information.",
    "Il n'y a pas d'information sur ce sujet.",
    "Cette information n'est pas mentionnée dans le contexte.",
])
def test_plain_no_answer_statements_are_refusals(text: str) -> None:
    assert looks_like_refusal(text)


@pytest.mark.parametrize("text", [
    "Belgium sheltered more than 92,000 Ukrainians under temporary protection.",
    "Er zijn 35.000 opvangplaatsen.",
    "Le code de la migration sera finalisé au cours de cette législature.",
    # a hedge after a substantive opening is an answer, not a refusal
    "Fedasil managed 35.000 places. The note does not mention how many were in Brussels.",
    "Er zijn 35.000 plaatsen.\nHet aantal in Brussel wordt niet vermeld.",
])
def test_answers_are_not_refusals(text: str) -> None:
    assert not looks_like_refusal(text)


def _nodes() -> list:
    from llama_index.core.schema import NodeWithScore, TextNode

    return [
        NodeWithScore(node=TextNode(text="  Fedasil beheerde 35.000 opvangplaatsen.  ",
                                    metadata={"file_name": "000_x.txt",
                                              "file_path": "/c/000_x.txt"},
                                    start_char_idx=10, end_char_idx=52), score=0.61),
        NodeWithScore(node=TextNode(text="Le code de la migration sera finalisé.",
                                    metadata={"file_path": "/c/004_y.txt"}), score=0.4),
    ]


def test_response_maps_to_the_chain_answer(detector) -> None:  # noqa: ANN001
    from llama_index.core.base.response.schema import Response

    response = Response("Fedasil had 35,000 places.", source_nodes=_nodes())
    answer = to_answer("How many places?", "en", str(response), response.source_nodes,
                       detector)
    assert (answer.answer, answer.refused, answer.language) == (
        "Fedasil had 35,000 places.", False, "en")
    assert [c.doc for c in answer.citations] == ["000_x.txt", "004_y.txt"]
    first = answer.citations[0]
    assert (first.n, first.quote, first.language, first.start, first.end) == (
        1, "Fedasil beheerde 35.000 opvangplaatsen.", "nl", 10, 52)
    assert answer.citations[1].start == -1
    assert [(r["doc"], r["score"], r["language"]) for r in answer.retrieved] == [
        ("000_x.txt", 0.61, "nl"), ("004_y.txt", 0.4, "fr")]


def test_refusal_keeps_the_retrieved_passages_but_cites_nothing(detector) -> None:  # noqa: ANN001
    answer = to_answer("Visa cost?", "en", "The context does not mention visa fees.", _nodes(),
                       detector)
    assert answer.refused and not answer.citations and len(answer.retrieved) == 2
    assert answer.refusal_reason
    empty = to_answer("Visa cost?", "en", EMPTY, [], detector)
    assert empty.refused and "empty" in empty.refusal_reason


def test_pipeline_end_to_end_with_mock_models(tiny: Settings, detector) -> None:  # noqa: ANN001
    from llama_index.core.embeddings import MockEmbedding

    llm = ReplayLLM(["Fedasil managed 35,000 places.",
                     "How many reception places did Fedasil manage in 2024?", "35,000."])
    starter = StarterPipeline(tiny, llm=llm, embed_model=MockEmbedding(embed_dim=8),
                              detector=detector)
    assert starter.embedded
    assert (tiny.data_dir / "starter-chroma").is_dir()

    answer = starter.ask("How many reception places were there?")
    system, user = llm.prompts[0]
    assert system["role"] == "system" and "expert Q&A system" in system["content"]
    assert "35,000 reception places" in user["content"] and "Query: How many" in user["content"]
    assert {c.doc for c in answer.citations} == {"a.txt", "b.txt"}  # top 2, manifest skipped
    assert set(answer.timings) == {"total_s", "retrieval_s", "ttft_s"}

    history = [{"role": "user", "content": "How many reception places were there?"},
               {"role": "assistant", "content": "35,000"}]
    follow = starter.ask("And in 2024?", history)
    condense, final = llm.prompts[1], llm.prompts[2]
    assert "standalone question" in condense[0]["content"]
    assert [m["role"] for m in final] == ["system", "user", "assistant", "user"]
    assert follow.rewritten_question == "How many reception places did Fedasil manage in 2024?"
    assert follow.answer == "35,000." and follow.language == "en"

    result = run_item(starter, {"id": "q", "lang": "en", "question": "How many places?"}, True)
    assert result["answer_language"] is None and len(result["retrieved"]) == 2

    again = StarterPipeline(tiny, llm=ReplayLLM(), embed_model=MockEmbedding(embed_dim=8),
                            detector=detector)
    assert not again.embedded  # the Chroma collection is reused, nothing re-embedded


def test_eval_command_takes_a_pipeline() -> None:
    args = build_parser().parse_args(["eval", "--qa", "q.jsonl", "--out", "r.jsonl"])
    assert args.pipeline == "vraagbaak"
    args = build_parser().parse_args(["eval", "--pipeline", "starter", "--qa", "q.jsonl",
                                      "--out", "r.jsonl"])
    assert args.pipeline == "starter"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["eval", "--pipeline", "other", "--qa", "q", "--out", "r"])


@pytest.mark.models
def test_starter_with_the_real_models(tiny: Settings, default_settings: Settings) -> None:
    settings = test_settings(tiny.data_dir.parent, corpus_dir=tiny.corpus_dir,
                             models_dir=default_settings.models_dir)
    starter = StarterPipeline(settings)
    answer = starter.ask("How many reception places did Fedasil manage in 2024?")
    assert "35" in answer.answer and not answer.refused
    assert answer.citations and answer.citations[0].doc == "a.txt"
    assert answer.timings["ttft_s"] is not None
