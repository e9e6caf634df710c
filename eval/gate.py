"""CI gate: fail when a metric falls below the committed baseline by more than a tolerance.

The baseline is a committed results file (one JSON line per item). The gate rescores the
baseline on exactly the items of the current run, so a CI subset is compared like for like.

    python -m eval.gate CURRENT.jsonl BASELINE.jsonl --qa eval/qa/*.jsonl [--tolerance 0.05]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from eval.metrics import summarise
from eval.run import load_questions

# Rates where higher is better; latencies are reported, not gated (a shared 2-core machine
# is too noisy for timing gates; the benchmark numbers live in the eval report).
GATED = ("answer_accuracy", "refusal_accuracy", "citation_accuracy", "retrieval_hit_rate",
         "answer_language_accuracy", "grounding", "numbers_grounded")
DEFAULT_TOLERANCE = 0.05


def _results(path: Path) -> dict[str, dict]:
    return {d["id"]: d for d in map(json.loads, path.read_text(encoding="utf-8").splitlines())
            if d}


def compare(current: Path, baseline: Path, qa: list[Path], tolerance: float,
            retrieval_only: bool) -> list[str]:
    """Failures, one line each naming the metric and both figures (empty: the gate passes)."""
    items = {i["id"]: i for i in load_questions(qa)}
    now, before = _results(current), _results(baseline)
    missing = sorted(set(now) - set(before))
    if missing:
        return [f"items {missing[:5]} are not in the baseline {baseline}: regenerate it"]
    ids = sorted(now)
    m_now = summarise([(items[i], now[i]) for i in ids], retrieval_only)
    m_before = summarise([(items[i], before[i]) for i in ids], retrieval_only)
    failures = []
    for metric in GATED:
        a, b = m_now.get(metric), m_before.get(metric)
        if a is None or b is None:
            continue
        status = "FAIL" if a < b - tolerance else "ok"
        print(f"{status:4} {metric:26} now {a:.3f}  baseline {b:.3f}  (tolerance {tolerance})")
        if status == "FAIL":
            failures.append(f"{metric} fell from {b:.3f} (baseline) to {a:.3f} "
                            f"(more than {tolerance} below)")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.gate", description=__doc__)
    parser.add_argument("current", type=Path)
    parser.add_argument("baseline", type=Path)
    parser.add_argument("--qa", type=Path, nargs="+", required=True)
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE)
    parser.add_argument("--retrieval-only", action="store_true")
    args = parser.parse_args(argv)
    failures = compare(args.current, args.baseline, args.qa, args.tolerance,
                       args.retrieval_only)
    for f in failures:
        print(f"eval gate: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
