"""The committed question set is valid and balanced, and the checker really catches broken items.

The first half guards eval/qa/*.jsonl against the corpus (every gold quote exact, every
required term backed by a quote); the second half feeds the checker broken items so that it
cannot silently pass everything.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path

import pytest

from eval.qa_check import (
    DEFAULT_CORPUS,
    DEFAULT_QA_DIR,
    KINDS,
    LANGS,
    Item,
    check_items,
    counts,
    format_counts,
    load_items,
    main,
    norm,
)

QA_FILES = sorted(DEFAULT_QA_DIR.glob("*.jsonl"))


@pytest.fixture(scope="module")
def items() -> list[Item]:
    assert QA_FILES, f"no question files in {DEFAULT_QA_DIR}"
    return load_items(QA_FILES)


# --------------------------------------------------------------------------- the committed set


def test_committed_set_has_no_problems(items: list[Item]) -> None:
    problems = check_items(items, DEFAULT_CORPUS)
    assert problems == [], "\n".join(problems)


def test_set_size_and_language_balance(items: list[Item]) -> None:
    assert len(items) >= 150
    per_lang = Counter(i["lang"] for i in items)
    assert set(per_lang) == set(LANGS)
    for lang, n in per_lang.items():
        assert 0.30 <= n / len(items) <= 0.37, f"{lang}: {n} of {len(items)}"


def test_every_language_has_every_kind(items: list[Item]) -> None:
    table = counts(items)
    missing = [(lang, kind) for lang in LANGS for kind in KINDS if table.get((lang, kind), 0) < 3]
    assert missing == [], f"fewer than 3 items for {missing}\n{format_counts(table)}"


def test_enough_unanswerable_per_language(items: list[Item]) -> None:
    for lang in LANGS:
        mine = [i for i in items if i["lang"] == lang]
        refusals = [i for i in mine if i["expect_refusal"]]
        assert len(refusals) / len(mine) >= 0.09, lang


def test_file_names_match_languages() -> None:
    for path in QA_FILES:
        assert {i["lang"] for i in load_items([path])} == {path.stem}, path.name


def test_cli_passes_on_committed_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "0 problems" in out and "total" in out


# --------------------------------------------------------------------------- the checker itself

DOC = "doc.txt"
DOC_TEXT = (
    "La Belgique a reçu plus de 136.000 demandes d’asile, en plus des ef-\n"
    "forts pour protéger 92.000 Ukrainiens. Le réseau compte\u00a038.300 places.\n"
    "Les demandeurs Dublin seront accueillis dans des centres Dublin sobres.\n"
)
QUOTE = "plus de 136.000 demandes d’asile, en plus des ef-\nforts"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A one-document corpus with end-of-line hyphenation and a non-breaking space."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / DOC).write_text(DOC_TEXT, encoding="utf-8")
    return folder


def _good() -> Item:
    return {
        "id": "fr-number-001", "lang": "fr", "kind": "number",
        "question": "Combien de demandes d'asile la Belgique a-t-elle reçues ?",
        "must_include": [["136.000", "136 000"], ["efforts"]],
        "gold_quotes": [QUOTE], "gold_doc": [DOC], "expect_refusal": False,
    }


def _problems(item: Item, corpus: Path) -> list[str]:
    return check_items([item], corpus)


def test_a_good_item_passes(corpus: Path) -> None:
    # "efforts" is only in the quote across a line-end hyphen: normalisation must undo it.
    assert _problems(_good(), corpus) == []


def test_quote_not_in_document_is_caught(corpus: Path) -> None:
    item = _good()
    item["gold_quotes"] = ["plus de 137.000 demandes d’asile, en plus des efforts"]
    assert any("not an exact substring" in p for p in _problems(item, corpus))


def test_retyped_quote_without_raw_line_break_is_caught(corpus: Path) -> None:
    item = _good()
    item["gold_quotes"] = [QUOTE.replace("ef-\nforts", "efforts")]
    assert any("not an exact substring" in p for p in _problems(item, corpus))


def test_unsupported_must_include_group_is_caught(corpus: Path) -> None:
    item = _good()
    item["must_include"].append(["réinstallation"])
    problems = _problems(item, corpus)
    assert any("must_include[2]" in p and "not supported" in p for p in problems)


def test_support_entry_backs_a_translation_only_when_it_is_quoted(corpus: Path) -> None:
    item = _good()
    item["must_include"] = [["asylum applications"]]
    assert any("not supported" in p for p in _problems(item, corpus))
    item["support"] = {"asylum applications": "demandes d’asile"}
    assert _problems(item, corpus) == []
    item["support"] = {"asylum applications": "demandes de protection"}
    assert any("support['asylum applications']" in p for p in _problems(item, corpus))


def test_duplicate_id_is_caught(corpus: Path) -> None:
    first, second = _good(), _good()
    second["question"] = "Et combien d'Ukrainiens ?"
    problems = check_items([first, second], corpus)
    assert any("'fr-number-001' is used 2 times" in p for p in problems)


def test_quote_length_and_missing_document_are_caught(corpus: Path) -> None:
    item = _good()
    item["gold_quotes"] = ["136.000"]
    assert any("chars (want 30-160)" in p for p in _problems(item, corpus))
    item = _good()
    item["gold_doc"] = ["nope.txt"]
    assert any("'nope.txt' not in" in p for p in _problems(item, corpus))


def test_copied_question_is_caught(corpus: Path) -> None:
    item = _good()
    item["question"] = "Pourquoi les demandeurs Dublin seront accueillis dans des centres Dublin ?"
    assert any("question copies" in p for p in _problems(item, corpus))


def test_refusal_rules_are_enforced(corpus: Path) -> None:
    item = _good()
    item["kind"] = "unanswerable"
    assert any("expect_refusal must be true" in p for p in _problems(item, corpus))
    item["expect_refusal"] = True
    assert any("must_include == []" in p for p in _problems(item, corpus))
    item["must_include"] = []
    assert _problems(item, corpus) == []
    item = _good()
    item["must_include"], item["gold_quotes"] = [], []
    problems = _problems(item, corpus)
    assert any(">= 1 must_include group" in p for p in problems)
    assert any(">= 1 gold quote" in p for p in problems)


def test_followup_history_rules_are_enforced(corpus: Path) -> None:
    item = _good()
    item["kind"] = "followup"
    assert any("needs a non-empty history" in p for p in _problems(item, corpus))
    item["history"] = [{"role": "system", "content": "x"}]
    assert any("history[0]" in p for p in _problems(item, corpus))
    item["history"] = [{"role": "user", "content": "Combien de demandes ?"},
                       {"role": "assistant", "content": "Plus de 136.000."}]
    assert _problems(item, corpus) == []
    other = _good()
    other["history"] = copy.deepcopy(item["history"])
    assert any("only followup items" in p for p in _problems(other, corpus))


def test_shape_errors_are_reported_not_raised(corpus: Path) -> None:
    item = _good()
    del item["gold_doc"]
    item["lang"] = "de"
    problems = _problems(item, corpus)
    assert any("missing key 'gold_doc'" in p for p in problems)
    item = _good()
    item["lang"], item["kind"] = "de", "trivia"
    item["must_include"] = [["ok"], []]
    problems = _problems(item, corpus)
    assert any("lang 'de'" in p for p in problems)
    assert any("kind 'trivia'" in p for p in problems)
    assert any("non-empty lists of strings" in p for p in problems)


def test_compare_needs_a_quote_from_each_document(corpus: Path) -> None:
    (corpus / "other.txt").write_text("Un tout autre document sur le retour volontaire.\n",
                                      encoding="utf-8")
    item = _good()
    item["kind"], item["gold_doc"] = "compare", [DOC, "other.txt"]
    assert any("a quote from each gold document" in p for p in _problems(item, corpus))
    item["gold_quotes"].append("Un tout autre document sur le retour")
    assert _problems(item, corpus) == []


def test_cli_exits_1_on_a_broken_file(tmp_path: Path, corpus: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    broken = _good()
    broken["gold_quotes"] = ["a quote that is nowhere in the corpus at all"]
    path = tmp_path / "fr.jsonl"
    path.write_text(json.dumps(broken, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main([str(path), "--corpus", str(corpus)]) == 1
    assert "not an exact substring" in capsys.readouterr().out
    path.write_text(json.dumps(_good(), ensure_ascii=False) + "\n", encoding="utf-8")
    assert main([str(path), "--corpus", str(corpus)]) == 0


def test_load_items_names_the_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "nl.jsonl"
    path.write_text(json.dumps(_good()) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"nl\.jsonl:2"):
        load_items([path])


def test_norm_undoes_hyphenation_and_folds_space() -> None:
    assert norm("éco-\nnomiquement  Positif\u00a0x") == "économiquement positif x"
