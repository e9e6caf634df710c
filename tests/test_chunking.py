"""Chunking of the real corpus: exact spans, pure languages, plausible sections."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from ingest.chunking import (
    Chunk,
    chunk_document,
    is_heading,
    repair_spans,
    split_paragraphs,
)
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


def test_every_chunk_is_exactly_its_raw_spans(corpus) -> None:  # noqa: ANN001
    """The text is the repair of the chunk's spans joined by a space, and every text position
    maps to its own raw character, also in a second span (a sentence cut by a column)."""
    for raw, chunks in corpus.values():
        for c in chunks:
            text, offsets = repair_spans(raw, c.spans)
            assert text == c.text
            assert offsets == c.offsets
            assert (c.spans[0][0], c.spans[-1][1]) == (c.start, c.end)
            assert c.offsets.original(0) == c.start
            assert c.offsets.original(len(c.text)) == c.end  # spans carry no outer whitespace
            for start, end in c.spans:
                assert not raw[start].isspace() and not raw[end - 1].isspace()
            for i, char in enumerate(c.text):
                at = c.offsets.original(i)
                assert raw[at] == char or (char == " " and raw[at].isspace()), (c.start, i)
                assert any(s <= at <= e for s, e in c.spans), (c.start, i)


def test_chunks_are_ordered_disjoint_and_non_empty(corpus) -> None:  # noqa: ANN001
    for prefix, (_, chunks) in corpus.items():
        assert chunks, prefix
        assert [c.start for c in chunks] == sorted(c.start for c in chunks), prefix
        spans = sorted(span for c in chunks for span in c.spans)
        for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False):
            assert a_end <= b_start, (prefix, a_end, b_start)  # no raw text in two chunks
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
    """Nothing but headings, running headers and what repair drops is left out of the chunks.

    Repair drops footnote references ("gezinnen.46 Ze"); one that ends a chunk lies between
    two chunks' spans.
    """
    for prefix, (raw, chunks) in corpus.items():
        covered = bytearray(len(raw))
        for c in chunks:
            for start, end in c.spans:
                for i in range(start, end):
                    covered[i] += 1
        assert max(covered) == 1, prefix  # ... and nothing twice
        for start, end in split_paragraphs(raw):
            if is_heading(repair(raw[start:end])[0]):
                continue
            text, offsets = repair(raw[start:end], start)
            kept = {offsets.original(i) for i in range(len(text))}
            missing = [i for i in range(start, end)
                       if not raw[i].isspace() and not covered[i] and i in kept]
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
    dutch = next(c for c in chunks if "dit netwerk wordt" in c.text)
    french = next(c for c in chunks if any(s == cut + 1 for s, _ in c.spans))
    assert (dutch.language, french.language) == ("nl", "fr")  # ... cut by language
    assert french.section.startswith("Partie II") and dutch.section.startswith("Deel II")


def _raw_of_quote(raw: str, chunk: Chunk, quote: str) -> str:
    """The raw text a citation of `quote` in the chunk points at (whitespace normalised)."""
    at = chunk.text.index(quote)
    start, end = chunk.offsets.original_span(at, at + len(quote))
    return " ".join(raw[start:end].split())


def test_a_sentence_cut_by_the_other_column_is_one_chunk(corpus) -> None:  # noqa: ANN001
    """000: "... dit netwerk wordt" [French column] "teruggebracht tot een adequaat aantal":
    the sentence is whole in one Dutch chunk, and likewise the French one."""
    raw, chunks = corpus["000"]
    for lang, sentence, second in [
        ("nl", "dit netwerk wordt teruggebracht tot een adequaat aantal collectieve "
               "opvangplaatsen", "teruggebracht tot een adequaat aantal collectieve"),
        ("fr", "diminue de manière structurelle, ce réseau soit réduit",
               "manière structurelle, ce réseau soit réduit"),
        ("fr", "au sein d’un seul SPF migration", "au sein d’un seul SPF migration"),
    ]:
        found = [c for c in chunks if sentence in c.text]
        assert len(found) == 1 and found[0].language == lang, sentence
        chunk = found[0]
        assert len(chunk.spans) >= 2
        # a quote from the second part points at the right place in the original file
        assert _raw_of_quote(raw, chunk, second) == second


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


_NL_COLUMN = "Het beleid wordt bijgestuurd zodra de druk op het netwerk afneemt en het netwerk \
wordt \n"
_FR_COLUMN = "Une politique est adaptée dès que la pression diminue sur le réseau d’accueil.\n"
_NL_GOES_ON = "teruggebracht tot een redelijk aantal plaatsen, niet meer en niet minder.\n"


def _fake_detect(text: str) -> str | None:
    return "fr" if any(w in text for w in ("politique", "réseau", "Politique")) else "nl"


def test_synthetic_column_break_is_joined() -> None:
    raw = f"Beleid\n\n{_NL_COLUMN}\nPolitique\n\n{_FR_COLUMN}\n{_NL_GOES_ON}"
    chunks = chunk_document("x", raw, _fake_detect, max_chars=900, min_chars=0)
    assert [c.language for c in chunks] == ["nl", "fr"]
    nl, fr = chunks
    assert nl.text == f"{repair(_NL_COLUMN)[0]} {repair(_NL_GOES_ON)[0]}"
    assert nl.spans == ((raw.index("Het beleid"), raw.index("wordt \n") + 5),
                        (raw.index("teruggebracht"), raw.index("minder.") + 7))
    assert (nl.start, nl.end) == (nl.spans[0][0], nl.spans[1][1])
    assert nl.section == "Beleid" and fr.section == "Politique"
    assert nl.spans[0][1] < fr.start < fr.end < nl.spans[1][0]  # the French text is not in it
    assert _raw_of_quote(raw, nl, "teruggebracht tot een") == "teruggebracht tot een"
    at = nl.text.index("redelijk aantal")
    assert nl.offsets.original_span(at, at + 15) == (raw.index("redelijk"),
                                                     raw.index("redelijk") + 15)
    join = nl.text.index(" teruggebracht")
    assert nl.offsets.original(join) == nl.spans[0][1]  # the joining space: just after part 1
    assert nl.offsets.original(join + 1) == nl.spans[1][0]


@pytest.mark.parametrize("heading", [True, False])
def test_synthetic_column_break_is_not_joined_after_a_heading_or_a_full_stop(
    heading: bool,
) -> None:
    """A Dutch heading in between opens a new Dutch section (it is long enough to tell its
    language: a short one would go with the French text after it); a full stop ends it."""
    nl = _NL_COLUMN if heading else _NL_COLUMN.replace("wordt \n", "wordt kleiner.\n")
    between = "Een nieuwe kop over het beleid inzake opvang\n\n" if heading else ""
    raw = f"Beleid\n\n{nl}\n{between}{_FR_COLUMN}\n{_NL_GOES_ON}"
    chunks = chunk_document("x", raw, _fake_detect, max_chars=900, min_chars=0)
    assert [c.language for c in chunks] == ["nl", "fr", "nl"]
    assert all(len(c.spans) == 1 for c in chunks)


def test_a_long_joined_unit_is_cut_with_the_spans_of_its_parts() -> None:
    first = " ".join(f"Zin nummer {i} gaat over de opvang van verzoekers." for i in range(6))
    second = " ".join(f"Zin nummer {i} gaat over de terugkeer van mensen." for i in range(6, 12))
    raw = (f"{first} En het netwerk wordt \n\n{_FR_COLUMN}\nteruggebracht tot een "
           f"redelijk aantal plaatsen. {second}\n")
    chunks = chunk_document("x", raw, _fake_detect, max_chars=200, min_chars=50)
    dutch = [c for c in chunks if c.language == "nl"]
    assert " ".join(c.text for c in dutch) == repair(first)[0] + " En het netwerk wordt " \
        + repair(raw[raw.index("teruggebracht") :])[0]
    straddling = [c for c in dutch if "wordt teruggebracht" in c.text]
    assert len(straddling) == 1 and len(straddling[0].spans) == 2
    fr = next(c for c in chunks if c.language == "fr")
    for c in dutch:
        assert all(e <= fr.start or s >= fr.end for s, e in c.spans)  # no bridge over French
        assert repair_spans(raw, c.spans) == (c.text, c.offsets)
        assert len(c.text) <= 200


def test_a_signature_is_body_text() -> None:
    raw = raw_of("003")
    spans = split_paragraphs(raw)
    start = raw.index("Charlotte Vandycke")
    assert any(s == start for s, _ in spans)
    chunks = chunk_document("003.txt", raw, lambda _: "nl")
    foreword = next(c for c in chunks if "Charlotte Vandycke" in c.text)
    assert "dit manifest. Charlotte Vandycke Directeur Vluchtelingenwerk Vlaanderen" in (
        foreword.text)
    raw = raw_of("000")
    assert any("De minister van Asiel en Migratie, Anneleen Van Bossuyt" in c.text
               for c in chunk_document("000.txt", raw, _fake_detect))


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
