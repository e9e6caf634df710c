"""The CI subset stays in sync with the question set, and the gate fails on a regression."""

import json
from pathlib import Path

from eval.gate import compare
from eval.run import load_questions
from eval.subset import QA_DIR, stratified

SUBSET = QA_DIR.parent / "subsets" / "ci.jsonl"
QA = sorted(QA_DIR.glob("*.jsonl"))


def test_ci_subset_is_the_stratified_subset_of_the_set() -> None:
    subset = load_questions([SUBSET])
    assert subset == stratified(load_questions(QA), 2)
    groups = {(i["lang"], i["kind"]) for i in subset}
    assert len(subset) >= 30 and len(groups) == 21  # every kind in every language


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_gate_names_the_metric_and_both_figures(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    items = load_questions([SUBSET])[:6]
    sub = _write(tmp_path / "sub.jsonl", items)

    def result(item: dict, good: bool) -> dict:
        ok = good or item.get("expect_refusal")
        answer = " ".join(g[0] for g in item["must_include"]) if ok else "Geen idee."
        return {"id": item["id"], "answer": answer, "refused": bool(item.get("expect_refusal")),
                "language": item["lang"], "citations": [{"doc": d} for d in item["gold_doc"]],
                "retrieved": [], "latency_s": 1.0, "ttft_s": 0.5}

    base = _write(tmp_path / "base.jsonl", [result(i, True) for i in items])
    worse = _write(tmp_path / "now.jsonl", [result(i, False) for i in items])
    same = _write(tmp_path / "same.jsonl", [result(i, True) for i in items])
    assert compare(same, base, [sub], 0.05, False) == []
    failures = compare(worse, base, [sub], 0.05, False)
    assert failures and failures[0].startswith("answer_accuracy fell from 1.000")
    assert "to 0.000" in failures[0]
