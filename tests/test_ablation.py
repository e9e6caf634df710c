"""The ablation table's derived rows: a result without the checks, without the quote."""

from eval.ablation import table, without_checks, without_quote

RETRIEVED = [{"doc": "a.txt", "text": "Er zijn 208 verzoeken."},
             {"doc": "b.txt", "text": "Iets anders."}]


def test_without_checks_shows_the_draft_the_checks_stopped() -> None:
    refused = {"answer": "Geen antwoord.", "refused": True, "draft": "Het zijn er 300 [2].",
               "refusal_reason": "the answer's figure 300 is in no passage",
               "retrieved": RETRIEVED, "citations": []}
    shown = without_checks(refused)
    assert shown["answer"] == "Het zijn er 300 [2]." and not shown["refused"]
    assert [c["doc"] for c in shown["citations"]] == ["b.txt"]
    # a refusal decided before the model (threshold) has no draft: unchanged
    early = {**refused, "draft": "", "refusal_reason": "best passage similarity 0.30"}
    assert without_checks(early) == early
    # the model's own refusal is not a check
    own = {**refused, "refusal_reason": "the model found no answer in the passages"}
    assert without_checks(own) == own


def test_without_quote_drops_only_the_appended_words() -> None:
    answer = {"answer": "Het zijn er 208 [1].\n\n“Er zijn 208 verzoeken.” [1]", "refused": False}
    assert without_quote(answer)["answer"] == "Het zijn er 208 [1]."
    fallback = {**answer, "fallback": True}
    assert without_quote(fallback) == fallback
    two = {"answer": "Het zijn er 208 [1].\n\n“Er zijn 208 verzoeken.” [1]\n\n“Hotels eerst.” [3]",
           "refused": False, "citations": [{"n": 1, "doc": "a"}, {"n": 3, "doc": "b"}]}
    stripped = without_quote(two)
    assert stripped["answer"] == "Het zijn er 208 [1]."
    assert stripped["citations"] == [{"n": 1, "doc": "a"}]  # [3] was cited by a quote only


def test_table_shows_each_variant_against_the_full_chain() -> None:
    base = {"items": 2, "answer_accuracy": 0.5}
    text = table([("full chain", base), ("without x", {"items": 2, "answer_accuracy": 0.25})],
                 base)
    assert "| full chain | 2 | 0.500 |" in text
    assert "0.250 (-0.250)" in text
