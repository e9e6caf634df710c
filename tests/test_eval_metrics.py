"""The eval metrics on hand-made results: each can fail, and each counts what it claims."""

from eval.metrics import (
    answer_correct,
    breakdown,
    citation_correct,
    fold,
    grounding,
    group_hit,
    numbers_grounded,
    refusal_correct,
    retrieval_hit,
)

ITEM = {"id": "x", "lang": "fr", "kind": "number", "question": "Combien ?",
        "must_include": [["136.000", "136 000"], ["asile"]],
        "gold_quotes": ["plus de 136.000 demandes d’asile, en plus des ef-\nforts"],
        "gold_doc": ["000_fb9c599bc3eacfb7.txt"], "expect_refusal": False}
UNANSWERABLE = {"id": "y", "lang": "en", "kind": "unanswerable", "question": "Cost?",
                "must_include": [], "gold_quotes": [], "gold_doc": [], "expect_refusal": True}


def _result(answer: str, refused: bool = False, docs: tuple[str, ...] = (),
            retrieved: tuple[str, ...] = (), quote: str = "") -> dict:
    return {"answer": answer, "refused": refused, "language": "fr", "answer_language": "fr",
            "citations": [{"doc": d, "quote": quote} for d in docs],
            "retrieved": [{"doc": "d", "text": t, "score": 0.5} for t in retrieved],
            "latency_s": 1.0, "ttft_s": 0.5, "retrieval_s": 0.1}


def test_group_hit_accepts_alternatives_and_number_formats() -> None:
    assert group_hit("Plus de 136,000 demandes d'asile [1].", ["136.000"])
    assert group_hit("Les DEMANDES D'ASILE", ["asile", "protection"])
    assert not group_hit("Plus de 13.600 demandes.", ["136.000", "136 000"])


def test_answer_accuracy_needs_every_group_and_no_refusal() -> None:
    assert answer_correct(ITEM, _result("Plus de 136 000 demandes d'asile [1]."))
    assert not answer_correct(ITEM, _result("Plus de 136 000 demandes [1]."))
    assert not answer_correct(ITEM, _result("136 000 demandes d'asile", refused=True))
    assert not answer_correct(UNANSWERABLE, _result("anything"))


def test_refusal_and_citation_accuracy() -> None:
    assert refusal_correct(UNANSWERABLE, _result("Non.", refused=True))
    assert not refusal_correct(ITEM, _result("Non.", refused=True))
    assert citation_correct(ITEM, _result("a", docs=("000_fb9c599bc3eacfb7.txt",)))
    assert not citation_correct(ITEM, _result("a", docs=("001_66f23cb0fac3c44c.txt",)))


def test_retrieval_hit_ignores_whitespace_and_hyphenation() -> None:
    repaired = "Depuis 2021, la Belgique a reçu plus de 136.000 demandes d’asile, en plus " \
               "des efforts déployés"
    assert retrieval_hit(ITEM, _result("", retrieved=(repaired,)))
    assert not retrieval_hit(ITEM, _result("", retrieved=("Fedasil compte 35.000 places",)))


def test_grounding_counts_numbers_and_names_in_citations() -> None:
    good = _result("Minister Van Bossuyt counts 136.000 requests [1].",
                   docs=("d",), quote="la ministre Van Bossuyt: 136 000 demandes")
    assert grounding(good) == (2, 2)
    bad = _result("Minister Francken counts 1000 requests [1].", docs=("d",),
                  quote="136 000 demandes")
    assert grounding(bad) == (0, 2)


def test_numbers_grounded_reads_the_whole_cited_passage_and_its_title() -> None:
    passage = "Fedasil opende 2 000 plaatsen. In totaal zijn er 35.000 opvangplaatsen."
    cited = {"answer": "Volgens de nota van 2025 zijn er 35 000 plaatsen [1].", "refused": False,
             "citations": [{"doc": "d", "quote": "Fedasil opende 2 000 plaatsen.",
                            "title": "Beleidsnota 2025 (Van Bossuyt)"}],
             "retrieved": [{"doc": "d", "text": passage}, {"doc": "e", "text": "Er zijn 16."}]}
    assert numbers_grounded(cited) is True  # 35 000 is past the quote; 2025 is the title's
    invented = dict(cited, answer="Er zijn 16 plaatsen [1].")
    assert numbers_grounded(invented) is False  # 16 is only in a passage it does not cite
    assert numbers_grounded(dict(cited, answer="Er zijn plaatsen [1].")) is None
    assert numbers_grounded(dict(invented, refused=True)) is None


def test_breakdown_groups_by_language_and_kind() -> None:
    pairs = [(ITEM, _result("136 000 demandes d'asile [1]",
                            docs=("000_fb9c599bc3eacfb7.txt",))),
             (UNANSWERABLE, _result("The documents do not say.", refused=True))]
    report = breakdown(pairs)
    assert report["overall"]["answer_accuracy"] == 1.0
    assert report["overall"]["refusal_accuracy"] == 1.0
    assert set(report["by_lang"]) == {"fr", "en"}
    assert report["by_kind"]["unanswerable"]["unanswerable_refused"] == 1.0
    assert fold("a-\n b\u00a0 C") == "ab c"
