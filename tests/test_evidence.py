"""Evidence windows: each passage cut to its most relevant sentences."""

from chat.evidence import lexical_scores, select_windows, sentences

DETENTION = (
    "Er wordt uitvoering gegeven aan de Europese regelgeving over minder dwingende maatregelen. "
    "Hiervoor wordt de haalbaarheid van alternatieven voor detentie onderzocht. "
    "Het gaat hier onder meer over de terugkeerhuizen, huisarrest, borg en elektronisch "
    "toezicht. Deze alternatieven zullen op een systematische manier geëvalueerd worden."
)
OTHER = "Minderjarigen worden niet vastgehouden in gesloten centra. " * 6


def _relevance(texts: list[str], probe: str):
    spans = [sentences(t) for t in texts]
    return spans, [lexical_scores(t, sp, probe) for t, sp in zip(texts, spans, strict=True)]


def test_every_window_fits_its_limit_and_holds_the_best_sentence() -> None:
    texts = [DETENTION, OTHER]
    windows = select_windows(texts, _relevance(texts, "alternatieven detentie onderzocht"), 120)
    assert all(end - start <= 120 for start, end in windows)
    start, end = windows[0]
    assert "alternatieven voor detentie onderzocht" in DETENTION[start:end]
    assert "huisarrest" not in DETENTION[start:end]


def test_the_best_passage_gets_the_longer_lead_window() -> None:
    texts = [DETENTION, OTHER]
    windows = select_windows(texts, _relevance(texts, "alternatieven detentie onderzocht"), 120,
                             lead_chars=260)
    start, end = windows[0]
    assert 120 < end - start <= 260
    assert "huisarrest" in DETENTION[start:end]
    assert windows[1][1] - windows[1][0] <= 120


def test_a_list_question_grows_the_window_towards_the_enumeration() -> None:
    """The enumeration scores low (it names the items, not the question's words); a list
    question still gets it next to the best sentence."""
    text = ("Hiervoor wordt de haalbaarheid van alternatieven voor detentie onderzocht. "
            "Het gaat hier onder meer over de terugkeerhuizen, huisarrest, borg en toezicht. "
            "Er zal gezocht worden naar alternatieven voor detentie met effectieve terugkeer. "
            "Deze alternatieven voor detentie worden geëvalueerd.")
    spans = sentences(text)
    scores = [0.72, 0.42, 0.75, 0.47]  # as the embedder scored them for nl-list-004
    plain = select_windows([text], ([spans], [scores]), 170)
    listed = select_windows([text], ([spans], [scores]), 170, lists=True)
    for (start, end) in (plain[0], listed[0]):
        assert "Er zal gezocht" in text[start:end]  # the best sentence stays
    assert "huisarrest" not in text[slice(*plain[0])]
    assert "huisarrest" in text[slice(*listed[0])]


def test_a_flattened_table_with_the_asked_year_anchors_the_window() -> None:
    from chat.evidence import favour_tables

    text = ("Het recht op asiel is een internationale verplichting van België. "
            "Het aantal verzoeken steeg jaar na jaar tot de coronacrisis. "
            "2016 18 710 2017 19 688 2018 23 343 2019 27 742 2020 11 144 "
            "Een belangrijke factor is de secundaire migratie.")
    spans = sentences(text)
    scores = [0.69, 0.55, 0.45]  # a table has no words to match the question
    relevance = ([spans], [scores])
    assert len(spans) == 3  # the table runs into the sentence after it
    plain = select_windows([text], relevance, 130)[0]
    assert "27 742" not in text[slice(*plain)]
    for years, found in ((["2019"], True), (["2021"], False), ([], False)):
        window = select_windows([text], favour_tables([text], relevance, years), 130)[0]
        assert ("27 742" in text[slice(*window)]) is found, years
    # figures that are no yearly table ("20 000 Britanniques") are not favoured
    other = "La Belgique compte 20 000 Britanniques. En 2019 il y en avait 18 000."
    sp = sentences(other)
    assert favour_tables([other], ([sp], [[0.5] * len(sp)]), ["2019"])[1] == [[0.5] * len(sp)]
