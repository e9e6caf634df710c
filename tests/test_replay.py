"""eval/replay.py: a previous run's drafts replayed through today's post-processing."""

from chat.llm import LLMError
from chat.prompts import load_prompts
from eval.replay import DraftReplay
from store.settings import Settings
from tests.conftest import make_chain

QUESTION = "Que dit la note sur le réseau d'accueil de Fedasil ?"


def test_each_prompt_gets_what_the_previous_run_recorded() -> None:
    prompts = load_prompts()
    model = DraftReplay()
    model.current = {"draft": "Le réseau compte 38.300 places [1].",
                     "rewritten_question": "Et le réseau de Fedasil ?"}
    rewrite = prompts.template("fr", "rewrite").render(language_name="French", history="h",
                                                        question="q")
    answer = prompts.template("fr", "answer").render(language_name="French", refusal="r",
                                                      passages="p", question="q")
    translate = prompts.template("fr", "translate").render(language_name="French", words="w",
                                                            answer="a")
    assert "".join(model.stream(rewrite, 60)) == "Et le réseau de Fedasil ?"
    assert "".join(model.stream(answer, 200)) == "Le réseau compte 38.300 places [1]."
    try:
        "".join(model.stream(translate, 200))
    except LLMError:
        pass
    else:
        raise AssertionError("a translation was replayed that the run never recorded")


def test_the_chain_shows_the_replayed_draft(hashing_index: Settings) -> None:
    chain, _ = make_chain(hashing_index, [])
    refusal = load_prompts().message("fr", "refusal")
    model = DraftReplay()
    chain.llm = model
    model.current = {"draft": refusal}
    assert chain.ask(QUESTION).refused
    model.current = {"draft": "La note veut un réseau d'accueil plus petit et flexible [1]."}
    answer = chain.ask(QUESTION)
    assert not answer.refused
    assert answer.answer.startswith("La note veut un réseau d'accueil plus petit et flexible")


def test_a_missing_results_file_is_a_clear_error(tmp_path, capsys) -> None:  # noqa: ANN001
    from eval.replay import main

    code = main(["--qa", "eval/qa/nl.jsonl", "--base", str(tmp_path / "none.jsonl"),
                 "--out", str(tmp_path / "out.jsonl")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "none.jsonl" in err and "Traceback" not in err
