"""Summarise retrieval-only eval outputs for the ablation table in retrieval.md.

    .venv/bin/python eval/results/ablation/retrieval_summary.py build/ret/*.jsonl

One row per results file: retrieval hit rate overall, per language and for comparisons, the
same-language share of the retrieved passages per question language (the fraction of the
top_k passages whose language is the question's), and the answerable questions whose best
passage falls below min_relevance (they would be refused before the model).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eval.metrics import retrieval_hit
from eval.qa_check import load_items
from store.settings import REPO_ROOT, Settings

QA = [REPO_ROOT / "eval" / "qa" / f"{lang}.jsonl" for lang in ("nl", "fr", "en")]


def _rate(flags: list[bool]) -> str:
    return f"{sum(flags) / len(flags):.3f}" if flags else "-"


def summarise(path: Path, items: dict[str, dict], min_relevance: float) -> list[str]:
    results = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    quoted = [(items[r["id"]], r) for r in results
              if items[r["id"]].get("gold_quotes") and not items[r["id"]].get("expect_refusal")]
    row = [path.stem, _rate([retrieval_hit(i, r) for i, r in quoted])]
    for lang in ("nl", "fr", "en"):
        row.append(_rate([retrieval_hit(i, r) for i, r in quoted if i["lang"] == lang]))
    row.append(_rate([retrieval_hit(i, r) for i, r in quoted if i["kind"] == "compare"]))
    for lang in ("nl", "fr", "en"):
        shares = [sum(p["language"] == lang for p in r["retrieved"]) / len(r["retrieved"])
                  for r in results if r["lang"] == lang and r["retrieved"]]
        row.append(f"{sum(shares) / len(shares):.2f}" if shares else "-")
    below = [r for i, r in ((items[r["id"]], r) for r in results)
             if not i.get("expect_refusal") and r["retrieved"]
             and max(p["score"] for p in r["retrieved"]) < min_relevance]
    row.append(str(len(below)))
    return row


def main(paths: list[str]) -> None:
    items = {i["id"]: i for i in load_items(QA)}
    min_relevance = Settings(_env_file=None).min_relevance  # type: ignore[call-arg]
    head = ["variant", "hit", "hit nl", "hit fr", "hit en", "hit compare",
            "same-lang nl", "same-lang fr", "same-lang en", "answerable < min_relevance"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for p in paths:
        print("| " + " | ".join(summarise(Path(p), items, min_relevance)) + " |")
    missed = {}
    for p in paths:
        for line in Path(p).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            i = items[r["id"]]
            if i.get("gold_quotes") and not i.get("expect_refusal") and not retrieval_hit(i, r):
                missed.setdefault(r["id"], []).append(Path(p).stem)
    for item_id, variants in sorted(missed.items()):
        print(f"missed {item_id}: {', '.join(variants)}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
