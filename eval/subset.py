"""The fixed stratified subset that CI answers: the first N items of every (lang, kind).

    python -m eval.subset > eval/subsets/ci.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from eval.run import load_questions

QA_DIR = Path(__file__).resolve().parent / "qa"


def stratified(items: list[dict], per_group: int) -> list[dict]:
    taken: dict[tuple[str, str], int] = {}
    out = []
    for item in items:
        key = (item["lang"], item["kind"])
        if taken.get(key, 0) < per_group:
            taken[key] = taken.get(key, 0) + 1
            out.append(item)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.subset", description=__doc__)
    parser.add_argument("--per-group", type=int, default=2)
    args = parser.parse_args()
    for item in stratified(load_questions(sorted(QA_DIR.glob("*.jsonl"))), args.per_group):
        print(json.dumps(item, ensure_ascii=False))


if __name__ == "__main__":
    main()
