"""Evidence selection: from each retrieved chunk, the sentences that answer the question.

A 1.5B model on 2 cores must read little: every token of context costs time to first token,
and distractors lead it astray. So each passage is cut to its best window of consecutive
sentences. Sentences are scored with the embedding model (it works across nl/fr/en, where
word overlap fails: an English question over a Dutch passage), plus a small bonus for words
and numbers shared with the question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from store.embedder import Embedder

SENTENCE_END = re.compile(r"(?<=[.!?;…])\s+(?=[\"'“«(]?[A-ZÀ-Ý0-9—•–-])")
WORD = re.compile(r"\w{4,}", re.UNICODE)
LEXICAL_WEIGHT = 0.02
# a question that asks for several things ("Welke alternatieven …", "Quelles mesures …")
_SEVERAL = r"wat zijn|noem\w*|quel(?:le)?s|what are|list"  # plural whatever follows
LIST_ASKED = re.compile(rf"\b(?:welke|which|{_SEVERAL})\b", re.IGNORECASE)
# ... in the plural: "welke alternatieven", "which groups", not "welke vorm", "which country"
PLURAL_ASKED = re.compile(rf"\b(?:{_SEVERAL})\b|"
                          r"\b(?:welke|which)(?:\s+\w+){0,2}?\s+(?!(?:does|has|was|worden|werden|"
                          r"hebben|kunnen|moeten|zullen)\b)\w{3,}(?:en|s|x)\b",
                          re.IGNORECASE)
# a question about a reason: its answer is often the sentence after the one naming the topic
# ("… uitbreiding van community sponsorship. Community sponsorship heeft als voordeel …")
WHY_ASKED = re.compile(r"\b(?:why|waarom|pourquoi)\b|\bom welke reden\b|\bpour quelle raison\b",
                       re.IGNORECASE)
# a sentence that enumerates: "de terugkeerhuizen, huisarrest, borg en elektronisch toezicht"
LIST_LIKE = re.compile(r"(?:[^,;]+[,;]\s){2,}|:\s*$|[—•]\s")
# ... or opens a numbered one: "Wij schuiven drie pistes naar voren: 1.", "(1) beter verzamelen"
ENUMERATES = re.compile(LIST_LIKE.pattern + r"|\(\d{1,2}\)\s|(?:^|\s)\d{1,2}[.)]$")
# how much a list question prefers an enumerating neighbour when a window grows
LIST_BONUS = 0.1


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of a passage (positions in the passage text)."""
    spans, start = [], 0
    for m in SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if e > s]


def _terms(text: str) -> set[str]:
    return {w[:6] for w in WORD.findall(text.lower())} | set(re.findall(r"\d+", text))


def lexical_scores(text: str, spans: list[tuple[int, int]], probe: str) -> list[float]:
    want = _terms(probe)
    return [float(len(_terms(text[s:e]) & want)) for s, e in spans]


def grow_window(text: str, spans: list[tuple[int, int]], scores: Sequence[float],
                max_chars: int, anchor: int | None = None) -> tuple[int, int]:
    """Start at the best sentence (or `anchor`); add the better neighbour while it fits."""
    if not spans:
        return 0, min(len(text), max_chars)
    best = anchor if anchor is not None else max(range(len(spans)),
                                                 key=lambda i: (scores[i], -i))
    lo = hi = best
    while True:
        options = [c for c in (lo - 1, hi + 1) if 0 <= c < len(spans)
                   and spans[max(hi, c)][1] - spans[min(lo, c)][0] <= max_chars]
        if not options:
            break
        pick = max(options, key=lambda c: scores[c])
        lo, hi = min(lo, pick), max(hi, pick)
    start, end = spans[lo][0], spans[hi][1]
    if end - start > max_chars:  # one very long sentence: cut at a word boundary
        cut = text.rfind(" ", start, start + max_chars)
        end = cut if cut > start else start + max_chars
    return start, end


