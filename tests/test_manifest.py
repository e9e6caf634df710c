"""The manifest: every document described, and questions routed by the names people use."""

import json

from store.manifest import Manifest
from tests.conftest import CORPUS

MANIFEST = Manifest.load(CORPUS)


def test_every_corpus_file_is_described_in_three_languages() -> None:
    files = {p.name for p in CORPUS.glob("*.txt")}
    assert set(MANIFEST.documents) == files
    for meta in MANIFEST.documents.values():
        for key in ("titles", "short_titles", "aliases"):
            assert set(meta[key]) == {"nl", "fr", "en"}, (meta["file"], key)
        assert meta["author"] and meta["year"] and meta["publisher"] and meta["kind"]


def test_no_alias_names_two_documents_or_is_a_bare_year() -> None:
    seen: dict[str, str] = {}
    data = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    for doc in data["documents"]:
        for aliases in doc["aliases"].values():
            for alias in aliases:
                assert not alias.strip().replace("-", "").isdigit(), alias
                assert seen.setdefault(alias.lower(), doc["file"]) == doc["file"], alias


def test_questions_are_routed_by_how_people_name_documents() -> None:
    assert MANIFEST.named_documents("Wat vraagt het memorandum van Vluchtelingenwerk?")[0] \
        == "003_a27541d3f3e19fef.txt"
    assert MANIFEST.named_documents("Que dit la note de la ministre Van Bossuyt ?")[0] \
        == "000_fb9c599bc3eacfb7.txt"
    assert MANIFEST.named_documents("How many applications were there in 2022?") == []


def test_document_names_are_not_asked_years() -> None:
    q = MANIFEST.without_names("In de beleidsnota van Van Bossuyt, hoeveel aanvragen in 2023?")
    assert "2023" in q and "van bossuyt" not in q
    assert MANIFEST.title("000_fb9c599bc3eacfb7.txt", "fr").startswith("Note")


def test_a_documents_own_year_next_to_its_author_names_it() -> None:
    q = MANIFEST.without_names("How do Van Bossuyt's 2025 note and Mahdi's 2020-2021 note "
                               "differ on resettlement in 2023?")
    assert "2025" not in q and "2020" not in q and "2021" not in q and "2023" in q
    assert "2022" in MANIFEST.without_names("How many applications were there in 2022?")


def test_a_document_word_next_to_its_year_names_the_document() -> None:
    q = MANIFEST.without_names("Combien d'affaires en 2018 selon la note 2020-2021 ?")
    assert "2018" in q and "2020" not in q and "2021" not in q
    assert "2022" not in MANIFEST.without_names(
        "D’après l'exposé d’orientation politique de 2022, quel a été le premier sujet ?")
    assert "2022" in MANIFEST.without_names("How many applications were there in 2022?")


def test_typographic_apostrophes_do_not_hide_a_document_name() -> None:
    for q in ("D'après l'exposé d'orientation politique, quoi ?",
              "D’après l’exposé d’orientation politique, quoi ?"):
        assert MANIFEST.named_documents(q) == ["001_66f23cb0fac3c44c.txt"]


def test_documents_are_listed_in_the_order_the_question_names_them() -> None:
    q = "How does the NGO memorandum differ from Van Bossuyt's policy note on Dublin?"
    assert MANIFEST.named_in_order(q) == ["003_a27541d3f3e19fef.txt", "000_fb9c599bc3eacfb7.txt"]
