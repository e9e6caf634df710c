"""Citation markers and the number check that guards against invented figures."""

from chat.checks import (
    asks_quantity,
    borrowed_from,
    check_answer,
    drop_echoes,
    faithful_translation,
    figure_for_years,
    foreign_words,
    markers_in,
    normalise_number,
    numbers_in,
    period_mismatch,
    same_substance,
    strip_markers,
)
from tests.conftest import CORPUS


def test_number_formats_normalise_to_the_same_value() -> None:
    assert {normalise_number(t) for t in ["136.000", "136 000", "136,000", "136000"]} == {
        "136000"
    }
    assert normalise_number("2,5") == normalise_number("2.5") == "2.5"
    assert normalise_number("1.117,5") == "1117.5"


def test_numbers_in_reads_digits_and_spelled_out_numbers() -> None:
    text = "Depuis 2021, plus de 136.000 demandes; drie pijlers, three pillars, 13 %"
    assert numbers_in(text) == {"2021", "136000", "13"}
    assert {"3", "2021"} <= numbers_in(text, words=True)
    # articles that double as "one" are not numbers
    assert "1" not in numbers_in("een nota, un pacte, one note", words=True)


def test_markers_in_order_and_grouped() -> None:
    assert markers_in("A [2]. B [1, 3]. C [2].") == [2, 1, 3]
    assert strip_markers("A [2]. B [1,3].") == "A. B."


def test_answer_with_cited_number_passes() -> None:
    result = check_answer("Belgium received 136,000 applications [1].",
                          ["plus de 136.000 demandes d'asile", "Fedasil compte 35.000 places"])
    assert result.ok and result.cited == [1]


def test_number_from_an_uncited_passage_moves_the_citation_there() -> None:
    result = check_answer("Fedasil has 136.000 places [2].",
                          ["plus de 136.000 demandes", "Fedasil compte 35.000 places"])
    assert result.ok and result.cited == [2, 1]
    assert result.invented == []


def test_number_in_no_passage_is_invented() -> None:
    result = check_answer("Fedasil has 40.000 places [2].",
                          ["plus de 136.000 demandes", "Fedasil compte 35.000 places"])
    assert not result.ok and result.invented == ["40000"]


def test_invented_number_and_bad_marker_fail() -> None:
    answer = "La naturalisation coûte environ 1000 euros [3]."
    result = check_answer(answer, ["Un texte sans prix."])
    assert "marker [3] points at no passage" in result.problems
    assert any("1000" in p for p in result.problems)


def test_a_number_only_the_question_holds_is_not_grounded() -> None:
    # "Ik begeleid een jongere die zegt dat hij 16 is …": the model made the user's 16 a rule
    passage = "Daarom centraliseren we de identificatieprocedure en leeftijdsbepaling."
    result = check_answer("De regering verandert de leeftijdsbepaling naar 16 jaar [1].",
                          [passage])
    assert result.invented == ["16"]
    assert check_answer("De regering centraliseert de leeftijdsbepaling [1].", [passage]).ok


def test_answer_without_marker_is_flagged() -> None:
    assert "no citation marker" in check_answer("Yes.", ["Yes it is."]).problems


def test_figure_must_stand_next_to_the_asked_year() -> None:
    passage = ("Depuis le début de l'année 2021, la Belgique a reçu plus de 136.000 demandes. "
               "En 2024, 4 % des personnes protégées ont reçu la protection subsidiaire.")
    question = "Combien de demandes en 2024 ?"
    assert not figure_for_years("Plus de 136.000 demandes en 2024 [1].", [passage], ["2024"],
                                question)
    assert figure_for_years("4 % en 2024 [1].", [passage], ["2024"], question)
    table = "2017 19 688 2018 23 443 2019 27 742"
    assert figure_for_years("27.742 in 2019 [1].", [table], ["2019"], "And in 2019?")


