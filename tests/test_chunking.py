"""Chunking of the real corpus: exact spans, pure languages, plausible sections."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from ingest.chunking import Chunk, chunk_document, is_heading, split_paragraphs
from ingest.repair import OffsetMap, repair
from store.language import get_detector

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
MAX_CHARS, MIN_CHARS = 900, 200
LIMIT = MAX_CHARS + MIN_CHARS // 2  # a tiny chunk may be merged a little beyond max_chars


@pytest.fixture(scope="module")
def detect():  # noqa: ANN201
    return get_detector("lingua").detect


@pytest.fixture(scope="module")
def corpus(detect) -> dict[str, tuple[str, list[Chunk]]]:  # noqa: ANN001
    """Every corpus file chunked once: {prefix: (raw, chunks)}."""
    out = {}
    for path in sorted(CORPUS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        out[path.name[:3]] = (raw, chunk_document(path.name, raw, detect, MAX_CHARS, MIN_CHARS))
    return out


def raw_of(prefix: str) -> str:
    return next(CORPUS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def test_every_chunk_is_exactly_its_raw_span(corpus) -> None:  # noqa: ANN001
    for raw, chunks in corpus.values():
        for c in chunks:
            text, offsets = repair(raw[c.start : c.end], c.start)
            assert text == c.text
            assert offsets == c.offsets
            assert c.offsets.original(0) == c.start
            assert c.offsets.original(len(c.text)) == c.end  # spans carry no outer whitespace
            assert not raw[c.start].isspace() and not raw[c.end - 1].isspace()


def test_chunks_are_ordered_disjoint_and_non_empty(corpus) -> None:  # noqa: ANN001
    for prefix, (_, chunks) in corpus.items():
        assert chunks, prefix
        for a, b in zip(chunks, chunks[1:], strict=False):
            assert a.end <= b.start, (prefix, a.start)
        assert all(c.text.strip() and c.doc.startswith(prefix) for c in chunks)


def test_chunk_sizes(corpus) -> None:  # noqa: ANN001
    for raw, chunks in corpus.values():
        for c in chunks:
            assert len(c.text) <= LIMIT or " " not in c.text, (c.start, len(c.text))
        assert sum(len(c.text) for c in chunks) > 0.8 * len(" ".join(raw.split()))


def test_languages_per_document(corpus) -> None:  # noqa: ANN001
    langs = {prefix: Counter(c.language for c in chunks) for prefix, (_, chunks) in corpus.items()}
    for count in langs.values():
        assert set(count) <= {"nl", "fr", "en"}
    for prefix in ("000", "001", "002"):
        assert langs[prefix]["nl"] >= 10 and langs[prefix]["fr"] >= 10, langs[prefix]
    assert langs["003"]["nl"] >= 0.95 * sum(langs["003"].values()), langs["003"]
    assert set(langs["004"]) == {"en"}


def test_bilingual_chunks_do_not_mix_languages(corpus, detect) -> None:  # noqa: ANN001
    """Sentence by sentence, a chunk of the bilingual notes is in its own language."""
    for prefix in ("000", "001", "002"):
        checked = wrong = 0
        for c in corpus[prefix][1]:
            for sentence in re.split(r"(?<=[.!?])\s+", c.text):
                if len(sentence) >= 80:
                    checked += 1
                    wrong += detect(sentence) != c.language
        assert checked > 200 and wrong <= 0.01 * checked, (prefix, wrong, checked)


def test_sections_are_known_headings(corpus) -> None:  # noqa: ANN001
    def sections(prefix: str, lang: str) -> set[str]:
        return {c.section for c in corpus[prefix][1] if c.language == lang}

    for prefix in ("001", "002", "003"):
        chunks = corpus[prefix][1]
        assert sum(bool(c.section) for c in chunks) >= 0.9 * len(chunks), prefix
    assert any("Krachtlijn" in s for s in sections("002", "nl"))
    assert any("Ligne de force" in s for s in sections("002", "fr"))
    assert any(s.startswith("HOOFDSTUK") for s in sections("003", "nl"))
    assert any(s.endswith("1.1.2 EEN STRUCTUREEL HERVESTIGINGSBELEID MET HOGERE QUOTA")
               for s in {s.rsplit(" > ", 1)[0] for s in sections("003", "nl")})
    assert "Partie II: Accueil et asile" in sections("000", "fr")
    assert "Deel II: Opvang en Asiel" in sections("000", "nl")
    assert "INLEIDING" in sections("001", "nl") and "INTRODUCTION" in sections("001", "fr")


def test_sections_follow_the_language_of_their_chunk(corpus) -> None:  # noqa: ANN001
    """Bilingual files alternate columns: a Dutch chunk never sits under a French heading."""
    for c in corpus["002"][1]:
        if c.language == "nl":
            assert "Ligne de force" not in c.section and "Politique" not in c.section
        else:
            assert "Krachtlijn" not in c.section and "Beleid" not in c.section


def test_headings_are_not_chunk_text(corpus) -> None:  # noqa: ANN001
    texts = [c.text for c in corpus["000"][1]]
    for heading in ("Partie II: Accueil et asile", "Deel III: Migratie", "Inleiding"):
        assert not any(heading in t for t in texts), heading


def test_body_text_is_covered_by_chunks(corpus) -> None:  # noqa: ANN001
    """Nothing but headings and running headers is left out of the chunks."""
    for prefix, (raw, chunks) in corpus.items():
        covered = bytearray(len(raw))
        for c in chunks:
            covered[c.start : c.end] = b"\x01" * (c.end - c.start)
        for start, end in split_paragraphs(raw):
            if is_heading(repair(raw[start:end])[0]):
                continue
            missing = [i for i in range(start, end) if not raw[i].isspace() and not covered[i]]
            assert not missing, (prefix, raw[start:end][:80])


def test_spurious_breaks_are_rejoined() -> None:
    raw = raw_of("002")
    spans = split_paragraphs(raw)
    at = raw.index("vaak in het oog van de storm")
    (start, end), = [(s, e) for s, e in spans if s <= at < e]
    assert raw.index("Het asiel- en migratiebeleid heeft de afgelopen") == start
    assert "\n\nvaak in het oog" in raw[start:end]


def test_page_break_between_languages_splits_the_paragraph(corpus) -> None:  # noqa: ANN001
    """000: a Dutch sentence ends a page, the next page goes on with the French column."""
    raw, chunks = corpus["000"]
    cut = raw.index(" manière structurelle, ce réseau")
    (start, end), = [(s, e) for s, e in split_paragraphs(raw) if s <= cut < e]
    assert raw[start:end].startswith("De asiel- en opvangcrisis kost")  # one paragraph ...
    before = next(c for c in chunks if c.end <= cut and c.text.endswith("dit netwerk wordt"))
    after = next(c for c in chunks if c.start == cut + 1)
    assert (before.language, after.language) == ("nl", "fr")  # ... cut in two chunks
    assert after.text.startswith("manière structurelle") and after.section.startswith("Partie II")


def test_headings_get_their_own_spans() -> None:
    raw = raw_of("000")
    spans = split_paragraphs(raw)
    start = raw.index("Partie I: Coopération")
    end = raw.index("international", start) + len("international")
    assert (start, end) in spans
    raw = raw_of("003")  # a heading glued to the first line of its text
    heading = "HOOFDSTUK 1: VEILIGE EN LEGALE TOEGANG"
    start = raw.index(heading)
    assert (start, start + len(heading)) in split_paragraphs(raw)
    assert raw[start + len(heading) : start + len(heading) + 9] == "\nToegang "


@pytest.mark.parametrize(
    "text",
    [
        "Partie I: Coopération européenne et cadre international",
        "1. Krachtlijn 1: Respect voor internationaal recht en verdragen",
        "Inleiding",
        "Beleid",
        "HOOFDSTUK 1: VEILIGE EN LEGALE TOEGANG",
        "1.1.2 EEN STRUCTUREEL HERVESTIGINGSBELEID MET HOGERE QUOTA",
        "I.\u00a0—\u00a0BELEIDSNOTA ASIEL EN MIGRATIE 2020-2021",
        "b) pilootprojecten als deel van het antwoord op onwettig verblijf",
        "Wat zijn de knelpunten?",
        "WAT KAN U DOEN?",
    ],
)
def test_is_heading_accepts(text: str) -> None:
    assert is_heading(text)


@pytest.mark.parametrize(
    "text",
    [
        "Het is tijd om orde op zaken te stellen en opnieuw grip te krijgen.",
        "Samen met de minister van Justitie, de minister van",
        "Daarom zal deze regering bij de uitvoering van haar",
        "2. Syrie/Syrië 1 116",
        "2016 57,7%",
        "— europese samenwerking;",
        "https://www.vlor.be/VLUCHTELINGEN",
        "C H A M B R E   3 e  S E S S I O N  D E  L A  55 e  L É G I S L AT U R E",
        "De top 5 landen van herkomst in 2020 zijn de volgende:",
        "8. Maak terugnameakkoorden openbaar, voer er een debat over. (Europees/Federaal)",
        "2. Hoe investeren we in de sociale grondrechten van mensen op de vlucht?",
        "",
    ],
)
def test_is_heading_rejects(text: str) -> None:
    assert not is_heading(text)


def test_long_paragraph_is_cut_at_sentences_with_exact_offsets() -> None:
    sentence = "Dit is een zin over asiel en migratie die wat langer is dan gewoonlijk, "
    raw = "Titel\n\n" + " \n".join(f"{sentence * 3}nummer {i}." for i in range(12)) + "\n"
    chunks = chunk_document("x", raw, lambda _: "nl", max_chars=500, min_chars=100)
    assert len(chunks) > 3 and all(c.section == "Titel" for c in chunks)
    assert all(len(c.text) <= 500 and c.text.endswith(".") for c in chunks)
    assert " ".join(c.text for c in chunks) == repair(raw[raw.index("Dit") :])[0]
    for c in chunks:
        assert repair(raw[c.start : c.end], c.start)[0] == c.text


def test_an_over_long_sentence_is_cut_at_clauses() -> None:
    raw = "; ".join(f"deel {i} van een opsomming zonder einde" for i in range(60)) + "."
    chunks = chunk_document("x", raw, lambda _: "nl", max_chars=300, min_chars=50)
    assert len(chunks) > 5 and all(len(c.text) <= 300 for c in chunks)
    assert " ".join(c.text for c in chunks) == raw


def test_short_text_inherits_the_previous_language() -> None:
    raw = (
        "Un paragraphe assez long pour être reconnu comme du français sans hésitation.\n\n"
        "— ok;\n\n"
        "Een alinea die lang genoeg is om als Nederlands herkend te worden, zonder twijfel.\n"
    )
    seen: list[str] = []

    def fake(text: str) -> str | None:
        seen.append(text)
        return "fr" if "français" in text else "nl"

    chunks = chunk_document("x", raw, fake, max_chars=900, min_chars=0)
    assert [c.language for c in chunks] == ["fr", "nl"]
    assert "— ok;" in chunks[0].text and all("ok;" not in s for s in seen)


def test_offsets_round_trip_through_json(corpus) -> None:  # noqa: ANN001
    for _, chunks in corpus.values():
        for c in chunks[::7]:
            s = c.offsets.to_json()
            back = OffsetMap.from_json(s)
            assert back == c.offsets
            assert back.original(len(c.text)) == c.end
            assert len(s) < 1500


@pytest.mark.parametrize("raw", ["", "   ", "\n\n \u00a0\n\t"])
def test_empty_input_raises(raw: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        chunk_document("leeg.txt", raw, lambda _: "nl")


def test_print_chunk_statistics(corpus) -> None:  # noqa: ANN001
    """For the lead, with -s: chunk counts per file and language, mean length."""
    print()
    for prefix, (_, chunks) in corpus.items():
        langs = dict(sorted(Counter(c.language for c in chunks).items()))
        mean = sum(len(c.text) for c in chunks) / len(chunks)
        print(f"{prefix}: {len(chunks):4d} chunks {langs} mean {mean:.0f} chars")
    every = [c for _, chunks in corpus.values() for c in chunks]
    print(f"all: {len(every)} chunks, mean {sum(len(c.text) for c in every) / len(every):.0f}")
