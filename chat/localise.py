"""Month names written in the answer's language.

A 1.5B model answering in Dutch from an English passage copies "in May 2023" as it stands,
and the translation step leaves it alone because capitalised words may be names. Month
names are a closed set, so they are put right without a model call, from the CLDR tables
that Babel carries.
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


def localise_months(text: str, lang: str) -> str:
    """`text` with other languages' month names in dates written in `lang`; quotes kept."""
    if lang not in SUPPORTED:
        return text
    pattern, names = _month_pattern(lang)
    parts = QUOTED.split(text)
    for i in range(0, len(parts), 2):  # the odd parts are the documents' own words
        parts[i] = pattern.sub(lambda m: names[m.group(0).lower()], parts[i])
    return "".join(parts)
