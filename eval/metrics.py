"""Deterministic eval metrics: one result line per item in, figures per group out.

Kept free of models and I/O so that any results file, ours or another pipeline's, is scored
the same way, and so the metrics themselves are unit-tested.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Iterable
from typing import Any

from chat.checks import numbers_in

Item = dict[str, Any]
Result = dict[str, Any]


def fold(text: str) -> str:
    """Lower-case, undo end-of-line hyphenation, fold all white space: for matching quotes."""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip().lower()


def _squash(text: str) -> str:
    """Like fold, but also without hyphens and spaces: robust to re-joined words."""
    return re.sub(r"[\s\-\u00ad]+", "", fold(text))


def group_hit(answer: str, group: list[str]) -> bool:
    """One alternative of a must_include group occurs in the answer (numbers normalised)."""
    low = fold(answer)
    nums = numbers_in(answer)
    for alt in group:
        a = fold(alt)
        if a and a in low:
            return True
        alt_nums = numbers_in(alt)
        if alt_nums and re.fullmatch(r"[\d\s.,%€]+", alt.strip()) and alt_nums <= nums:
            return True
    return False


def answer_correct(item: Item, result: Result) -> bool:
    if item.get("expect_refusal") or result.get("refused"):
        return False
    return all(group_hit(result.get("answer", ""), g) for g in item.get("must_include", []))


def refusal_correct(item: Item, result: Result) -> bool:
    return bool(result.get("refused")) == bool(item.get("expect_refusal"))


def citation_correct(item: Item, result: Result) -> bool:
    cited = {c.get("doc") for c in result.get("citations", [])}
    return set(item.get("gold_doc", [])) <= cited


def retrieval_hit(item: Item, result: Result) -> bool:
    """A gold quote lies inside one retrieved passage (white space/hyphenation-insensitive)."""
    texts = [_squash(r.get("text", "")) for r in result.get("retrieved", [])]
    for quote in item.get("gold_quotes", []):
        q = _squash(quote)
        if any(q in t for t in texts):
            return True
    return False


NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-ZÀ-Ý][\w\-’']+(?:\s+[A-ZÀ-Ý][\w\-’']+)*)")


def grounding(result: Result) -> tuple[int, int]:
    """(grounded, total) numbers and capitalised names of the answer found in its citations."""
    if result.get("refused"):
        return 0, 0
    answer = re.sub(r"\[\d+(?:\s*,\s*\d+)*\]", "", result.get("answer", ""))
    cited = " ".join(c.get("quote", "") for c in result.get("citations", []))
    cited += " " + " ".join(c.get("context", "") for c in result.get("citations", []))
    cited_nums = numbers_in(cited, words=True)
    cited_low = fold(cited)
    total = grounded = 0
    for n in numbers_in(answer):
        total += 1
        grounded += n in cited_nums
    for m in NAME.finditer(answer):
        name = m.group(1)
        if len(name) < 4:
            continue
        total += 1
        grounded += fold(name) in cited_low
    return grounded, total


def cited_passages(result: Result) -> list[str]:
    """The passages an answer cites, each with its document's title as the user sees it.

    A citation stores its quote; the passage is the retrieved text of the same document that
    holds the quote (the model read a window of it). A results file without retrieved texts
    (another pipeline's) falls back to the quote itself.
    """
    retrieved = [(r.get("doc"), r.get("text", ""), _squash(r.get("text", "")))
                 for r in result.get("retrieved", [])]
    out = []
    for c in result.get("citations", []):
        quote = _squash(c.get("quote", ""))[:80]
        texts = [text for doc, text, squashed in retrieved
                 if doc == c.get("doc") and quote and quote in squashed]
        out.append(f"{c.get('title', '')} {' '.join(texts) or c.get('quote', '')}")
    return out


def numbers_grounded(result: Result) -> bool | None:
    """Every number of the answer occurs in a passage it cites (None: no number to check).

    The target of issue #6, answer by answer. Unlike `grounding` it reads the whole cited
    passage, not only the quote, and it does not count names, which a translated answer
    rightly writes differently ("Immigration Office" for "Dienst Vreemdelingenzaken"). A
    number from the question alone does not count as grounded.
    """
    if result.get("refused"):
        return None
    numbers = numbers_in(result.get("answer", ""))  # markers [n] are not numbers
    if not numbers:
        return None
    return numbers <= numbers_in(" ".join(cited_passages(result)), words=True)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 3)


def _rate(flags: Iterable[bool]) -> float | None:
    flags = list(flags)
    return round(sum(flags) / len(flags), 4) if flags else None


def summarise(pairs: list[tuple[Item, Result]], retrieval_only: bool = False) -> dict[str, Any]:
    """All metrics for a group of (item, result) pairs."""
    answerable = [(i, r) for i, r in pairs if not i.get("expect_refusal")]
    unanswerable = [(i, r) for i, r in pairs if i.get("expect_refusal")]
    quoted = [(i, r) for i, r in pairs if i.get("gold_quotes") and not i.get("expect_refusal")]
    out: dict[str, Any] = {
        "items": len(pairs),
        "retrieval_hit_rate": _rate(retrieval_hit(i, r) for i, r in quoted),
        "retrieval_latency_p50": percentile(
            [r["retrieval_s"] for _, r in pairs if r.get("retrieval_s") is not None], 50),
    }
    if retrieval_only:
        return out
    g = [grounding(r) for _, r in pairs]
    grounded, total = sum(a for a, _ in g), sum(b for _, b in g)
    out.update({
        "answer_accuracy": _rate(answer_correct(i, r) for i, r in answerable),
        "refusal_accuracy": _rate(refusal_correct(i, r) for i, r in pairs),
        "unanswerable_refused": _rate(bool(r.get("refused")) for _, r in unanswerable),
        "answerable_refused": _rate(bool(r.get("refused")) for _, r in answerable),
        "citation_accuracy": _rate(citation_correct(i, r) for i, r in answerable
                                   if i.get("gold_doc")),
        "answer_language_accuracy": _rate(
            r.get("answer_language", r.get("language")) == i.get("lang") for i, r in pairs
        ),
        "grounding": round(grounded / total, 4) if total else None,
        "numbers_grounded": _rate(flag for flag in (numbers_grounded(r) for _, r in pairs)
                                  if flag is not None),
        "latency_p50": percentile([r["latency_s"] for _, r in pairs], 50),
        "latency_p95": percentile([r["latency_s"] for _, r in pairs], 95),
        "ttft_p50": percentile([r["ttft_s"] for _, r in pairs if r.get("ttft_s") is not None],
                               50),
    })
    return out


def breakdown(pairs: list[tuple[Item, Result]], retrieval_only: bool = False) -> dict[str, Any]:
    """Metrics overall, per language and per kind."""
    report: dict[str, Any] = {"overall": summarise(pairs, retrieval_only)}
    for key in ("lang", "kind"):
        values = sorted({str(i.get(key)) for i, _ in pairs})
        report[f"by_{key}"] = {
            v: summarise([(i, r) for i, r in pairs if str(i.get(key)) == v], retrieval_only)
            for v in values
        }
    return report
