"""Re-run a previous eval's questions through today's chain, with the model's drafts replayed.

Everything after generation (checks, citations, quotes, fallback, refusal rules) can change
without changing what the model writes, as long as the prompt stays the same. Replaying the
drafts of a full run measures such a change on all 159 questions in about a minute instead of
half an hour, and exactly: the only difference is the code under test. Not valid for changes
to retrieval, evidence windows or prompts (the model would have read something else): those
need a real run.

    python -m eval.replay --qa eval/qa/nl.jsonl eval/qa/fr.jsonl eval/qa/en.jsonl \
        --base eval/results/baseline/answers.jsonl --out build/replay/answers.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from chat.checks import FINISHED
from chat.llm import LLMError, Message
from eval.ablation import load_results
from eval.metrics import Result, breakdown
from eval.run import format_table, load_questions, run_item


class DraftReplay:
    """A ChatModel that answers each item with the draft (and rewrite) a previous run kept.

    The rewrite prompt gets the previous standalone question, the answer prompt the draft,
    the translation prompt nothing (the run keeps no raw translation: the draft stays).
    """

    name = "replay-drafts"

    def __init__(self) -> None:
        self.current: Result = {}  # the previous run's result for the item being answered
        self.finish_reason: str | None = None

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        system = messages[0]["content"] if messages else ""
        if "rewrite the user's last question" in system:
            yield str(self.current.get("rewritten_question") or "")
        elif "You correct answers" in system:
            raise LLMError("no translation was recorded in the replayed run")
        else:
            draft = str(self.current.get("draft") or "")
            # runs before the `truncated` field kept the cut sentence: a long draft (200
            # tokens are 700+ characters) that ends unfinished stopped for length; later
            # runs say so themselves
            cut = self.current.get("truncated")
            self.finish_reason = "length" if cut or (
                cut is None and len(draft) > 600 and not FINISHED.search(draft)) else "stop"
            yield draft


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qa", nargs="+", required=True, type=Path)
    parser.add_argument("--base", required=True, type=Path, help="results with drafts")
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)

    from chat.errors import KNOWN_ERRORS
    from chat.factory import build_chain
    from store.settings import Settings

    model = DraftReplay()
    try:
        base = load_results(args.base)
        items = [i for i in load_questions(args.qa) if i["id"] in base]
        chain = build_chain(Settings(), llm=model)
    except (OSError, ValueError, *KNOWN_ERRORS) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not items:
        print(f"No item of {args.base} is in the question files.", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    pairs = []
    with args.out.open("w", encoding="utf-8") as fh:
        for item in items:
            model.current = base[item["id"]]
            result = run_item(chain, item, retrieval_only=False)
            fh.write(json.dumps(result, ensure_ascii=False) + "\n")
            pairs.append((item, result))
    print(format_table(breakdown(pairs)))
    translated = sum(bool(base[i["id"]].get("translated")) for i in items)
    if translated:
        print(f"{translated} answer(s) of the base run were translated; replayed untranslated.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