def test_a_figure_of_the_wrong_kind_is_a_near_miss() -> None:
    from chat.checks import unit_mismatch

    cost = "Hoeveel euro gaat een nationaliteitsaanvraag kosten?"
    assert unit_mismatch(cost, "Het gaat om 56.500 personen [1].",
                         ["meer dan 56.500 personen in asielaanvraag"]) == ["56500"]
    assert unit_mismatch(cost, "Het kost 1.000 euro [1].", ["een bijdrage van 1.000 euro"]) == []
    share = "Welk percentage kreeg subsidiaire bescherming in 2024?"
    assert unit_mismatch(share, "Slechts 4 % [1].", ["amper 4 % van de beschermden"]) == []
    assert unit_mismatch(share, "Slechts 4 [1].", ["4 mensen kregen bescherming"]) == ["4"]
    assert unit_mismatch(cost, "Het kost 180 euro voor 2 volwassenen [1].",
                         ["180 euro voor 2 volwassenen"]) == []
    # other questions are not judged by unit
    assert unit_mismatch("How many applications?", "35,476 [1]", ["2015 35 476"]) == []


def test_shares_in_words_count_as_figures() -> None:
    assert numbers_in("Only half of them work.", words=True) == {"half"}
    assert "moitié" in numbers_in("la moitié des nouveaux arrivants", words=True)


def test_the_year_may_stand_in_the_sentence_before_the_figure() -> None:
    passage = "In oktober 2020 kwamen er veel aanvragen. Het gaat over 208 verzoeken."
    assert figure_for_years("Het waren 208 verzoeken [1].", [passage], ["2020"], "Hoeveel?")
    assert not figure_for_years("Het waren 208 verzoeken [1].",
                                ["Het gaat over 208 verzoeken. In 2020 niet."], ["2020"],
                                "Hoeveel?")


def test_a_count_answered_with_percentages_is_wrong_in_kind() -> None:
    from chat.checks import share_for_count

    q = "Combien d'Ukrainiens ont bénéficié d'une protection temporaire ?"
    assert share_for_count(q, "En Europe, 38 % des personnes protégées [2].")
    assert share_for_count(q, "En 2024, 4 % ont reçu une protection subsidiaire [2].")
    assert not share_for_count(q, "Plus de 92.000 Ukrainiens, soit 38 % [1].")
    assert not share_for_count("Quel pourcentage en 2024 ?", "4 % [1].")


def test_a_numbered_list_is_not_a_list_of_figures() -> None:
    from chat.checks import tidy_draft

    draft = "Zo:\n1. Snellere procedures [1].\n2. Studentenvisa [2].\n10) Minderjarigen"
    tidy = tidy_draft(draft)
    assert tidy == "Zo:\n- Snellere procedures [1].\n- Studentenvisa [2].\n- Minderjarigen"
    assert numbers_in(tidy) == set()
    assert tidy_draft("Er zijn 38.300 plaatsen [1].") == "Er zijn 38.300 plaatsen [1]."


def test_a_looping_clause_is_said_once() -> None:
    from chat.checks import tidy_draft

    loop = ", ".join(["de beter globaal beheer van migratie"] * 12) + ", de beter glob"
    assert tidy_draft(f"Het plan noemt {loop}") == \
        "Het plan noemt de beter globaal beheer van migratie."
    # a clause said twice is a style choice, not a loop
    twice = "Het gaat om opvang in België, en om opvang in België [1]."
    assert tidy_draft(twice) == twice


def test_a_list_line_written_again_is_said_once() -> None:
    from chat.checks import tidy_draft

    draft = "Speerpunten: [1]\n1. Terugkeer [1].\n2. Data [1].\n3. Terugkeer [1].\n4. Data [2]."
    assert tidy_draft(draft) == "Speerpunten: [1]\n- Terugkeer [1].\n- Data [1]."