def best_window(text: str, probe: str, max_chars: int) -> tuple[int, int]:
    """Lexical window: for quotes, where the probe is the answer in the user's language."""
    if len(text) <= max_chars:
        return 0, len(text)
    spans = sentences(text)
    return grow_window(text, spans, lexical_scores(text, spans, probe), max_chars)


Relevance = tuple[list[list[tuple[int, int]]], list[list[float]]]


def sentence_scores(texts: Sequence[str], probe: str, query_vector: Sequence[float] | None,
                    embedder: Embedder | None) -> Relevance:
    """Sentence spans of each passage and their relevance to the probe.

    Semantic (cosine to the question's vector, plus a little word overlap) when an embedder
    is given; word overlap alone otherwise. Computed once per answer: the evidence windows
    and the quote both rank by it.
    """
    all_spans = [sentences(t) for t in texts]
    scores = [lexical_scores(t, sp, probe) for t, sp in zip(texts, all_spans, strict=True)]
    if embedder is not None and query_vector is not None and texts:
        flat = [(i, j) for i in range(len(texts)) for j in range(len(all_spans[i]))]
        vectors = embedder.embed_documents(
            [texts[i][slice(*all_spans[i][j])] for i, j in flat], ["none"] * len(flat))
        for (i, j), vec in zip(flat, vectors, strict=True):
            cosine = sum(a * b for a, b in zip(vec, query_vector, strict=True))
            scores[i][j] = cosine + LEXICAL_WEIGHT * scores[i][j]
    return all_spans, scores


# a table the PDF flattened into one line: "2016 18 710 2017 19 688 2018 23 343 …"
TABLE_ROW = re.compile(r"(?<!\d)(?:19|20)\d\d(?=[\s\u00a0]+\(?\d)")  # a year, then a figure
# enough to make such a table the window's anchor: it names the figures, not the question
TABLE_BONUS = 0.3


def favour_tables(texts: Sequence[str], relevance: Relevance, years: Sequence[str]
                  ) -> Relevance:
    """Relevance with the flattened tables that hold an asked year ranked first.

    "How many applications in 2019?" is answered by a row of a yearly table, which scores
    low against the question (a table has no words); the sentence that scores best is
    about asylum in general, and the window around it leaves the table out.
    """
    all_spans, scores = relevance
    if not years:
        return relevance
    boosted = []
    for text, spans, sc in zip(texts, all_spans, scores, strict=True):
        row = []
        for (a, b), v in zip(spans, sc, strict=True):
            rows = TABLE_ROW.findall(text[a:b])
            table = len(rows) >= 3 and any(y in rows for y in years)
            row.append(v + TABLE_BONUS if table else v)
        boosted.append(row)
    return all_spans, boosted


def select_windows(texts: Sequence[str], relevance: Relevance, max_chars: int,
                   lead_chars: int | None = None, lists: bool = False
                   ) -> list[tuple[int, int]]:
    """One window per passage, grown around its most relevant sentence.

    The best-ranked passage may get a longer window (`lead_chars`). For a question that
    asks for several things (`lists`), an enumerating sentence is preferred as the window
    grows: the list ("Het gaat hier onder meer over de terugkeerhuizen, huisarrest, borg …")
    often stands next to the sentence that matches the question best, and scores lower
    than it because it names the items, not the question's words.
    """
    all_spans, scores = relevance
    limits = [lead_chars or max_chars] + [max_chars] * (len(texts) - 1)
    windows = []
    for t, sp, sc, limit in zip(texts, all_spans, scores, limits, strict=True):
        if len(t) <= limit:
            windows.append((0, len(t)))
            continue
        anchor = max(range(len(sp)), key=lambda i: (sc[i], -i)) if sp else None
        grown = [v + LIST_BONUS if lists and LIST_LIKE.search(t[a:b]) else v
                 for v, (a, b) in zip(sc, sp, strict=True)]
        windows.append(grow_window(t, sp, grown, limit, anchor))
    return windows
