"""Month and season names written in the answer's language.

A 1.5B model answering in Dutch from an English passage copies "in May 2023" as it stands,
and the translation step leaves it alone because capitalised words may be names. Month
names are a closed set, so they are put right without a model call, from the CLDR tables
that Babel carries. CLDR has no seasons ("the summer of 2022"): those four are listed here.
"""

from __future__ import annotations

import re
from functools import lru_cache

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
