"""Language identification for nl/fr/en, shared by ingest (paragraphs) and chat (questions).

Short questions are the hard case: plain langdetect calls "Hoeveel kost naturalisatie?"
Estonian. Both backends are therefore restricted to the three corpus languages; lingua is the
default because it was measured best on short questions (DESIGN.md: 16/16 against 15/16 for
langdetect with priors).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal, Protocol

Lang = Literal["nl", "fr", "en"]
SUPPORTED: tuple[Lang, ...] = ("nl", "fr", "en")
LANGUAGE_NAMES: dict[str, str] = {"nl": "Dutch", "fr": "French", "en": "English"}
DetectorMode = Literal["lingua", "langdetect"]


class LanguageDetector(Protocol):
    """Narrow seam: anything that maps text to one of the supported languages."""

    def detect(self, text: str) -> Lang | None: ...

    def is_foreign(self, text: str) -> str | None:
        """Return an ISO code when the text is clearly in another language than nl/fr/en."""
        ...

    def confidence(self, text: str, lang: str) -> float:
        """How sure the detector is that the text is in `lang` (0..1, among nl/fr/en)."""
        ...


class LinguaDetector:
    """lingua restricted to nl/fr/en, with a wider model only to notice foreign questions."""

    _OTHERS = (
        "GERMAN", "SPANISH", "ITALIAN", "PORTUGUESE", "TURKISH", "ARABIC", "RUSSIAN",
        "UKRAINIAN", "POLISH", "ROMANIAN", "PERSIAN", "SOMALI", "ALBANIAN",
    )

    def __init__(self) -> None:
        from lingua import Language, LanguageDetectorBuilder

        self._map = {Language.DUTCH: "nl", Language.FRENCH: "fr", Language.ENGLISH: "en"}
        self._restricted = LanguageDetectorBuilder.from_languages(*self._map).build()
        wide = [*self._map, *(getattr(Language, name) for name in self._OTHERS)]
        self._wide = LanguageDetectorBuilder.from_languages(*wide).build()

    def detect(self, text: str) -> Lang | None:
        if not text.strip():
            return None
        found = self._restricted.detect_language_of(text)
        return self._map.get(found) if found is not None else None  # type: ignore[return-value]

    def confidence(self, text: str, lang: str) -> float:
        for value in self._restricted.compute_language_confidence_values(text):
            if self._map.get(value.language) == lang:
                return float(value.value)
        return 0.0

    def is_foreign(self, text: str) -> str | None:
        if len(text.split()) < 3:
            return None  # too short to be sure; treat as one of ours
        values = self._wide.compute_language_confidence_values(text)
        if not values:
            return None
        top = values[0]
        if top.language in self._map or top.value < 0.75:
            return None
        return top.language.iso_code_639_1.name.lower()


class LangdetectDetector:
    """langdetect made deterministic (fixed seed) and restricted by priors to nl/fr/en."""

    def __init__(self) -> None:
        from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

        self._factory = DetectorFactory()
        self._factory.load_profile(PROFILES_DIRECTORY)
        self._factory.set_seed(0)

    def _probabilities(self, text: str, restricted: bool) -> list:
        from langdetect.lang_detect_exception import LangDetectException

        detector = self._factory.create()
        if restricted:
            detector.set_prior_map({lang: 1.0 for lang in SUPPORTED})
        detector.append(text)
        try:
            return detector.get_probabilities()
        except LangDetectException:
            return []

    def detect(self, text: str) -> Lang | None:
        probs = self._probabilities(text, restricted=True)
        for p in probs:
            if p.lang in SUPPORTED:
                return p.lang  # type: ignore[return-value]
        return None

    def confidence(self, text: str, lang: str) -> float:
        return next((p.prob for p in self._probabilities(text, True) if p.lang == lang), 0.0)

    def is_foreign(self, text: str) -> str | None:
        if len(text.split()) < 3:
            return None
        probs = self._probabilities(text, restricted=False)
        if probs and probs[0].lang not in SUPPORTED and probs[0].prob > 0.9:
            return probs[0].lang
        return None


@lru_cache(maxsize=2)
def get_detector(mode: DetectorMode = "lingua") -> LanguageDetector:
    """Build a detector once per process: the lingua models take a second to load."""
    if mode == "lingua":
        return LinguaDetector()
    if mode == "langdetect":
        return LangdetectDetector()
    raise ValueError(f"Unknown language detector {mode!r}: use 'lingua' or 'langdetect'.")


def conversation_language(detector: LanguageDetector, question: str,
                          history: list[dict[str, str]]) -> str:
    """The question's language; short elliptic follow-ups ("Et 2019 ?") take the
    conversation's, since a few words say little about their language."""
    lang = detector.detect(question)
    previous = [t["content"] for t in history if t.get("role") == "user"]
    if previous and len(question.split()) <= 4:
        lang = detector.detect(previous[-1]) or lang
    return lang or "en"
