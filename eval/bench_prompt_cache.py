"""Benchmark: time to first token with and without llama.cpp's prompt-prefix reuse.

Every answer prompt starts with the same system part; with `cache_prompt` the server keeps
its computed prefix between questions. This sends the real answer prompts of a few eval
questions (real retrieval) twice over, cache on then off, and prints the median TTFT of each.

    .venv/bin/python -m eval.bench_prompt_cache [--questions 6]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from chat.factory import build_chain
from chat.llm import OpenAICompatibleLLM
from eval.run import load_questions
from store.settings import Settings


def first_token_s(llm: OpenAICompatibleLLM, messages: list[dict[str, str]]) -> float:
    start = time.perf_counter()
    for _ in llm.stream(messages, 4):
        return time.perf_counter() - start
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=6)
    args = parser.parse_args(argv)
    chain = build_chain(Settings())
    items = [i for i in load_questions([Path("eval/subsets/ci.jsonl")])
             if not i.get("history")][: args.questions]
    prompts = []
    for item in items:
        answer, passages, _ = chain.retrieve(item["question"])
        numbered = "\n\n".join(f"[{n}] ({p.doc}) {p.chunk.text[:400]}"
                               for n, p in enumerate(passages, 1))
        prompts.append(chain.prompt(answer.language, item["question"], numbered,
                                    chain.prompts.message(answer.language, "refusal")))
    llm = chain.llm
    assert isinstance(llm, OpenAICompatibleLLM)
    for cache in (True, False):
        llm._cache_prompt = cache  # the setting VRAAGBAAK_LLM_CACHE_PROMPT, switched in place
        first_token_s(llm, prompts[-1])  # warm: the system prefix is in the server's slot
        times = [first_token_s(llm, m) for m in prompts]
        print(f"cache_prompt={cache}: TTFT median {statistics.median(times):.2f} s "
              f"(n={len(times)}: {', '.join(f'{t:.2f}' for t in times)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
