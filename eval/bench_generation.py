"""Benchmark: the local model's generation speed on this host, in tokens per second.

Answer latency is mostly generation: a host that generates half as fast answers half as
fast with the same code. Run this next to a full eval so its latency figures can be
compared across hosts (DESIGN.md measured 20-28 tokens/s for the default model).

    .venv/bin/python -m eval.bench_generation [--tokens 200] [--runs 2]
"""

from __future__ import annotations

import argparse
import sys
import time

from chat.errors import KNOWN_ERRORS
from chat.factory import quiet_libraries
from chat.llm import build_llm
from store.settings import Settings

PROMPT = [{"role": "system", "content": "You are a helpful assistant."},
          {"role": "user", "content": "Write a long essay on the history of Belgium, at least "
                                      "300 words."}]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)
    quiet_libraries()
    try:
        llm = build_llm(Settings())
        for run in range(1, args.runs + 1):
            start = time.perf_counter()
            first, pieces = 0.0, 0
            for _ in llm.stream(PROMPT, args.tokens):
                first = first or time.perf_counter() - start
                pieces += 1  # llama.cpp streams one token per piece
            spent = time.perf_counter() - start - first
            print(f"run {run}: first token {first:.2f} s, {pieces} tokens in {spent:.2f} s "
                  f"= {pieces / spent:.1f} tokens/s")
    except KNOWN_ERRORS as exc:  # no model fetched, a broken file, a dead server: say so
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
