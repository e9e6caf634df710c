"""Ablation table: the same questions scored with and without each lever, side by side.

Each lever is either a separate eval run with that lever switched off (a results file), or,
for the checks that run after generation, derived from the full run itself: every result
keeps the model's draft, so "without the checks" is the draft shown as it was written.

    python -m eval.ablation --qa eval/subsets/ci.jsonl --base FULL.jsonl \
        --variant "hybrid retrieval=NO_HYBRID.jsonl" ... --out eval/results/ablation/answers.md
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from chat.checks import markers_in
from eval.metrics import Item, Result, summarise
from eval.run import load_questions

METRICS = ("answer_accuracy", "unanswerable_refused", "answerable_refused", "citation_accuracy",
           "retrieval_hit_rate", "answer_language_accuracy", "grounding", "numbers_grounded",
           "latency_p50", "ttft_p50")
# refusals and fallbacks decided by the checks on a finished draft
CHECK_REASONS = re.compile(r"holds no number|is in no passage|give no figure|kind of figure")


def load_results(path: Path) -> dict[str, Result]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return {r["id"]: r for r in rows}


def without_checks(result: Result) -> Result:
    """The result as it would be with no answer checks: the model's draft, as written."""
    draft = result.get("draft") or ""
    checked = result.get("fallback") or CHECK_REASONS.search(result.get("refusal_reason") or "")
    if not draft or not checked:
        return result
    retrieved = result.get("retrieved") or []
    cited = [{"doc": retrieved[n - 1]["doc"], "quote": retrieved[n - 1]["text"]}
             for n in markers_in(draft) if 1 <= n <= len(retrieved)]
    return {**result, "answer": draft, "refused": False, "fallback": False, "citations": cited}


def without_quote(result: Result) -> Result:
    """The result without the passages' own words appended to the answer.

    The quotes follow the answer, each "“…” [n]" after a blank line; a passage cited only by
    a quote loses its citation too.
    """
    answer = result.get("answer") or ""
    if result.get("fallback") or result.get("refused") or "\n\n“" not in answer:
        return result
    body = answer.split("\n\n“", 1)[0]
    kept = set(markers_in(body))
    citations = [c for c in result.get("citations", []) if c.get("n") in kept]
    return {**result, "answer": body, "citations": citations}


def score(items: dict[str, Item], results: dict[str, Result], ids: list[str]) -> dict[str, Any]:
    return summarise([(items[i], results[i]) for i in ids if i in results])


def table(rows: list[tuple[str, dict[str, Any]]], base: dict[str, Any]) -> str:
    """Markdown: one row per variant, each metric with its change against the full chain."""
    head = "| variant | n | " + " | ".join(m.replace("_", " ") for m in METRICS) + " |"
    lines = [head, "|" + "---|" * (len(METRICS) + 2)]
    for name, m in rows:
        cells = []
        for metric in METRICS:
            value, ref = m.get(metric), base.get(metric)
            if value is None:
                cells.append("-")
            elif name == "full chain" or ref is None:
                cells.append(f"{value:.3f}")
            else:
                cells.append(f"{value:.3f} ({value - ref:+.3f})")
        lines.append(f"| {name} | {m['items']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qa", nargs="+", required=True, type=Path)
    parser.add_argument("--base", required=True, type=Path, help="results of the full chain")
    parser.add_argument("--variant", action="append", default=[],
                        help='"lever name=RESULTS.jsonl": a run with that lever switched off')
    parser.add_argument("--out", type=Path, help="write the Markdown table here")
    args = parser.parse_args(argv)
    items = {i["id"]: i for i in load_questions(args.qa)}
    base = load_results(args.base)
    ids = [i for i in items if i in base]
    base_metrics = score(items, base, ids)
    rows = [("full chain", base_metrics)]
    rows.append(("without answer checks (derived)",
                 score(items, {k: without_checks(r) for k, r in base.items()}, ids)))
    rows.append(("without the evidence quote (derived)",
                 score(items, {k: without_quote(r) for k, r in base.items()}, ids)))
    for spec in args.variant:
        name, _, path = spec.partition("=")
        results = load_results(Path(path))
        shared = [i for i in ids if i in results]
        # like for like: the variant against the full chain on the same items
        rows.append((f"without {name}", score(items, results, shared)))
    text = table(rows, base_metrics)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except (OSError, ValueError) as exc:  # a missing or broken results file
        raise SystemExit(f"error: {exc}. Check the --qa, --base and --variant paths.") from None
