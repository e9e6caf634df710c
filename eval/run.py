"""Run question files through the chain the chat page uses, and score the results.

Any JSONL file in the question format works (ours or someone else's): only `id`, `lang`,
`question` are required to run; the gold fields are used when present to score.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from chat.chain import Answer, Chain, QuestionError
from chat.checks import strip_markers
from eval.metrics import Item, Result, breakdown
from eval.qa_check import load_items
from store.manifest import Manifest

QUOTED = re.compile(r"“[^”]*”")


def load_questions(paths: Iterable[Path]) -> list[Item]:
    """All items of the given JSONL files, in order; each needs at least a question."""
    items = load_items(paths)
    for n, item in enumerate(items, 1):
        if not item.get("question"):
            raise ValueError(f"item {n} ({item.get('id', 'no id')}) has no 'question'")
        item.setdefault("id", f"item-{n}")
    return items


@functools.lru_cache(maxsize=4)
def _manifest(corpus_dir: Path) -> Manifest:
    """Read once per run, not once per scored answer."""
    return Manifest.load(corpus_dir)


def answer_language(chain: Chain, answer: Answer) -> str | None:
    """The language the user reads: the answer without quoted evidence, markers and names.

    Document names are not evidence of a language: "According to the Vluchtelingenwerk
    memorandum, ..." is English, though the long Dutch name tips the detector to Dutch.
    """
    text = strip_markers(QUOTED.sub(" ", answer.answer))
    text = _manifest(chain.settings.corpus_dir).without_names(text).strip()
    return chain.detector.detect(text) if text else None


def run_item(chain: Chain, item: Item, retrieval_only: bool) -> Result:
    """One item through the chain; every field of the results format is always present."""
    history = item.get("history") or []
    started = time.perf_counter()
    base: Result = {"id": item["id"], "lang": item.get("lang"), "kind": item.get("kind"),
                    "question": item["question"]}
    try:
        if retrieval_only:
            answer, _, _ = chain.retrieve(item["question"], history)
        else:
            answer = chain.ask(item["question"], history)
    except QuestionError as exc:
        return {**base, "answer": str(exc), "refused": True, "language": exc.language,
                "answer_language": exc.language, "citations": [], "retrieved": [],
                "latency_s": round(time.perf_counter() - started, 3), "ttft_s": None,
                "retrieval_s": None, "error": exc.kind}
    return {
        **base,
        "answer": answer.answer,
        "refused": answer.refused,
        "language": answer.language,
        "answer_language": None if retrieval_only else answer_language(chain, answer),
        "rewritten_question": answer.rewritten_question,
        "citations": [vars(c) for c in answer.citations],
        "retrieved": [{"doc": r["doc"], "text": r["text"], "score": r["score"],
                       "language": r["language"]} for r in answer.retrieved],
        "latency_s": round(time.perf_counter() - started, 3),
        "ttft_s": answer.timings.get("ttft_s"),
        "retrieval_s": answer.timings.get("retrieval_s"),
        "refusal_reason": answer.refusal_reason,
        "fallback": answer.fallback,
        "check_problems": answer.check_problems,
        "translated": answer.translated,
        "draft": answer.draft,
        "truncated": answer.truncated,
    }


def run_eval(chain: Chain, items: list[Item], out: Path, retrieval_only: bool = False,
             progress: Callable[[int], Any] | None = None) -> dict[str, Any]:
    """Run every item, write one JSON line per item to `out`, return the metrics."""
    out.parent.mkdir(parents=True, exist_ok=True)
    pairs: list[tuple[Item, Result]] = []
    with out.open("w", encoding="utf-8") as fh:
        for item in items:
            result = run_item(chain, item, retrieval_only)
            fh.write(json.dumps(result, ensure_ascii=False) + "\n")
            fh.flush()
            pairs.append((item, result))
            if progress:
                progress(1)
    return breakdown(pairs, retrieval_only)


def format_table(metrics: dict[str, Any]) -> str:
    """A plain table: one row per group, one column per metric."""
    rows = [("overall", metrics["overall"])]
    rows += [(f"lang={k}", v) for k, v in metrics["by_lang"].items()]
    rows += [(f"kind={k}", v) for k, v in metrics["by_kind"].items()]
    columns = [c for c in metrics["overall"] if c != "items"]
    short = {c: c.replace("_accuracy", "").replace("retrieval_", "retr_") for c in columns}
    width = {c: max(len(short[c]) + 2, 8) for c in columns}
    head = f"{'group':<20}{'n':>5}" + "".join(f"{short[c]:>{width[c]}}" for c in columns)
    lines = [head]
    for name, m in rows:
        cells = "".join(f"{_fmt(m.get(c)):>{width[c]}}" for c in columns)
        lines.append(f"{name:<20}{m['items']:>5}{cells}")
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)
