"""Month names in dates follow the answer's language (real CLDR tables from Babel)."""

from chat.localise import localise_months


def test_english_months_in_a_dutch_answer_become_dutch() -> None:
    got = localise_months("Het EES treedt in werking in May 2023, de audit liep tot 28 October"
                          " 2022 [1].", "nl")
    assert got == "Het EES treedt in werking in mei 2023, de audit liep tot 28 oktober 2022 [1]."


def test_dutch_and_english_months_in_a_french_answer_become_french() -> None:
    assert localise_months("le 1er mei 2023 et en March 2020", "fr") == \
        "le 1er mai 2023 et en mars 2020"


def test_french_months_in_an_english_answer_get_english_names() -> None:
    assert localise_months("on 28 octobre 2022 [2]", "en") == "on 28 October 2022 [2]"


def test_words_that_are_not_dates_and_quotes_stay() -> None:
    text = "Asylum seekers may apply; De mars begon. “in May 2023” [1]"
    assert localise_months(text, "nl") == text
    assert localise_months("in mei 2023", "nl") == "in mei 2023"
    assert localise_months("May 2023", "de") == "May 2023"


def test_seasons_before_a_year_follow_the_answers_language() -> None:
    assert localise_months("De audit liep tot de summer van 2022 [1].", "nl") == \
        "De audit liep tot de zomer van 2022 [1]."
    assert localise_months("jusqu'à l'summer of 2022", "fr") == "jusqu'à l'été of 2022"
    assert localise_months("until the zomer van 2022 and the été 2021", "en") == \
        "until the summer van 2022 and the summer 2021"
    # not before a year: a Dutch "spring" is a verb, an English "fall" too
    text = "Hij spring over de muur. Prices fall in summer."
    assert localise_months(text, "nl") == text and localise_months(text, "en") == text


def test_country_names_follow_the_answers_language() -> None:
    from chat.localise import localise

    assert localise("De autoriteiten van Nederland, Frankrijk, Duitsland en Germany [3].",
                    "nl") == "De autoriteiten van Nederland, Frankrijk en Duitsland [3]."
    assert localise("Les autorités du Royaume-Uni et Germany, Syrië.", "fr") == \
        "Les autorités du Royaume-Uni et Allemagne, Syrie."
    assert localise("Most came from Syrië and Afghanistan; “Syrië” [1]", "en") == \
        "Most came from Syria and Afghanistan; “Syrië” [1]"
    assert localise("Afghanistan, Syria/Syrië, Irak and El Salvador [1].", "en") == \
        "Afghanistan, Syria, Iraq and El Salvador [1]."
    # first names and words that are also countries stay; months are still localised
    assert localise("Maurice zei dat in May 2023 de man kwam.", "nl") == \
        "Maurice zei dat in mei 2023 de man kwam."