def test_the_sentence_cut_by_the_token_limit_is_dropped() -> None:
    from chat.checks import drop_unfinished

    assert drop_unfinished("Er zijn drie wegen [1]. Hervestiging is er één. We betre") == \
        "Er zijn drie wegen [1]. Hervestiging is er één."
    # a list cut inside its next item, or after the item's number
    assert drop_unfinished("De pijlers zijn:\n- Code [1]\n- Audit [1]\n- Het act") == \
        "De pijlers zijn:\n- Code [1]\n- Audit [1]"
    assert drop_unfinished("The pillars are:\n1. A code [1]\n2. An audit [1]\n3.") == \
        "The pillars are:\n- A code [1]\n- An audit [1]"
    # one cut sentence keeps its finished clauses and says it goes on
    assert drop_unfinished("Les lignes sont le respect du droit, la coopération, la prot") == \
        "Les lignes sont le respect du droit, la coopération …"
    finished = "Er zijn drie wegen [1]. Hervestiging is er één [2]."
    assert drop_unfinished(finished) == finished


def test_a_figure_asked_later_in_the_question_is_a_quantity() -> None:
    assert asks_quantity("Quel sera le montant des primes d'intégration ?")
    assert asks_quantity("What was Fedasil's total reception budget for 2021?")
    assert asks_quantity("Wat is het bedrag van het leefloon?")
    assert not asks_quantity("Welke maatregelen neemt de regering tegen misbruik?")
    assert not asks_quantity("What does the note say about the reception network?")


def test_an_answer_saying_the_passages_do_not_give_it_is_a_refusal() -> None:
    from chat.checks import says_not_stated

    assert says_not_stated("The total budget was not specified in the given passages.")
    assert says_not_stated("Het bedrag wordt niet vermeld in de documenten [1].")
    assert says_not_stated("La note ne précise pas la durée.")
    # one unknown detail in an otherwise answered question is still an answer
    assert not says_not_stated("Het budget is 5 miljoen euro [1]. Het doel wordt niet vermeld.")
    assert not says_not_stated("Er zijn 38.300 plaatsen [1].")


def test_sentences_that_only_repeat_the_question_or_instruction_are_dropped() -> None:
    question = "Le mémorandum de l'ONG et la note de Van Bossuyt vont-ils dans le même sens ?"
    instruction = "Answer in French: first what the memorandum says, then what the note says."
    draft = f"{question}\n\nLa note de Van Bossuyt renforce les conditions de revenu [1]."
    assert drop_echoes(draft, [question, instruction]) == (
        "La note de Van Bossuyt renforce les conditions de revenu [1].")
    # the instruction written back is no answer at all
    assert drop_echoes("first what the memorandum says, then what the note says [1].",
                       [question, instruction]) == ""
    # kept: a yes/no, a figure of its own, a list's lead-in
    yes = "Oui, la note de Van Bossuyt va dans le même sens [1]."
    assert drop_echoes(yes, [question]) == yes
    figure = "La note de Van Bossuyt compte 583 places [1]."
    assert drop_echoes(figure, [question, "note Bossuyt compte places"]) == figure
    lead = "The three pillars of the note are:\n- a Migration Code [1]"
    assert drop_echoes(lead, ["What are the three pillars of the note?"]) == lead


DUTCH = ("Sinds de hervorming van 2017 behandelen de familierechtbanken die gevestigd zijn bij "
         "een hof van beroep de aanvragen tot erkenning als staatloze.")


def test_words_left_in_the_passage_language_are_found() -> None:
    from store.language import get_detector

    confidence = get_detector("lingua").confidence
    question = "Which courts deal with applications for recognition as a stateless person?"
    given = [("nl", DUTCH), ("en", question)]
    answer = "The courts are the familierechtbanken at a Hof van Beroep [1]."
    assert foreign_words(answer, "en", given, confidence) == ["familierechtbanken"]
    # names (capitalised), words of the question and words inside quotes do not count
    assert foreign_words("The family courts at a Hof van Beroep [1].\n\n“de familierechtbanken”",
                         "en", given, confidence) == []
    # a Dutch answer from the Dutch passage has nothing foreign
    assert foreign_words("De familierechtbanken behandelen de aanvragen [1].", "nl", given,
                         confidence) == []


