"""Text repair: PDF line wrapping and hyphenation undone, every kept character traceable."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ingest.chunking import split_paragraphs
from ingest.repair import OffsetMap, repair

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FILES = sorted(CORPUS.glob("*.txt"))


def raw_of(prefix: str) -> str:
    return next(CORPUS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def assert_traceable(raw: str, text: str, m: OffsetMap, base: int = 0) -> None:
    """Each kept character comes from the same raw character; join spaces from whitespace."""
    positions = [m.original(i) - base for i in range(len(text))]
    assert positions == sorted(set(positions)), "the map must be strictly increasing"
    for i, p in enumerate(positions):
        if text[i] == " ":
            assert raw[p].isspace(), (i, text[max(0, i - 20) : i + 20])
        else:
            assert raw[p] == text[i], (i, text[max(0, i - 20) : i + 20])


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("socialement et éco-\nnomiquement positive", "socialement et économiquement positive"),
        ("van de Rech-\nten van de Mens", "van de Rechten van de Mens"),
        ("voortdurende toe-\nstroom te beheersen.", "voortdurende toestroom te beheersen."),
        ("om te bepal-\nen welke lidstaat", "om te bepalen welke lidstaat"),  # not "bepal- en"
        ("beleidsdomein-overschrij-\ndende thema’s", "beleidsdomein-overschrijdende thema’s"),
        ("een politique\u00a0euro-\npéenne", "een politique européenne"),
        ("ont\u00adwikkeling", "ontwikkeling"),  # soft hyphen
    ],
)
def test_end_of_line_hyphenation_is_undone(raw: str, want: str) -> None:
    assert repair(raw)[0] == want


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("ons asiel- \nen migratiebeleid", "ons asiel- en migratiebeleid"),
        ("ons asiel-\nen migratiebeleid", "ons asiel- en migratiebeleid"),  # no trailing space
        ("de asiel-, migratie- en \nopvangdiensten", "de asiel-, migratie- en opvangdiensten"),
        ("tussen de EU-lidstaten", "tussen de EU-lidstaten"),
        ("tussen de EU-\nlidstaten", "tussen de EU-lidstaten"),  # acronym prefix
        ("ICAM-\nbegeleiding", "ICAM-begeleiding"),
        ("Noord-\nAfrika en West-\nEuropa", "Noord-Afrika en West-Europa"),
        ("2009-\n2025.", "2009-2025."),
        ("LGBTQIA+-\nbewoners", "LGBTQIA+-bewoners"),
        ("betalen-moet- \narmoede-bestrijden", "betalen-moet-armoede-bestrijden"),  # a cut URL
        ("La migration -\nquel que soit le canal", "La migration - quel que soit le canal"),
    ],
)
def test_real_hyphens_are_kept(raw: str, want: str) -> None:
    assert repair(raw)[0] == want


def test_nbsp_and_odd_whitespace_become_one_space() -> None:
    raw = "  rond\u00a08\u00a0krachtlijnen\t\tdie \u2009hierna\u200b \r\n\r\n  uitgebreid \u202f\n"
    assert repair(raw)[0] == "rond 8 krachtlijnen die hierna uitgebreid"


def test_wrapped_lines_of_a_real_paragraph_are_joined() -> None:
    raw = raw_of("000")
    start = raw.index("Pour que la migration")
    end = raw.index("en question.", start) + len("en question.")
    text, m = repair(raw[start:end], start)
    assert "\n" not in text and "  " not in text
    assert text.startswith("Pour que la migration redevienne socialement et économiquement ")
    assert "nous devons maîtriser l’afflux de migrants." in text
    assert m.original(0) == start and m.original(len(text)) == end
    assert_traceable(raw, text, m)


def test_nbsp_in_the_bilingual_budget_note_is_normalised() -> None:
    raw = raw_of("002")
    assert raw.count("\u00a0") > 100
    text, m = repair(raw)
    assert "\u00a0" not in text
    assert "heeft de afgelopen jaren vaak in het oog van de storm gestaan" in text
    assert_traceable(raw, text, m)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:3])
def test_offsets_point_at_the_source_characters(path: Path) -> None:
    """Property over real paragraphs: raw[original(i)] == text[i] unless text[i] is a join."""
    raw = path.read_text(encoding="utf-8")
    spans = split_paragraphs(raw)
    rng = random.Random(path.name)
    for start, end in rng.sample(spans, min(60, len(spans))):
        text, m = repair(raw[start:end], start)
        assert_traceable(raw, text, m)
        assert m.original(0) == start
        assert m.original(len(text)) == end  # paragraph spans are trimmed
    text, m = repair(raw)  # the whole file at once, at random positions
    for i in rng.sample(range(len(text)), 2000):
        if text[i] != " ":
            assert raw[m.original(i)] == text[i]


def test_map_end_is_after_the_last_kept_character() -> None:
    """`original(len(text))` ignores trailing whitespace: raw[original(0):original(n)] is tight."""
    raw = "\n  Partie I: Coopération \n\n"
    text, m = repair(raw, base=100)
    assert text == "Partie I: Coopération"
    assert m.original(0) == 103
    assert m.original(len(text)) == 100 + raw.index("n \n") + 1
    assert m.original_span(0, len(text)) == (103, m.original(len(text)))


def test_base_shifts_every_offset() -> None:
    raw = "éco-\nnomiquement  positive"
    _, plain = repair(raw)
    _, shifted = repair(raw, base=1000)
    assert [shifted.original(i) for i in range(10)] == [plain.original(i) + 1000 for i in range(10)]


def test_offset_map_round_trips_through_json() -> None:
    raw = raw_of("002")
    start = raw.index("Op Europees niveau wordt")
    end = raw.index("teruggebracht worden.", start) + len("teruggebracht worden.")
    text, m = repair(raw[start:end], start)
    s = m.to_json()
    back = OffsetMap.from_json(s)
    assert back == m
    assert [back.original(i) for i in range(len(text) + 1)] == [
        m.original(i) for i in range(len(text) + 1)
    ]
    assert len(s) < 20 * (raw[start:end].count("\n") + 2), "one breakpoint per line, at most"


def test_out_of_range_positions_are_refused() -> None:
    text, m = repair("een twee")
    with pytest.raises(IndexError):
        m.original(len(text) + 1)
    with pytest.raises(IndexError):
        m.original(-1)


def test_empty_and_blank_input() -> None:
    for raw in ("", " \n\u00a0\n "):
        text, m = repair(raw, base=7)
        assert text == ""
        assert m.original(0) == 7


def test_repair_is_deterministic_and_idempotent() -> None:
    raw = raw_of("003")[:20000]
    first = repair(raw)
    assert repair(raw) == first
    assert repair(first[0])[0] == first[0]


def test_footnote_references_glued_to_words_are_dropped() -> None:
    # the memorandum's "325 organisaties … op te sluiten.46" made the model answer "46"
    raw = ("325 organisaties hebben zich verzet tegen het opsluiten van gezinnen.46 \n"
           "Ze hebben zich aangesloten. De voorbereidende werken39 bij die wet, het\n"
           "terugnameakkoord.11    — Maak, de Unie.9 Middelen")
    text, m = repair(raw)
    assert text == ("325 organisaties hebben zich verzet tegen het opsluiten van gezinnen. "
                    "Ze hebben zich aangesloten. De voorbereidende werken bij die wet, het "
                    "terugnameakkoord. — Maak, de Unie. Middelen")
    ze = text.index("Ze")
    assert raw[m.original(ze):m.original(ze) + 2] == "Ze"  # citations still point right
    # numbers that belong to the text stay
    for kept in ("zie art.3 de la loi", "Covid19 vaccins", "in 2019 waren er 27 742 aanvragen",
                 "punt 3. In 2020", "1.117,5 euro", "EU-27 landen"):
        assert repair(kept)[0] == kept


def test_the_memorandum_loses_its_footnote_references_and_nothing_else() -> None:
    before = {d: raw_of(d) for d in ("000", "001", "002", "003", "004")}
    digits = {d: sum(c.isdigit() for c in repair(raw)[0]) for d, raw in before.items()}
    raw_digits = {d: sum(c.isdigit() for c in raw) for d, raw in before.items()}
    for d in ("000", "001", "002", "004"):
        assert digits[d] == raw_digits[d], d
    assert 76 * 1 <= raw_digits["003"] - digits["003"] <= 76 * 2
