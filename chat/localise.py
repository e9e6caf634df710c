"""Month, season and country names written in the answer's language.

A 1.5B model answering in Dutch from an English passage copies "in May 2023" as it stands,
and the translation step leaves it alone because capitalised words may be names. Month
names are a closed set, so they are put right without a model call, from the CLDR tables
that Babel carries. CLDR has no seasons ("the summer of 2022"): those four are listed here.
Country names ("Germany" in a Dutch answer) come from CLDR's territory names.
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale
from babel.dates import get_month_names

from store.language import SUPPORTED

QUOTED = re.compile(r"(“[^”]*”)")


@lru_cache(maxsize=len(SUPPORTED))
def _month_pattern(lang: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """Other languages' month names next to a date's figures, and their names in `lang`."""
    target = get_month_names("wide", locale=lang)
    names: dict[str, str] = {}
    for other in SUPPORTED:
        if other == lang:
            continue
        for number, name in get_month_names("wide", locale=other).items():
            if name.lower() != target[number].lower():
                names[name.lower()] = target[number]
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    # only beside a day ("28 October") or a year ("May 2023"): "you may apply" stays
    pattern = re.compile(
        rf"(?<=\d[ \u00a0])(?:{alternatives})\b|(?<=\der[ \u00a0])(?:{alternatives})\b"
        rf"|\b(?:{alternatives})(?=[ \u00a0]\d{{4}}\b)",
        re.IGNORECASE,
    )
    return pattern, names


SEASONS = {  # spring, summer, autumn, winter
    "nl": ("lente", "zomer", "herfst", "winter"),
    "fr": ("printemps", "été", "automne", "hiver"),
    "en": ("spring", "summer", "autumn", "winter"),
}


@lru_cache(maxsize=len(SUPPORTED))
def _season_pattern(lang: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """Other languages' season names before a year, and their names in `lang`."""
    names = {name: SEASONS[lang][k] for other, seasons in SEASONS.items() if other != lang
             for k, name in enumerate(seasons) if name != SEASONS[lang][k]}
    if lang != "nl":  # Dutch has a second word for spring and autumn
        names.update({"voorjaar": SEASONS[lang][0], "najaar": SEASONS[lang][2]})
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    # only before a year ("summer of 2022", "zomer van 2022", "été 2022"): "spring" may be
    # a Dutch verb, and "fall" an English one
    pattern = re.compile(rf"\b(?:{alternatives})(?=[ \u00a0]+(?:(?:of|van|de)[ \u00a0]+|d['’])?"
                         rf"(?:19|20)\d\d\b)", re.IGNORECASE)
    return pattern, names


# country names that are also words or first names in one of the languages ("Man" is
# Dutch for man, "Maurice" a French first name)
NOT_ONLY_COUNTRIES = {"Man", "Isle of Man", "Île de Man", "Maurice", "Jersey", "Georgia",
                      "Jordan", "Chad", "Turkey", "Guernsey"}


@lru_cache(maxsize=len(SUPPORTED))
def _country_pattern(lang: str) -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str]]:
    """Other languages' country names, their names in `lang`, and a name said twice."""
    target = {code: name for code, name in Locale.parse(lang).territories.items()
              if len(code) == 2 and code.isalpha()}
    names: dict[str, str] = {}
    for other in SUPPORTED:
        if other == lang:
            continue
        for code, name in Locale.parse(other).territories.items():
            if (code in target and name != target[code] and len(name) >= 4
                    and name not in NOT_ONLY_COUNTRIES and target[code] not in NOT_ONLY_COUNTRIES):
                names[name] = target[code]
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    # capitalised, whole words: a name, not a word ("Germany", not "germane")
    pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
    own = "|".join(re.escape(n) for n in sorted(set(names.values()), key=len, reverse=True))
    # ", Duitsland en Duitsland" (the list's last two) or "Duitsland, Duitsland"
    twice = re.compile(rf"(?:,\s*|(?<![\w-]))({own})(?:,\s*|\s*/\s*|\s+(en|et|and|ou|or)\s+)"
                       rf"\1(?![\w-])")
    return pattern, names, twice


def localise(text: str, lang: str) -> str:
    """`text` with month, season and country names written in `lang`; quotes kept.

    "Nederland, Frankrijk, Duitsland en Germany" becomes "Nederland, Frankrijk en
    Duitsland": a name said twice in a row, once translated, is said once.
    """
    text = localise_months(text, lang)
    if lang not in SUPPORTED:
        return text
    pattern, names, twice = _country_pattern(lang)
    parts = QUOTED.split(text)
    for i in range(0, len(parts), 2):
        part = parts[i]
        parts[i] = twice.sub(_once, pattern.sub(
            lambda m, part=part: _translated(part, m, names[m.group(0)]), part))
    return "".join(parts)


def _translated(text: str, m: re.Match[str], name: str) -> str:
    """`name` for the match, unless the match is already part of it ("Salvador" in "El
    Salvador")."""
    word = m.group(0)
    at = name.find(word)
    if 0 <= at <= m.start() and text[m.start() - at : m.start() - at + len(name)] == name:
        return word
    return name


def _once(m: re.Match[str]) -> str:
    """A name said twice, said once; the last of a list keeps its "en"."""
    if m.group(0).startswith(",") and m.group(2):
        return f" {m.group(2)} {m.group(1)}"
    return m.group(0)[: m.group(0).index(m.group(1))] + m.group(1)


def localise_months(text: str, lang: str) -> str:
    """`text` with other languages' month and season names in dates written in `lang`;
    quotes kept."""
    if lang not in SUPPORTED:
        return text
    parts = QUOTED.split(text)
    for pattern, names in (_month_pattern(lang), _season_pattern(lang)):
        for i in range(0, len(parts), 2):  # the odd parts are the documents' own words
            parts[i] = pattern.sub(lambda m, names=names: names[m.group(0).lower()], parts[i])
    return "".join(parts)
