"""Static checks of the regression question set (eval/qa/*.jsonl) against the corpus.

The eval scores answers with `must_include` and retrieval with `gold_quotes`; a broken gold
field silently turns into a wrong score. These checks make every gold field verifiable without
any model: quotes are exact slices of the corpus, every required term is backed by a quote,
and no question gives its answer away by copying the document.

Run: python -m eval.qa_check [FILES...] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from eval.metrics import fold as norm

Item = dict[str, Any]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO_ROOT / "corpus"
DEFAULT_QA_DIR = Path(__file__).resolve().parent / "qa"

LANGS = ("nl", "fr", "en")
KINDS = ("fact", "number", "list", "crosslingual", "followup", "unanswerable", "compare")
REQUIRED: dict[str, type] = {
    "id": str,
    "lang": str,
    "kind": str,
    "question": str,
    "must_include": list,
    "gold_quotes": list,
    "gold_doc": list,
    "expect_refusal": bool,
}
QUOTE_MIN, QUOTE_MAX = 30, 160
MAX_QUOTES = 2
COPY_RUN = 40


def load_items(paths: Iterable[Path | str]) -> list[Item]:
    """All items of the given JSONL files in order; a broken line raises with file and line."""
    items: list[Item] = []
    for path in map(Path, paths):
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError as exc:
                raise ValueError(f"{path}:{no}: not valid JSON ({exc})") from exc
            if not isinstance(item, dict):
                raise ValueError(f"{path}:{no}: a line must hold one JSON object")
            items.append(item)
    return items


def _doc_languages(corpus_dir: Path) -> dict[str, set[str]]:
    """Languages per document from the manifest, when there is one (for crosslingual items)."""
    manifest = corpus_dir / "manifest.json"
    if not manifest.is_file():
        return {}
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return {d["file"]: set(d.get("languages", [])) for d in data.get("documents", [])}


class _Corpus:
    """Raw and normalised document texts, read once."""

    def __init__(self, corpus_dir: Path) -> None:
        self.dir = corpus_dir
        self._raw: dict[str, str | None] = {}
        self._norm: dict[str, str] = {}
        self.languages = _doc_languages(corpus_dir)

    def raw(self, name: str) -> str | None:
        if name not in self._raw:
            path = self.dir / name
            ok = path.is_file() and path.name == name
            self._raw[name] = path.read_text(encoding="utf-8") if ok else None
        return self._raw[name]

    def norm(self, name: str) -> str:
        if name not in self._norm:
            self._norm[name] = norm(self.raw(name) or "")
        return self._norm[name]

    def all_docs(self) -> list[str]:
        return sorted(p.name for p in self.dir.glob("*.txt"))


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _check_shape(item: Item, where: str) -> list[str]:
    """Required keys, their types and allowed values."""
    problems = []
    for key, typ in REQUIRED.items():
        if key not in item:
            problems.append(f"{where}: missing key '{key}'")
        elif not isinstance(item[key], typ):
            problems.append(f"{where}: '{key}' must be {typ.__name__}")
    if problems:
        return problems
    if item["lang"] not in LANGS:
        problems.append(f"{where}: lang '{item['lang']}' not one of {LANGS}")
    if item["kind"] not in KINDS:
        problems.append(f"{where}: kind '{item['kind']}' not one of {KINDS}")
    if not item["question"].strip():
        problems.append(f"{where}: empty question")
    mi = item["must_include"]
    if not all(_is_str_list(g) and g for g in mi):
        problems.append(f"{where}: must_include must be a list of non-empty lists of strings")
    if not _is_str_list(item["gold_quotes"]):
        problems.append(f"{where}: gold_quotes must be a list of strings")
    if not _is_str_list(item["gold_doc"]):
        problems.append(f"{where}: gold_doc must be a list of file names")
    support = item.get("support", {})
    if not isinstance(support, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in support.items()
    ):
        problems.append(f"{where}: support must map strings to non-empty strings")
    return problems


def _check_history(item: Item, where: str) -> list[str]:
    """Follow-ups need earlier turns; other kinds must stand alone."""
    history = item.get("history")
    if item["kind"] != "followup":
        return [f"{where}: only followup items may have a history"] if history else []
    if not isinstance(history, list) or not history:
        return [f"{where}: a followup needs a non-empty history"]
    problems = []
    for n, turn in enumerate(history):
        if (
            not isinstance(turn, dict)
            or set(turn) != {"role", "content"}
            or turn.get("role") not in ("user", "assistant")
            or not isinstance(turn.get("content"), str)
            or not turn["content"].strip()
        ):
            problems.append(f"{where}: history[{n}] must be {{role: user|assistant, content}}")
    return problems


def _check_gold(item: Item, where: str, corpus: _Corpus) -> list[str]:
    """Gold documents exist, quotes are exact slices of them, refusal/kind rules hold."""
    problems = []
    docs, quotes, kind = item["gold_doc"], item["gold_quotes"], item["kind"]
    refusal = item["expect_refusal"]
    existing = [d for d in docs if corpus.raw(d) is not None]
    problems += [f"{where}: gold_doc '{d}' not in {corpus.dir}" for d in docs if d not in existing]
    if len(set(docs)) != len(docs):
        problems.append(f"{where}: gold_doc lists a document twice")
    if refusal != (kind == "unanswerable"):
        problems.append(f"{where}: expect_refusal must be true exactly for kind unanswerable")
    if refusal and item["must_include"]:
        problems.append(f"{where}: an expected refusal must have must_include == []")
    if not refusal:
        if not item["must_include"]:
            problems.append(f"{where}: an answerable item needs >= 1 must_include group")
        if not quotes:
            problems.append(f"{where}: an answerable item needs >= 1 gold quote")
        if not docs:
            problems.append(f"{where}: an answerable item needs a gold_doc")
    if quotes and not docs:
        problems.append(f"{where}: gold_quotes without gold_doc")
    if len(quotes) > MAX_QUOTES:
        problems.append(f"{where}: at most {MAX_QUOTES} gold quotes")
    docs_quoted: set[str] = set()
    for n, quote in enumerate(quotes):
        if not QUOTE_MIN <= len(quote) <= QUOTE_MAX:
            problems.append(
                f"{where}: gold_quotes[{n}] is {len(quote)} chars (want {QUOTE_MIN}-{QUOTE_MAX})"
            )
        hits = [d for d in existing if quote in (corpus.raw(d) or "")]
        if existing and not hits:
            problems.append(f"{where}: gold_quotes[{n}] is not an exact substring of {existing}")
        docs_quoted.update(hits)
    if kind == "compare" and len(docs) < 2:
        problems.append(f"{where}: a compare item needs two gold documents")
    if kind == "compare" and len(existing) == len(docs) and len(docs_quoted) < len(docs):
        problems.append(f"{where}: a compare item needs a quote from each gold document")
    if kind == "crosslingual" and corpus.languages:
        same = [d for d in docs if item["lang"] in corpus.languages.get(d, set())]
        if same:
            problems.append(f"{where}: crosslingual, but {same} is written in {item['lang']}")
    return problems


def _check_support(item: Item, where: str) -> list[str]:
    """Each must_include group is backed by a quote, directly or through `support`."""
    problems = []
    quotes = [norm(q) for q in item["gold_quotes"]]
    support: dict[str, str] = item.get("support", {})
    alternatives = {a for g in item["must_include"] for a in g}

    def in_quotes(text: str) -> bool:
        t = norm(text)
        return bool(t) and any(t in q for q in quotes)

    for key, value in support.items():
        if key not in alternatives:
            problems.append(f"{where}: support key '{key}' is not a must_include alternative")
        elif not in_quotes(value):
            problems.append(f"{where}: support['{key}'] = '{value}' is not in a gold quote")
    for n, group in enumerate(item["must_include"]):
        backed = any(in_quotes(a) or (a in support and in_quotes(support[a])) for a in group)
        if not backed:
            problems.append(f"{where}: must_include[{n}] {group} is not supported by a gold quote")
    return problems


def _check_copy(item: Item, where: str, corpus: _Corpus) -> list[str]:
    """The question must paraphrase: no run of COPY_RUN+ characters from the gold document."""
    question = norm(item["question"])
    docs = [d for d in item["gold_doc"] if corpus.raw(d) is not None] or corpus.all_docs()
    for doc in docs:
        text = corpus.norm(doc)
        for i in range(max(0, len(question) - COPY_RUN + 1)):
            run = question[i : i + COPY_RUN]
            if run in text:
                return [f"{where}: question copies '{run}' from {doc}"]
    return []


def check_items(items: Sequence[Item], corpus_dir: Path | str) -> list[str]:
    """Human-readable problems of the items against the corpus; an empty list means ok."""
    corpus = _Corpus(Path(corpus_dir))
    problems: list[str] = []
    ids = Counter(str(i.get("id")) for i in items)
    problems += [f"id '{k}' is used {n} times" for k, n in sorted(ids.items()) if n > 1]
    for n, item in enumerate(items):
        where = f"item {n} ({item.get('id', '?')})"
        shape = _check_shape(item, where)
        problems += shape
        if shape:
            continue
        problems += _check_history(item, where)
        problems += _check_gold(item, where, corpus)
        problems += _check_support(item, where)
        problems += _check_copy(item, where, corpus)
    return problems


def counts(items: Iterable[Item]) -> dict[tuple[str, str], int]:
    """Number of items per (lang, kind)."""
    return dict(Counter((str(i.get("lang")), str(i.get("kind"))) for i in items))


def _rank(order: Sequence[str], value: str) -> int:
    """Known values in their canonical order, unknown ones after them."""
    return order.index(value) if value in order else len(order)


def format_counts(table: dict[tuple[str, str], int]) -> str:
    """The counts as a lang x kind table with totals."""
    langs = sorted({lang for lang, _ in table}, key=lambda x: (_rank(LANGS, x), x))
    kinds = sorted({kind for _, kind in table}, key=lambda x: (_rank(KINDS, x), x))
    width = max([len(k) for k in kinds] + [5])
    lines = [f"{'':{width}} " + " ".join(f"{lang:>5}" for lang in langs) + "  total"]
    for kind in kinds:
        row = [table.get((lang, kind), 0) for lang in langs]
        lines.append(f"{kind:{width}} " + " ".join(f"{v:5d}" for v in row) + f"  {sum(row):5d}")
    totals = [sum(v for (lang, _), v in table.items() if lang == la) for la in langs]
    lines.append(f"{'total':{width}} " + " ".join(f"{v:5d}" for v in totals)
                 + f"  {sum(totals):5d}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """The CLI: counts table, then problems; exit status 1 when there is any problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="JSONL files (default eval/qa/*)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus folder")
    args = parser.parse_args(argv)
    files = args.files or sorted(DEFAULT_QA_DIR.glob("*.jsonl"))
    if not files:
        print(f"no question files in {DEFAULT_QA_DIR}", file=sys.stderr)
        return 1
    try:
        items = load_items(files)
    except (OSError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(format_counts(counts(items)))
    problems = check_items(items, args.corpus)
    for problem in problems:
        print(problem)
    print(f"{len(items)} items, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