def test_a_rewrite_must_keep_the_figures_and_citations() -> None:
    before = "Since 2017 the familierechtbanken deal with it [1]."
    assert same_substance(before, "Since 2017 the family courts deal with it [1].")
    assert not same_substance(before, "Since 2018 the family courts deal with it [1].")
    assert not same_substance(before, "Since 2017 the family courts deal with it.")
    assert not same_substance(before, "Family courts [1] 2017.")


def test_a_figure_must_stand_with_the_name_the_question_asks_about() -> None:
    from chat.checks import asked_names, figure_for_names

    known = {"van", "bossuyt", "belgium"}
    q = "Hoeveel plaatsen telt het gesloten centrum in Brugge?"
    assert asked_names(q, known) == ["Brugge"]
    assert asked_names("How many places does Van Bossuyt's note plan in Belgium?", known) == []
    general = ["Er komen 583 extra plaatsen in de gesloten centra. Het budget stijgt."]
    assert not figure_for_names("Het centrum in Brugge heeft 583 plaatsen [1].", general,
                                ["Brugge"], q)
    # the name may stand in the sentence before the figure
    named = ["Het centrum in Brugge wordt uitgebreid. Het telt dan 583 plaatsen."]
    assert figure_for_names("Het centrum in Brugge heeft 583 plaatsen [1].", named,
                            ["Brugge"], q)
    # a figure the question itself gives is no answer
    assert not figure_for_names("In Brugge 583 [1].", named, ["Brugge"], "Brugge 583?")


def test_the_manifest_knows_the_words_that_name_documents() -> None:
    from store.manifest import Manifest

    words = Manifest.load(CORPUS).name_words()
    assert {"bossuyt", "vluchtelingenwerk", "mahdi", "belgium", "belgique"} <= words
    assert "brugge" not in words and "fedasil" not in words


def test_a_sentence_citing_the_wrong_passage_cites_the_one_with_its_figure() -> None:
    from chat.checks import repoint_markers

    passages = ["De visumaanvragen kosten 180 euro. De DNA testen kosten 200 euro per persoon.",
                "Slechts weinig gezinsleden kunnen: 1. de partner 2. de kinderen.",
                "Er waren 200 aanvragen in 2019, en 180 dossiers."]
    assert repoint_markers("Le test ADN coûte 200 euros par personne [2].", passages[:2]) == \
        "Le test ADN coûte 200 euros par personne [1]."
    # a right marker, a figure in no passage, or several holders: left as written
    for sentence in ("Le test coûte 200 euros [1].", "Il coûte 999 euros [2]."):
        assert repoint_markers(sentence, passages[:2]) == sentence
    assert repoint_markers("Le test coûte 200 euros [2].", passages) == \
        "Le test coûte 200 euros [2]."
    # of several markers, the others stay (they may stand for words): the holder is added
    assert repoint_markers("Pour 2 enfants, 200 euros [2][3].", passages[:2] + ["Rien."]) == \
        "Pour 2 enfants, 200 euros [2][3][1]."


def test_a_figure_given_for_another_period_is_not_the_one_asked() -> None:
    question = "Hoeveel bedraagt het leefloon per maand voor een erkende vluchteling?"
    day = ["Het Rekenhof stelde vast dat individuele opvang tussen 8,10 euro en 19,97 euro "
           "per dag goedkoper is dan collectieve opvang."]
    assert period_mismatch(question, "Het leefloon is 8,10 euro [1].", day) == ["8.10"]
    month = ["Het leefloon bedraagt 1.263,17 euro per maand. Een verblijf kost 8 euro per dag."]
    assert period_mismatch(question, "Het leefloon is 1.263,17 euro [1].", month) == []
    # a figure given for no period, or a question asking for none, is not judged here
    assert period_mismatch(question, "Het is 1.263,17 euro [1].", ["1.263,17 euro."]) == []
    assert period_mismatch("Hoeveel kost het?", "8,10 euro [1].", day) == []


