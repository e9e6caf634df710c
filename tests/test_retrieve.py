"""Retrieval levers over a real Chroma: BM25 fused with dense search, nl/fr passage pairing,
named documents, and the switches that turn each off (the ablation needs them).

The corpus-wide tests use the hashing index (tests/conftest.py); pairing needs embeddings in
which a Dutch paragraph and its French translation are close, which the hashing embedder
cannot give, so those tests write a few chunks with vectors built from shared concepts.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from chat.lexical import LexicalIndex, normalise
from chat.pairing import PassagePairs
from chat.retrieve import RetrievalOptions, Retriever
from store.embedder import HashingEmbedder
from store.index import ChunkStore, StoredChunk
from store.manifest import Manifest
from store.settings import Settings
from tests.conftest import CORPUS, test_settings

OFF = {"hybrid": False, "pairing": False}


def _retriever(settings: Settings, **options: object) -> Retriever:
    embedder = HashingEmbedder()
    return Retriever(ChunkStore(settings, embedder.name), embedder, Manifest.load(CORPUS),
                     30, RetrievalOptions(**options))  # type: ignore[arg-type]


# --- BM25 --------------------------------------------------------------------------------
def test_stemming_and_pdf_repair_let_bm25_match_word_forms() -> None:
    chunks = [
        StoredChunk("nl-1", "Het hervestigingsprogramma zal structureel ver-\nsterkt worden.",
                    {"doc": "d", "language": "nl"}),
        StoredChunk("nl-2", "In 2019 dienden 1 168 NBMV een verzoek in.", {"doc": "d",
                                                                         "language": "nl"}),
        StoredChunk("fr-1", "La Belgique réinstallera des réfugiés.", {"doc": "d",
                                                                       "language": "fr"}),
    ]
    index = LexicalIndex(chunks)
    assert index.languages == ["fr", "nl"]
    assert [i for i, _ in index.search("wordt het versterkt?", "nl", 3)] == ["nl-1"]
    assert [i for i, _ in index.search("Hoeveel? 1.168", "nl", 3)] == ["nl-2"]
    # stemmed, and without accents on either side
    assert [i for i, _ in index.search("reinstallation des refugies", "fr", 3)] == ["fr-1"]
    # a French question searches the French index only
    assert index.scores("versterkt 1168", "fr") == {}
    assert normalise("éco-\nnomiquement 35 000 places") == "économiquement 35000 places"


KRANTEN = "Wat zegt de nota over de valse krantenwinkels?"


def _has(passages: list, word: str) -> list[bool]:  # noqa: ANN001
    return [word in normalise(p.chunk.text).lower() for p in passages]


def test_bm25_finds_a_rare_word_that_dense_search_ranks_low(hashing_index: Settings) -> None:
    dense = _has(_retriever(hashing_index, **OFF).search(KRANTEN, "nl", 10), "krantenwinkel")
    hybrid = _has(_retriever(hashing_index, pairing=False).search(KRANTEN, "nl", 10),
                  "krantenwinkel")
    assert hybrid.index(True) < 2  # BM25 puts the passage with the rare word near the top
    assert True not in dense[:3]  # where the hashing embedder alone ranks it low


def test_fusion_keeps_dense_hits_and_real_cosines(hashing_index: Settings) -> None:
    dense = _retriever(hashing_index, **OFF).search(KRANTEN, "nl", 4)
    hybrid = _retriever(hashing_index, pairing=False).search(KRANTEN, "nl", 4)
    assert dense[0].chunk.id == hybrid[0].chunk.id
    assert len({p.chunk.id for p in dense} & {p.chunk.id for p in hybrid}) == 3
    # every passage keeps its cosine (as Chroma computes it), whichever ranking found it
    store = ChunkStore(hashing_index, HashingEmbedder.name)
    vector = HashingEmbedder().embed_query(KRANTEN)
    cosine = {c.id: c.score for c in store.query(vector, store.count())}
    assert any(cosine[p.chunk.id] < dense[-1].similarity for p in hybrid)  # BM25 brought it
    for p in hybrid:
        assert p.similarity == pytest.approx(cosine[p.chunk.id], abs=1e-4)


def test_blend_adds_the_weighted_bm25_relevance(hashing_index: Settings) -> None:
    r = _retriever(hashing_index, pairing=False, lexical_weight=0.5, named_documents=False,
                   same_language_bonus=0.0)
    relevance = r._lexical_scores(KRANTEN, "nl")
    passages = r.search(KRANTEN, "nl", 4)
    assert any(relevance.get(p.chunk.id, 0) > 0.2 for p in passages)
    for p in passages:
        assert p.score == pytest.approx(p.similarity + 0.5 * relevance.get(p.chunk.id, 0.0))


def test_rank_fusion_is_still_there_to_measure(hashing_index: Settings) -> None:
    r = _retriever(hashing_index, pairing=False, fusion="rrf", named_documents=False)
    passages = r.search(KRANTEN, "nl", 4)
    assert any(_has(passages, "krantenwinkel"))
    assert all(0 < p.score <= 2 / 61 for p in passages)  # two rankings, 1/(60 + rank) each


def test_with_every_lever_off_the_score_is_the_cosine(hashing_index: Settings) -> None:
    r = _retriever(hashing_index, **OFF, named_documents=False, same_language_bonus=0.0)
    passages = r.search(KRANTEN, "nl", 4)
    assert all(p.score == p.similarity for p in passages)
    assert [p.similarity for p in passages] == sorted((p.similarity for p in passages),
                                                      reverse=True)
    with_bonus = _retriever(hashing_index, **OFF, named_documents=False).search(KRANTEN, "nl", 4)
    assert all(p.score == pytest.approx(p.similarity + 0.03) for p in with_bonus
               if p.chunk.language == "nl")


def test_named_document_routing_and_its_switch(hashing_index: Settings) -> None:
    q = "Que dit la note de Van Bossuyt sur l'accueil ?"
    assert Manifest.load(CORPUS).named_documents(q) == ["000_fb9c599bc3eacfb7.txt"]
    for options in (OFF, {}):
        routed = _retriever(hashing_index, **options).search(q, "fr", 4)
        unrouted = _retriever(hashing_index, **options, named_documents=False).search(q, "fr", 4)
        assert all(p.doc.startswith("000") for p in routed)
        assert sum(p.doc.startswith("000") for p in unrouted) < 4


def test_the_bonus_prefers_a_version_but_spares_single_language_documents(
        hashing_index: Settings) -> None:
    q = "Que dit le memorandum sur la collectieve opvang van asielzoekers en centres collectifs ?"
    versions = _retriever(hashing_index, **OFF, named_documents=False).search(q, "fr", 30)
    everywhere = _retriever(hashing_index, **OFF, named_documents=False,
                            same_language_scope="all").search(q, "fr", 30)
    for passages in (versions, everywhere):  # a French passage of a bilingual note: bonus
        assert all(p.score == pytest.approx(p.similarity + 0.03) for p in passages
                   if p.chunk.language == "fr" and not p.doc.startswith("003"))
    # the Dutch-only memorandum has no French version: 'versions' does not push it down
    memo = [p for p in versions if p.doc.startswith("003")]
    assert memo and all(p.score == pytest.approx(p.similarity + 0.03) for p in memo)
    assert all(p.score == p.similarity for p in everywhere if p.doc.startswith("003"))
    # the Dutch version of a bilingual note is the one pushed down, in both scopes
    assert all(p.score == p.similarity for p in versions
               if p.chunk.language == "nl" and p.doc[:3] in {"000", "001", "002"})


def test_other_languages_bm25_only_when_asked(hashing_index: Settings) -> None:
    q = "How many MENA applied in 2019?"
    own = _retriever(hashing_index, pairing=False, lexical_all_languages=False)
    every = _retriever(hashing_index, pairing=False, lexical_all_languages=True)
    assert {own._chunks[i].language for i in own._lexical_scores(q, "en")} == {"en"}
    found = every._lexical_scores(q, "en")
    assert {every._chunks[i].language for i in found} >= {"nl", "fr"}
    best = max(found, key=found.get)
    assert "MENA" in every._chunks[best].text and "2019" in every._chunks[best].text


# --- passage pairing on a hand-made bilingual document -----------------------------------
DOC = "000_fb9c599bc3eacfb7.txt"
OTHER = "003_a27541d3f3e19fef.txt"
DIM = 8
FAMILY, RECEPTION, DETENTION, FR, NL, EN, NOISE = range(7)


def _vec(**weights: float) -> list[float]:
    v = [0.0] * DIM
    for name, w in weights.items():
        v[globals()[name]] = w
    norm = math.sqrt(sum(x * x for x in v))
    return [x / norm for x in v]


CHUNKS = {  # id: (doc, language, text, vector)
    "fr-family": (DOC, "fr", "Les règles du regroupement familial seront renforcées.",
                  _vec(FAMILY=1, FR=0.3)),
    "nl-family": (DOC, "nl", "De regels rond gezinshereniging worden aangescherpt.",
                  _vec(FAMILY=1, NL=0.3)),
    "fr-reception": (DOC, "fr", "Le réseau d'accueil sera réduit.", _vec(RECEPTION=1, FR=0.3)),
    "nl-reception": (DOC, "nl", "Het opvangnetwerk wordt afgebouwd.",
                     _vec(RECEPTION=1, NL=0.3)),
    # a French paragraph whose Dutch version is missing: its nearest Dutch chunk is close
    # (cosine 0.86) but has a closer French twin of its own, so it is not this one's twin
    "fr-detention": (DOC, "fr", "Les centres fermés seront agrandis.",
                     _vec(RECEPTION=1, DETENTION=0.4, FR=0.3)),
    "nl-memorandum": (OTHER, "nl", "Sluit geen kinderen op.", _vec(DETENTION=0.6, NOISE=1)),
}

QUERIES = {  # the query's vector leans French, so a French chunk comes first
    "Wat zegt de nota over gezinshereniging?": _vec(FAMILY=1, FR=0.5),
    "What does the note say about family reunification?": _vec(FAMILY=1, FR=0.5),
    "Wat zegt de nota over gesloten centra?": _vec(DETENTION=1, RECEPTION=1, FR=0.5),
}


class ConceptEmbedder:
    """Query vectors given by the test; chunks carry theirs in the store."""

    name = "concept-test-embedder"

    def embed_query(self, text: str) -> list[float]:
        return QUERIES[text]

    def embed_documents(self, texts: list[str], titles: list[str]) -> list[list[float]]:
        raise AssertionError("the retriever embeds no passages")


@pytest.fixture
def bilingual(tmp_path: Path) -> Settings:
    settings = test_settings(tmp_path)
    with ChunkStore.writer(settings, ConceptEmbedder.name) as store:
        ids = list(CHUNKS)
        store.add(ids, [CHUNKS[i][2] for i in ids],
                  [{"doc": CHUNKS[i][0], "language": CHUNKS[i][1]} for i in ids],
                  [CHUNKS[i][3] for i in ids])
    return settings


def _pairing_retriever(settings: Settings, **options: object) -> Retriever:
    return Retriever(ChunkStore(settings, ConceptEmbedder.name), ConceptEmbedder(),
                     Manifest({}), 30, RetrievalOptions(**options))  # type: ignore[arg-type]


def test_twins_are_mutual_nearest_neighbours_in_one_document(bilingual: Settings) -> None:
    chunks, vectors = ChunkStore(bilingual, ConceptEmbedder.name).all_chunks_with_embeddings()
    assert vectors.shape == (len(CHUNKS), DIM)
    pairs = PassagePairs(chunks, vectors, threshold=0.7)
    assert len(pairs) == 2
    twin, cosine = pairs.twin("fr-family")
    assert twin == "nl-family" and cosine == pytest.approx(1 / 1.09, abs=1e-4)
    assert pairs.twin("nl-reception")[0] == "fr-reception"
    assert pairs.twin("fr-detention") is None  # not mutual, although above the threshold
    assert pairs.twin("nl-memorandum") is None  # another document
    assert len(PassagePairs(chunks, vectors, threshold=0.95)) == 0


def test_pairing_swaps_a_french_passage_for_its_dutch_twin(bilingual: Settings) -> None:
    q = "Wat zegt de nota over gezinshereniging?"
    plain = _pairing_retriever(bilingual, **OFF).search(q, "nl", 3)
    paired = _pairing_retriever(bilingual, hybrid=False).search(q, "nl", 3)
    assert plain[0].chunk.id == "fr-family" and plain[1].chunk.id == "nl-family"
    ids = [p.chunk.id for p in paired]
    assert ids[0] == "nl-family" and "fr-family" not in ids
    assert len(ids) == len(set(ids)) == 3  # the twin already found is not repeated
    # the twin keeps the original's rank and similarity; its chunk carries its own cosine
    assert paired[0].similarity == plain[0].similarity
    assert paired[0].chunk.score == pytest.approx(plain[1].chunk.score, abs=1e-4)
    assert all(p.chunk.language == "nl" for p in paired[:2])


def test_pairing_leaves_english_questions_and_untwinned_passages_alone(
        bilingual: Settings) -> None:
    r = _pairing_retriever(bilingual, hybrid=False)
    off = _pairing_retriever(bilingual, **OFF)
    q = "What does the note say about family reunification?"
    assert [p.chunk.id for p in r.search(q, "en", 3)] == [p.chunk.id for p in off.search(q, "en",
                                                                                       3)]
    q = "Wat zegt de nota over gesloten centra?"
    assert r.search(q, "nl", 1)[0].chunk.id == "fr-detention"


def test_pairing_threshold_and_switch(bilingual: Settings) -> None:
    q = "Wat zegt de nota over gezinshereniging?"
    strict = _pairing_retriever(bilingual, hybrid=False, pairing_threshold=0.95)
    assert strict.search(q, "nl", 1)[0].chunk.id == "fr-family"
    assert _pairing_retriever(bilingual, **OFF).search(q, "nl", 1)[0].chunk.id == "fr-family"


# --- comparisons -------------------------------------------------------------------------
def test_a_comparison_keeps_the_best_passages_of_both_named_documents(tmp_path: Path) -> None:
    settings = test_settings(tmp_path)
    chunks = {f"c{n}": ("c.txt", _vec(FAMILY=1, NOISE=0.1 * n)) for n in range(5)}
    chunks |= {"a0": ("a.txt", _vec(FAMILY=1, RECEPTION=1)),
               "a1": ("a.txt", _vec(FAMILY=1, RECEPTION=1.2)),
               "b0": ("b.txt", _vec(FAMILY=1, DETENTION=1.1)),
               "b1": ("b.txt", _vec(FAMILY=1, DETENTION=1.3))}
    with ChunkStore.writer(settings, ConceptEmbedder.name) as store:
        store.add(list(chunks), list(chunks),
                  [{"doc": d, "language": "en"} for d, _ in chunks.values()],
                  [v for _, v in chunks.values()])
    manifest = Manifest({"a.txt": {"aliases": {"en": ["alpha report"]}},
                         "b.txt": {"aliases": {"en": ["beta report"]}}})
    q = "Compare the alpha report and the beta report"
    QUERIES[q] = _vec(FAMILY=1)

    def ids(**options: object) -> list[str]:
        r = Retriever(ChunkStore(settings, ConceptEmbedder.name), ConceptEmbedder(), manifest,
                      30, RetrievalOptions(**options))  # type: ignore[arg-type]
        return [p.chunk.id for p in r.search(q, "en", 4)]

    # the five c chunks are the most similar; the named documents' bonus does not lift a, b
    assert ids(**OFF, named_documents=False) == ["c0", "c1", "c2", "c3"]
    assert sorted(ids(**OFF)) == ["a0", "a1", "b0", "b1"]  # two each by default
    assert sorted(ids(**OFF, compare_passages=1)) == ["a0", "b0", "c0", "c1"]
    assert sorted(ids(compare_passages=1)) == ["a0", "b0", "c0", "c1"]


def test_a_question_naming_one_document_reads_only_that_document(
        hashing_index: Settings) -> None:
    q = "Op welke website moeten volgens het Engelstalige nieuwsbericht de migratiecijfers staan?"
    assert Manifest.load(CORPUS).named_documents(q) == ["004_c3eb19900ec74119.txt"]
    boosted = _retriever(hashing_index, named_only=False).search(q, "nl", 4)
    only = _retriever(hashing_index, named_only=True)
    routed = only.search(q, "nl", 4)
    assert routed and all(p.doc.startswith("004") for p in routed)
    assert not all(p.doc.startswith("004") for p in boosted)  # other documents came in
    # the relevance gate still sees how close the whole corpus comes
    vector = only.embed(q)
    assert only.routed(q) and not only.routed("Wat zegt de nota over opvang?")
    assert only.top_similarity(vector) >= max(p.similarity for p in boosted) - 1e-6
