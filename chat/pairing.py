"""nl/fr passage pairing: the same paragraph in the user's language, where the document has it.

The parliamentary notes (000, 001, 002) hold every paragraph twice, in Dutch and in French, in
separate chunks whose boundaries do not quite coincide. A Dutch question may retrieve the
French version of the right paragraph; the model answers better, and the user reads more
easily, from the Dutch one. Twins are found once, from the stored embeddings: within one
document, a chunk in one language and a chunk in the other are twins when each is the
other's nearest neighbour and their cosine reaches a threshold.

Calibration (EmbeddingGemma, the bundled corpus; see eval/results/ablation/retrieval.md):
mutual nearest neighbours were real translations down to cosine 0.68, and they come in
document order; a chunk's best match among the *other* paragraphs of the same document
reaches 0.73 (median) to 0.84, so the threshold alone cannot tell twins apart: the mutual
rule does, and the threshold guards chunks that have no twin at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from store.index import StoredChunk

PAIRED_LANGUAGES = ("nl", "fr")


class PassagePairs:
    """chunk id -> (twin id, cosine) for the nl/fr versions of the same passage."""

    def __init__(self, chunks: Sequence[StoredChunk], vectors: Any, threshold: float,
                 languages: tuple[str, str] = PAIRED_LANGUAGES) -> None:
        self.threshold = threshold
        self._twins: dict[str, tuple[str, float]] = {}
        vectors = np.asarray(vectors, dtype=np.float32)
        if not len(chunks) or vectors.ndim != 2 or vectors.shape[1] == 0:
            return
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit = vectors / np.where(norms == 0, 1.0, norms)
        a_lang, b_lang = languages
        for doc in sorted({c.doc for c in chunks}):
            a = [i for i, c in enumerate(chunks) if c.doc == doc and c.language == a_lang]
            b = [i for i, c in enumerate(chunks) if c.doc == doc and c.language == b_lang]
            if not a or not b:
                continue
            sim = unit[a] @ unit[b].T
            best_b, best_a = sim.argmax(axis=1), sim.argmax(axis=0)
            for i, j in enumerate(best_b):
                if best_a[j] == i and sim[i, j] >= threshold:
                    score = float(sim[i, j])
                    self._twins[chunks[a[i]].id] = (chunks[b[j]].id, score)
                    self._twins[chunks[b[j]].id] = (chunks[a[i]].id, score)

    def __len__(self) -> int:
        return len(self._twins) // 2

    def twin(self, chunk_id: str) -> tuple[str, float] | None:
        """The twin's id and the pair's cosine, or None when the chunk has no twin."""
        return self._twins.get(chunk_id)