def test_a_yes_against_a_passage_that_says_no_is_a_contradiction() -> None:
    from chat.checks import contradicts

    passage = ("Verzoekers op wie de Dublin-regels van toepassing zijn, worden opgevangen in "
               "sobere Dublincentra. Zij die al bescherming genieten in een andere lidstaat "
               "krijgen géén opvang.")
    yes = "Ja, zij die al bescherming genieten in een andere lidstaat krijgen nog opvang [1]."
    assert contradicts(yes, [passage])
    # a no, a yes that itself negates, a yes the passage supports, a yes about something else
    assert not contradicts("Nee, zij die al bescherming genieten krijgen geen opvang [1].",
                           [passage])
    assert not contradicts("Ja, zij krijgen niet langer opvang in een andere lidstaat [1].",
                           [passage])
    assert not contradicts("Ja, verzoekers op wie de Dublin-regels van toepassing zijn, worden "
                           "opgevangen in sobere Dublincentra [1].", [passage])
    assert not contradicts("Yes, the budget grows [1].", [passage])


def test_words_borrowed_from_an_uncited_passage_are_found() -> None:
    passages = [
        "Het Klein Kasteeltje is een aanmeldcentrum dat in de toekomst zal verhuizen.",
        "Leden van de Kamer hebben tussen acht uur 's morgens en zeven uur 's avonds "
        "toegang tot de gesloten centra.",
    ]
    q = "Wat zijn de openingsuren van het aanmeldcentrum Klein Kasteeltje?"
    borrowed = ("De openingsuren van het aanmeldcentrum Klein Kasteeltje zijn tussen acht uur "
                "'s morgens en zeven uur 's avonds [1].")
    assert borrowed_from(borrowed, q, passages) == 2
    assert borrowed_from(borrowed.replace("[1]", "[2]"), q, passages) is None
    # a sentence that cites a passage in another language is not judged
    assert borrowed_from(borrowed, q, [None, passages[1]]) is None
    own = "Het Klein Kasteeltje zal in de toekomst verhuizen [1]."
    assert borrowed_from(own, q, passages) is None


def test_a_translation_that_loses_or_adds_a_figure_is_not_faithful() -> None:
    original = ("Hongarije keurde in juni 2018 een wet goed waarbij activisten tot 12 maanden "
                "cel riskeren.")
    good = "Hungary passed a law in June 2018 under which activists risk up to 12 months in jail."
    assert faithful_translation(original, good)
    assert not faithful_translation(original, good.replace("12 months", "a year"))  # lost
    assert not faithful_translation(original, good.replace("2018", "2018 and 2019"))  # added
    assert not faithful_translation(original, good + " [1]")  # a marker: not a translation
    assert not faithful_translation(original, "Hungary, June 2018, 12.")  # a summary
    assert not faithful_translation(original, "")


def test_an_uncited_answer_goes_to_the_passage_holding_what_it_adds_to_the_question() -> None:
    """The answer repeats the question's words ("the next topic of the Interministerial
    Conference"); the passage naming the conference most is not where its answer is."""
    from chat.checks import attribute

    question = "What is the next topic on the Interministerial Conference on Migration agenda?"
    answer = ("The next topic on the Interministerial Conference on Migration agenda is "
              "Activering and arbeidsmigratie.")
    named = ("Om dat coherent migratie- en integratiebeleid te bewerkstelligen, werd er een "
             "Interministeriële conferentie Migratie en Integratie opgericht.")
    holds = "Het volgende thema dat zal besproken worden is Activering en arbeidsmigratie."
    assert attribute(answer, [named, holds], question) == 2
    assert attribute(answer, [named, holds]) == 1  # without the question: the echo wins
    assert attribute("Niets hiervan.", [named, holds], question) is None
