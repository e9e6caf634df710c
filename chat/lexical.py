"""Lexical search: BM25 over the chunks, one index per language, stemmed in that language.

Dense retrieval finds paraphrases and crosses languages, but it ranks an exact rare word (a
name, a figure, "MENA", "hotelopvang") no higher than its neighbours; BM25 does the opposite.
`Retriever` fuses the two rankings. Each language gets its own index with its own Snowball
stemmer and stop words (bm25s + PyStemmer), so "hervestigd" finds "hervestiging" and
"réinstallera" finds "réinstallation".
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence

import bm25s
import numpy as np
import Stemmer

from store.index import StoredChunk

# ISO code -> (Snowball stemmer, bm25s stop-word list); other languages are only lower-cased
LANGUAGES = {"nl": ("dutch", "nl"), "fr": ("french", "fr"), "en": ("english", "en"),
             "de": ("german", "de")}
# words of two or more letters, and single digits ("8 krachtlijnen")
TOKEN_PATTERN = r"(?u)\b(?:\w\w+|\d)\b"
_HYPHENATED = re.compile(r"(\w)-[ \t]*\n\s*(\w)")
_THOUSANDS = re.compile(r"(?<=\d)[ .,\u00a0\u202f](?=\d{3}(?!\d))")


def normalise(text: str) -> str:
    """Undo PDF line-end hyphenation and thousands separators ("1 168", "1.168" -> "1168")."""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    text = _HYPHENATED.sub(r"\1\2", text)
    return _THOUSANDS.sub("", text)


def _strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word)
                   if not unicodedata.combining(c))


def _stemmer(lang: str) -> Callable[[list[str]], list[str]]:
    """Snowball stems without accents: "réinstallation" and "reinstallation" meet."""
    algorithm = LANGUAGES.get(lang, (None, None))[0]
    stem = Stemmer.Stemmer(algorithm).stemWords if algorithm else (lambda words: words)
    return lambda words: [_strip_accents(w) for w in stem(words)]


class _LanguageIndex:
    def __init__(self, lang: str, chunks: Sequence[StoredChunk]) -> None:
        self.ids = [c.id for c in chunks]
        self._stem = _stemmer(lang)
        self._stopwords = LANGUAGES.get(lang, (None, None))[1]
        corpus = self.tokens([c.text for c in chunks])
        self._df = Counter(t for doc in corpus for t in set(doc))
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)

    def tokens(self, texts: list[str]) -> list[list[str]]:
        return bm25s.tokenize([normalise(t) for t in texts], token_pattern=TOKEN_PATTERN,
                              stopwords=self._stopwords, stemmer=self._stem,
                              return_ids=False, show_progress=False)

    def _idf(self, token: str) -> float:
        """Lucene's idf, as bm25s scores with (a word absent here weighs the most)."""
        n, df = len(self.ids), self._df.get(token, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def relevance(self, query: str) -> np.ndarray:
        """BM25 of each chunk over the query's total idf: about the share of the question's
        (rarity-weighted) words the chunk holds, so comparable across queries and languages."""
        tokens = sorted(set(self.tokens([query])[0]))
        weight = sum(self._idf(t) for t in tokens)
        if not tokens or weight <= 0:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32) / weight


class LexicalIndex:
    """BM25 per chunk language, built once from the chunks (855 chunks: a fraction of a second)."""

    def __init__(self, chunks: Sequence[StoredChunk]) -> None:
        by_lang: dict[str, list[StoredChunk]] = {}
        for c in chunks:
            by_lang.setdefault(c.language, []).append(c)
        self._indexes = {lang: _LanguageIndex(lang, cs) for lang, cs in by_lang.items()}

    @property
    def languages(self) -> list[str]:
        return sorted(self._indexes)

    def scores(self, query: str, lang: str) -> dict[str, float]:
        """chunk id -> relevance (> 0 only) of the query among the chunks in `lang`.

        The relevance is the BM25 score over the query's summed idf (about 1 when the chunk
        holds every word of the question once). The query is tokenised as text in `lang`:
        searching the Dutch index with an English question matches only what the two share,
        names and figures, and the words it cannot match keep its relevance low.
        """
        index = self._indexes.get(lang)
        if index is None:
            return {}
        scores = index.relevance(query)
        return {index.ids[i]: float(scores[i]) for i in np.flatnonzero(scores > 0)}

    def search(self, query: str, lang: str, n: int) -> list[tuple[str, float]]:
        """The n most relevant (chunk id, relevance) pairs in `lang`, best first."""
        scores = self.scores(query, lang)
        return sorted(scores.items(), key=lambda kv: -kv[1])[:n]
