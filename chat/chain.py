"""The answering chain: question -> language -> standalone question -> passages -> answer.

Every step leaves a trace in the `Answer` (language, rewritten question, retrieved passages
with scores, why it refused), because wrong answers about asylum law hurt people and we must
be able to see why an answer came out as it did.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from chat.checks import (
    SENTENCE_GAP,
    YEAR,
    asked_names,
    asks_quantity,
    attribute,
    borrowed_from,
    check_answer,
    content_words,
    contradicts,
    drop_echoes,
    drop_unfinished,
    faithful_translation,
    figure_for_names,
    figure_for_years,
    foreign_words,
    markers_in,
    missing_years,
    numbers_in,
    repoint_markers,
    same_substance,
    says_not_stated,
    share_for_count,
    strip_markers,
    tidy_draft,
    unit_mismatch,
)
from chat.evidence import (
    ENUMERATES,
    LIST_ASKED,
    PLURAL_ASKED,
    WHY_ASKED,
    Relevance,
    best_window,
    favour_tables,
    select_windows,
    sentence_scores,
    sentences,
)
from chat.llm import ChatModel, LLMError
from chat.localise import localise
from chat.prompts import Prompts
from chat.retrieve import Passage, Retriever
from store.language import LANGUAGE_NAMES, LanguageDetector, conversation_language
from store.manifest import Manifest
from store.offsets import OffsetMap
from store.settings import Settings


class QuestionError(ValueError):
    """The question cannot be answered as asked; `str()` is a polite message to show."""

    def __init__(self, message: str, language: str, kind: str) -> None:
        super().__init__(message)
        self.language = language
        self.kind = kind


@dataclass
class Citation:
    n: int
    doc: str
    title: str
    section: str
    language: str
    quote: str
    start: int
    end: int


@dataclass
class Answer:
    """Everything `vraagbaak ask --json` prints, plus the trace."""

    question: str
    language: str
    answer: str = ""
    refused: bool = False
    rewritten_question: str = ""
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    refusal_reason: str = ""
    check_problems: list[str] = field(default_factory=list)
    translated: list[str] = field(default_factory=list)
    fallback: bool = False
    draft: str = ""
    truncated: bool = False  # the model hit llm_max_tokens; its cut sentence was dropped

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Chain:
    """The retrieval chain used by the CLI, the chat page, the API and the evals alike."""

    def __init__(self, settings: Settings, retriever: Retriever, llm: ChatModel,
                 prompts: Prompts, detector: LanguageDetector, manifest: Manifest) -> None:
        self.settings = settings
        self.retriever = retriever
        self.llm = llm
        self.prompts = prompts
        self.detector = detector
        self.manifest = manifest

    # --- steps -----------------------------------------------------------------------------
    def detect_language(self, question: str, history: list[dict[str, str]]) -> str:
        """The question's language; short elliptic follow-ups take the conversation's.

        Document names do not count: "le mémorandum de Vluchtelingenwerk Vlaanderen" in a
        French question made it look Dutch, and the answer came in Dutch.
        """
        plain = self.manifest.without_names(question)
        probe = plain if len(plain.split()) >= 3 else question
        return conversation_language(self.detector, probe, history)

    def validate(self, question: str, history: list[dict[str, str]]) -> str:
        """Return the language, or raise QuestionError with a message in that language."""
        q = question.strip()
        lang = self.detect_language(q, history) if q else "en"
        if not q:
            raise QuestionError(self.prompts.message(lang, "empty"), lang, "empty")
        limit = self.settings.max_question_chars
        if len(q) > limit:
            raise QuestionError(
                self.prompts.message(lang, "too_long", length=len(q), limit=limit), lang,
                "too_long",
            )
        if not history and self.detector.is_foreign(q):
            raise QuestionError(self.prompts.message("en", "foreign"), "en", "foreign")
        return lang

    def in_language(self, text: str, lang: str) -> bool:
        """False only when a long enough answer is clearly in another language."""
        if len(text.split()) < 6:
            return True  # too short to judge: names and numbers dominate
        return self.detector.confidence(text, lang) >= 0.25

    def rewrite(self, question: str, history: list[dict[str, str]], lang: str) -> str:
        """A standalone question for retrieval; falls back to joining the last user turn."""
        turns = history[-self.settings.max_history_turns :]
        if not turns:
            return question
        previous = [t["content"] for t in turns if t.get("role") == "user"]
        joined = f"{previous[-1]} {question}" if previous else question
        text = "\n".join(f"{t['role']}: {t['content'][:400]}" for t in turns)
        messages = self.prompts.template(lang, "rewrite").render(
            language_name=LANGUAGE_NAMES[lang], history=text, question=question
        )
        try:
            out = "".join(self.llm.stream(messages, 60)).strip().splitlines()
        except LLMError:
            return joined
        rewritten = out[0].strip().strip('"') if out else ""
        too_long = len(rewritten) > 3 * len(joined) + 40
        added_nothing = len(rewritten.split()) <= len(question.split()) + 2
        # "Et pour le trafic ?" rewritten as the previous question, without "trafic"
        new_words = content_words(question) - content_words(" ".join(previous))
        lost_words = bool(new_words - content_words(rewritten))
        # "In Nederland was het … 4 %." answers instead of asking: it would search for
        # the previous answer's figure
        statement = not rewritten.rstrip().endswith("?")
        return joined if too_long or added_nothing or lost_words or statement else rewritten

    def cite(self, n: int, passage: Passage, window: tuple[int, int], lang: str,
             probe: str) -> Citation:
        """A citation whose quote is the passage sentence(s) best matching the answer."""
        text = passage.chunk.text
        ws, we = window
        qs, qe = best_window(text[ws:we], probe, 320)
        qs, qe = ws + qs, ws + qe
        spans = sentences(text[qs:qe])  # a quote does not open on a footnote
        skip = 0
        while skip < len(spans) - 1 and FOOTNOTE.match(text[qs + spans[skip][0]:
                                                            qs + spans[skip][1]]):
            skip += 1
        qs += spans[skip][0] if skip else 0
        meta = passage.chunk.meta
        span = OffsetMap.from_json(str(meta["offsets"])).original_span(qs, qe)
        return Citation(
            n=n, doc=passage.doc,
            title=self.manifest.title(passage.doc, lang, str(meta.get("title", ""))),
            section=str(meta.get("section", "")), language=passage.chunk.language,
            quote=text[qs:qe], start=span[0], end=span[1],
        )

    def prompt(self, lang: str, question: str, passages: str, refusal: str
               ) -> list[dict[str, str]]:
        """The answer prompt; a question naming two documents asks for one sentence each."""
        values = {"language_name": LANGUAGE_NAMES[lang], "refusal": refusal,
                  "passages": passages, "question": question}
        named = self.manifest.named_in_order(question)
        if len(named) >= 2:
            first, second = (self.manifest.title(d, lang, d) for d in named[:2])
            return self.prompts.template(lang, "compare").render(**values, first=first,
                                                                 second=second)
        return self.prompts.template(lang, "answer").render(**values)

    def calls(self, lang: str, question: str, passages: list[Passage], titles: list[str],
              texts: list[str], numbered: str, refusal: str) -> list[list[dict[str, str]]]:
        """The model calls of one answer: one, or one per document of a comparison.

        Reading two documents at once, the small model writes about one of them or mixes
        them up; asked about one document with only its passages, it stays on it. Passages
        keep their numbers, so the parts' citations need no renumbering.
        """
        named = self.manifest.named_in_order(question)[:2]
        if not self.settings.compare_split or len(named) < 2:
            return [self.prompt(lang, question, numbered, refusal)]
        calls = []
        for doc in named:
            mine = [i for i, p in enumerate(passages) if p.doc == doc]
            if not mine:
                continue
            block = "\n\n".join(f"[{i + 1}] ({titles[i]}) {texts[i]}" for i in mine)
            part = self.prompts.message(lang, "compare_part", title=titles[mine[0]])
            calls.append(self.prompts.template(lang, "answer").render(
                language_name=LANGUAGE_NAMES[lang], refusal=refusal, passages=block,
                question=f"{question} {part}"))
        return calls or [self.prompt(lang, question, numbered, refusal)]

    def cite_sentences(self, draft: str, passages: list[Passage], texts: list[str],
                       question: str = "") -> str:
        """Give every uncited sentence of the draft the passage it was written from.

        The small model often cites only its last sentence; in a comparison that leaves one
        document uncited. A sentence that names a document is attributed among that
        document's passages; otherwise among all, by shared numbers and words.
        """
        # "… 208 [1]. [1]" and "… 208. [1]": markers belong to the sentence before them
        draft = re.sub(r"([.!?])\s*((?:\[\d+(?:\s*,\s*\d+)*\]\s*)+)(?=\s|$)",
                       lambda m: f" {m.group(2).strip()}{m.group(1)}", draft)
        draft = re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", draft)
        # sentences and list lines, with the white space between them kept as it was
        pieces = SENTENCE_GAP.split(draft)
        parts, gaps = pieces[::2], pieces[1::2] + [""]
        parts = [repoint_markers(part, texts) for part in parts]
        if len(parts) == 1 and markers_in(parts[0]):
            return parts[0]
        out = []
        for sentence in parts:
            if markers_in(sentence) or len(sentence.split()) < 4:
                out.append(sentence)
                continue
            named = set(self.manifest.named_documents(sentence))
            pool = [n for n, p in enumerate(passages, 1) if p.doc in named] or \
                list(range(1, len(passages) + 1))
            n = attribute(sentence, [texts[i - 1] for i in pool], question)
            if n is None:
                out.append(sentence)
                continue
            marker = f" [{pool[n - 1]}]"
            end = len(sentence.rstrip(".!?"))
            out.append(sentence[:end] + marker + sentence[end:])
        return "".join(part + gap for part, gap in zip(out, gaps, strict=True)).strip()

    # --- the whole chain ------------------------------------------------------------------
    def retrieve(self, question: str, history: list[dict[str, str]] | None = None
                 ) -> tuple[Answer, list[Passage], list[float]]:
        """The chain up to retrieval: validate, detect, rewrite, search (no answer yet)."""
        t0 = time.perf_counter()
        history = [t for t in (history or []) if t.get("content")]
        lang = self.validate(question, history)
        question = question.strip()
        result = Answer(question=question, language=lang)
        result.rewritten_question = self.rewrite(question, history, lang)
        vector = self.retriever.embed(result.rewritten_question)
        passages = self.retriever.search(result.rewritten_question, lang, self.settings.top_k,
                                         vector)
        previous = [t["content"] for t in history if t.get("role") == "user"]
        if previous and self.settings.followup_sources:
            # keep the previous question's passages in play: a rewrite can lose the topic
            joined = f"{previous[-1]} {question}"
            if joined != result.rewritten_question:
                passages = _merge(passages, self.retriever.search(joined, lang,
                                                                  self.settings.top_k),
                                  self.settings.top_k)
        result.timings["retrieval_s"] = round(time.perf_counter() - t0, 3)
        result.retrieved = [
            {"doc": p.doc, "language": p.chunk.language, "text": p.chunk.text,
             "score": round(p.similarity, 4), "rank_score": round(p.score, 4),
             "section": p.chunk.meta.get("section", "")}
            for p in passages
        ]
        return result, passages, vector

    def stream(self, question: str,
               history: list[dict[str, str]] | None = None) -> Iterator[str | Answer]:
        """Yield answer text as it is generated, then the final `Answer` (last item).

        The final answer may differ from the streamed text: when the checks fail, the
        streamed draft is replaced by the quoted evidence.
        """
        t0 = time.perf_counter()
        result, passages, vector = self.retrieve(question, history)
        lang, standalone, question = result.language, result.rewritten_question, result.question
        best = max((p.similarity for p in passages), default=0.0)
        if self.retriever.routed(standalone):
            # kept to the named document ("the English news item" for a Dutch question):
            # whether the corpus is on topic is judged on all of it, as without routing
            best = max(best, self.retriever.top_similarity(vector))
        if best < self.settings.min_relevance:
            result.refusal_reason = (
                f"best passage similarity {best:.2f} is below the threshold "
                f"{self.settings.min_relevance:.2f}"
            )
            yield from self._refuse(result, t0)
            return

        relevance = self.relevance(passages, standalone, vector)
        chunks = [p.chunk.text for p in passages]
        if self.settings.table_rows and asks_quantity(standalone):
            relevance = favour_tables(chunks, relevance,
                                      YEAR.findall(self.manifest.without_names(standalone)))
        windows = select_windows(chunks, relevance,
                                 self.settings.passage_chars, self.settings.lead_passage_chars,
                                 lists=self.settings.list_windows
                                 and bool(LIST_ASKED.search(standalone)))
        texts = [p.chunk.text[s:e] for p, (s, e) in zip(passages, windows, strict=True)]
        titles = [self.manifest.title(p.doc, lang, p.doc) for p in passages]
        asked = self.manifest.without_names(standalone)  # "the 2022 statement" names a doc
        dated = [f"{self.manifest.year(p.doc)} {p.chunk.text}" for p in passages]
        absent = missing_years(asked, dated)
        if absent:
            result.refusal_reason = f"the passages say nothing about {', '.join(absent)}"
            yield from self._refuse(result, t0)
            return
        numbered = "\n\n".join(
            f"[{i}] ({title}) {text}" for i, (title, text) in enumerate(zip(titles, texts,
                                                                            strict=True), 1)
        )
        refusal = self.prompts.message(lang, "refusal")
        parts: list[str] = []
        for messages in self.calls(lang, standalone, passages, titles, texts, numbered, refusal):
            if parts:
                yield "\n\n"
            part = ""
            for delta in self.llm.stream(messages, self.settings.llm_max_tokens):
                result.timings.setdefault("ttft_s", round(time.perf_counter() - t0, 3))
                part += delta
                yield delta
            if getattr(self.llm, "finish_reason", None) == "length":
                result.truncated = True
                part = drop_unfinished(part)  # the reader sees no fragment ("… We betre")
            parts.append(part.strip())
        # a comparison part with nothing to say about its document is left out
        kept = [p for p in parts if not _says_nothing(p, refusal)]
        result.draft = "\n\n".join(kept if len(parts) > 1 and kept else parts)
        draft = tidy_draft(result.draft)
        said_nothing = _says_nothing(draft, refusal)
        instruction = messages[-1]["content"].strip().splitlines()[-1]  # the last call's
        if not said_nothing:
            draft = drop_echoes(draft, [standalone, question, instruction])
        # a document's own year in its name ("la note … 2025 (Van Bossuyt)") is no figure
        figures = numbers_in(self.manifest.without_names(strip_markers(draft)), words=True)
        no_figure = asks_quantity(standalone) and not figures - numbers_in(standalone,
                                                                           words=True)
        rescued = ""
        if said_nothing or no_figure:
            reason = ("the model found no answer in the passages" if said_nothing
                      else "a quantity was asked, the answer holds no number")
            if not asks_quantity(standalone) or \
                    not self.figure_in_best_sentence(standalone, passages, relevance):
                result.refusal_reason = reason
                yield from self._refuse(result, t0)
                return
            # the 1.5B model overlooks a figure its best sentence states ("18 maanden"):
            # that sentence is shown as the documents' own words, not as an answer
            rescued, draft = f"{reason}; the most relevant sentence states a figure", ""
        draft = self.cite_sentences(draft, passages, texts, standalone)

        evidence = [f"{title} {text}" for title, text in zip(titles, texts, strict=True)]
        check = check_answer(draft, evidence)
        if rescued:
            check.problems = [rescued]
        result.check_problems = check.problems
        published = {self.manifest.year(passages[n - 1].doc) for n in check.cited}
        years = [y for y in missing_years(asked, []) if y not in published]
        unsupported = years if years and check.cited and not figure_for_years(
            draft, [texts[n - 1] for n in check.cited], years, question) else []
        names = asked_names(standalone, self.manifest.name_words())
        own = [texts[n - 1] for n in check.cited if passages[n - 1].chunk.language == lang]
        if not unsupported and names and own and asks_quantity(standalone) and \
                not figure_for_names(draft, own, names, standalone):
            unsupported = names  # "583 places" of closed centres in general, not of Bruges
        wrong_unit = unit_mismatch(standalone, draft, [texts[n - 1] for n in check.cited])
        # "combien de MENA …" answered "23 % des MENA": the passages hold a share, no count
        share = share_for_count(standalone, draft)
        if asks_quantity(standalone) and (check.invented or unsupported) or wrong_unit or share:
            result.refusal_reason = (
                f"the answer's figure {', '.join(check.invented)} is in no passage"
                if check.invented else
                f"the cited passages give no figure for {', '.join(unsupported)}"
                if unsupported else "a count was asked, the answer gives only percentages"
                if share else
                f"the answer's figure {', '.join(wrong_unit)} is not the kind of figure asked"
            )
            yield from self._refuse(result, t0)
            return
        source = borrowed_from(draft, standalone, [
            t if p.chunk.language == lang else None for p, t in zip(passages, texts,
                                                                     strict=True)
        ]) if check.ok else None
        if source and passages[source - 1].similarity < self.settings.min_relevance:
            result.refusal_reason = (
                f"the answer's words come from passage [{source}], which is not about the "
                f"question (similarity {passages[source - 1].similarity:.2f})")
            yield from self._refuse(result, t0)
            return
        if check.ok and not self.in_language(strip_markers(draft), lang):
            check.problems.append("answer not in the question's language")
        if check.ok and contradicts(draft, [texts[n - 1] for n in check.cited]):
            check.problems.append("the answer says yes, the passage it cites says no")
        if check.ok:
            draft = localise(draft, lang)
            if self.settings.translate_leaks:
                draft = self.translate(result, draft, passages, standalone)
            result.answer = draft
            cited = check.cited
        else:
            # the sentences that best match the question (one per document of a
            # comparison), else the first passage's best words
            result.fallback = True
            quotes = self.evidence(passages, windows, relevance, standalone, lang, [],
                                   only_versions=True, limit=2 * QUOTE_CHARS, most=4)
            if not quotes:
                s, e = best_window(texts[0], standalone, 320)
                quotes = [(1, texts[0][s:e])]
            shown = "\n\n".join(f"“{quote}” [{n}]" for n, quote in quotes)
            intro = self.prompts.message(lang, "quoted" if rescued else "fallback")
            result.answer = f"{intro}\n\n{shown}"
            cited = list(dict.fromkeys(n for n, _ in quotes))
        for n in cited:
            probe = " ".join(
                sent for sent in re.split(r"(?<=[.!?])\s+", result.answer)
                if n in markers_in(sent)
            ) or standalone
            result.citations.append(self.cite(n, passages[n - 1], windows[n - 1], lang, probe))
        if not result.fallback and self.settings.evidence_quote:
            quotes = self.evidence(passages, windows, relevance, standalone, lang, cited)
            # a comparison that leaves a document unheard, because it exists in no version
            # in the user's language, shows that document's own words as they are
            named = self.manifest.named_in_order(standalone)[:2]
            unheard = [d for d in named if len(named) == 2 and d not in
                       {passages[n - 1].doc for n, _ in quotes} | {passages[n - 1].doc
                                                                  for n in cited}]
            if unheard:
                quotes += [(n, q) for n, q in self.evidence(
                    passages, windows, relevance, standalone, lang, cited, only_versions=True)
                    if passages[n - 1].doc in unheard]
            listed = self.enumeration(passages, relevance, standalone, lang, cited,
                                      " ".join(q for _, q in quotes))
            for n, quote in quotes + listed:
                if quote in result.answer:
                    continue
                result.answer = f"{result.answer}\n\n“{quote}” [{n}]"
                if n not in cited:
                    cited.append(n)
                    window = windows[n - 1]
                    if listed and (n, quote) == listed[0]:
                        window = (0, len(passages[n - 1].chunk.text))  # may lie outside it
                    result.citations.append(self.cite(n, passages[n - 1], window, lang,
                                                      quote))
            if lang in self.settings.translate_quote:
                # each document of a comparison that the reader has no quote from in their
                # own language ("maart 2023" of the Dutch statement next to the English news
                # item's "May 2023"); otherwise one quote, when none is in their language
                own = {passages[n - 1].doc for n, _ in quotes + listed
                       if passages[n - 1].chunk.language == lang}
                docs = [d for d in named if d not in own] if len(named) == 2 else \
                    None if not quotes and not listed else []
                if docs is None or docs:
                    self.add_translated_quote(result, passages, windows, relevance,
                                              standalone, cited, docs)
        result.timings["total_s"] = round(time.perf_counter() - t0, 3)
        yield result

    def translate(self, result: Answer, draft: str, passages: list[Passage], question: str
                  ) -> str:
        """The draft with words left in a passage's language translated, when it can be.

        The small model copies words it cannot translate ("familierechtbanken", "lit, bain,
        pain"); one more short call rewrites the answer in the user's language. The rewrite
        is kept only when it has the same figures and citation markers and fewer such words.
        """
        lang = result.language
        given = [(p.chunk.language, p.chunk.text) for p in passages] + [(lang, question)]
        words = foreign_words(draft, lang, given, self.detector.confidence)
        if not words:
            return draft
        t0 = time.perf_counter()
        messages = self.prompts.template(lang, "translate").render(
            language_name=LANGUAGE_NAMES[lang], words=", ".join(words), answer=draft)
        try:
            rewrite = tidy_draft("".join(self.llm.stream(messages, self.settings.llm_max_tokens)))
        except LLMError:
            return draft
        result.timings["translate_s"] = round(time.perf_counter() - t0, 3)
        left = foreign_words(rewrite, lang, given, self.detector.confidence)
        if same_substance(draft, rewrite) and len(left) < len(words):
            result.translated = [w for w in words if w not in left]
            return rewrite
        return draft

    def add_translated_quote(self, result: Answer, passages: list[Passage],
                             windows: list[tuple[int, int]], relevance: Relevance,
                             question: str, cited: list[int], docs: list[str] | None = None
                             ) -> None:
        """Append the best passage sentence, translated, when none is in the user's language.

        An English reader of the Dutch and French notes gets no quote in their language, and
        the small model's paraphrase drops what it cannot translate ("uitzonderingsprocedure",
        "Statbel" in a list). Translating one sentence is the easiest task for it; the
        translation is shown, labelled, only when it keeps every figure and reads in the
        user's language. The citation keeps the original words and their place in the file.
        The sentence comes from a passage the answer cites, when it cites one: the quote then
        shows what the answer rests on ("Het volgende thema … is Activering en
        arbeidsmigratie" [2], not the sentence of [1] that names the conference). With `docs`
        (a comparison), the best sentence of each of those documents.
        """
        lang = result.language
        # what the answer rests on, so the reader can check it; each document of a comparison
        mine = docs is None
        found = self.enumeration(passages, relevance, question, lang, cited, "",
                                 only_versions=True, only_cited=mine) or self.evidence(
            passages, windows, relevance, question, lang, cited, only_versions=True, most=1,
            only_cited=mine)
        if docs is not None:
            found = [(n, q) for n, q in found if passages[n - 1].doc in docs]
        for n, quote in found[:1] if docs is None else found:
            self._translate_quote(result, passages, n, quote, cited)

    def _translate_quote(self, result: Answer, passages: list[Passage], n: int, quote: str,
                         cited: list[int]) -> None:
        """Translate one quote of passage n and append it, labelled, if it is faithful."""
        lang = result.language
        source = passages[n - 1].chunk.language
        if source == lang or source not in LANGUAGE_NAMES:
            return
        t0 = time.perf_counter()
        messages = self.prompts.template(lang, "translate_quote").render(
            language_name=LANGUAGE_NAMES[lang], source_name=LANGUAGE_NAMES[source], text=quote)
        try:
            text = "".join(self.llm.stream(messages, self.settings.llm_max_tokens))
        except LLMError:
            return
        result.timings["quote_translate_s"] = round(
            result.timings.get("quote_translate_s", 0.0) + time.perf_counter() - t0, 3)
        text = text.strip().strip("“”\"«» ").strip()
        if not faithful_translation(quote, text) or not self.in_language(text, lang):
            return
        label = self.prompts.message(lang, "translated")
        result.answer = f"{result.answer}\n\n{label} “{text}” [{n}]"
        if n not in cited:
            cited.append(n)
            result.citations.append(self.cite(n, passages[n - 1],
                                              (0, len(passages[n - 1].chunk.text)), lang,
                                              quote))

    def relevance(self, passages: list[Passage], question: str, vector: list[float]
                  ) -> Relevance:
        """Each passage's sentences scored against the question (by the embedder, which
        works across nl/fr/en, unless semantic_evidence is off)."""
        embedder = self.retriever.embedder if self.settings.semantic_evidence else None
        return sentence_scores([p.chunk.text for p in passages], question, vector, embedder)

    def figure_in_best_sentence(self, question: str, passages: list[Passage],
                                relevance: Relevance) -> bool:
        """The passages' most relevant sentence states a figure of the kind asked.

        Only then may a quantity question the model found no figure for be answered with
        the documents' own words; otherwise it is refused, as unanswerable ones must be.
        """
        if not self.settings.figure_rescue:
            return False
        spans, scores = relevance
        ranked = [(score, passages[i].chunk.text[s:e]) for i in range(len(passages))
                  for (s, e), score in zip(spans[i], scores[i], strict=True)]
        if not ranked:
            return False
        score, sentence = max(ranked, key=lambda r: r[0])
        return (score >= self.settings.figure_rescue
                and bool(numbers_in(sentence) - numbers_in(question))
                and not unit_mismatch(question, sentence, [sentence])
                and not share_for_count(question, sentence)
                and not missing_years(self.manifest.without_names(question), [sentence]))

    def readable(self, passages: list[Passage], lang: str, only_versions: bool,
                 cited: list[int] | None = None) -> list[int]:
        """Indexes of the passages a quote may come from: those in the user's language, and
        with `only_versions` also those of a document that has no version in it; given
        `cited`, only the cited ones among them, when one of them is."""
        own = [i for i, p in enumerate(passages) if p.chunk.language == lang or (
            only_versions and lang not in self.retriever.languages_of(p.doc))]
        return ([i for i in own if i + 1 in cited] or own) if cited is not None else own

    def asks_several(self, question: str) -> bool:
        """The question asks for several things and list quotes are on (`list_quote`)."""
        return bool(self.settings.list_quote and PLURAL_ASKED.search(question))

    def enumeration(self, passages: list[Passage], relevance: Relevance, question: str,
                    lang: str, cited: list[int], shown: str, only_versions: bool = False,
                    only_cited: bool = False) -> list[tuple[int, str]]:
        """[(n, words)]: the sentence that lists what a "which …" question asks for.

        The model reads the sentences around a list and paraphrases them, leaving the list
        out ("alternatives to detention will be examined", not "return homes, house arrest,
        bail"). The list itself scores low against the question because it names the items,
        not the question's words, so it counts as relevant as the sentence before it, which
        introduces it. Only the best-ranked passage and the cited ones, in the user's
        language, and the whole passage, since the list often lies just past the window.
        With `only_versions`, a document with no version in the user's language counts too;
        with `only_cited`, only the cited passages (when one of them qualifies).
        """
        if not self.asks_several(question):
            return []
        spans, scores = relevance
        texts = [p.chunk.text for p in passages]
        own = self.readable(passages, lang, only_versions, cited if only_cited else None)
        best = max((score for i in own for score in scores[i]), default=0.0)
        ranked = []
        for i in own:
            if i and i + 1 not in cited:
                continue
            for j, (s, e) in enumerate(spans[i]):
                sentence = texts[i][s:e]
                if not ENUMERATES.search(sentence) or FOOTNOTE.match(sentence) or \
                        sentence.strip() in shown:
                    continue
                before = texts[i][slice(*spans[i][j - 1])] if j else ""
                intro = scores[i][j - 1] if before and not ENUMERATES.search(before) else 0.0
                score = max(scores[i][j], intro)
                if score >= best - self.settings.list_quote:
                    ranked.append((score, i, s, e, before.strip() in shown))
        if not ranked:
            return []
        *top, seen = max(ranked)
        # "Dit kan gaan om …" needs what it refers to, unless the quote above shows it
        i, quote = _quote(texts, spans, [tuple(top)], QUOTE_CHARS, most=1, context=not seen,
                          several=True)
        return [(i + 1, quote)]

    def evidence(self, passages: list[Passage], windows: list[tuple[int, int]],
                 relevance: Relevance, question: str, lang: str, cited: list[int],
                 only_versions: bool = False, limit: int = 0, most: int = 2,
                 only_cited: bool = False) -> list[tuple[int, str]]:
        """[(n, words)]: the sentences of the given passages that best answer the question.

        A 1.5B model's paraphrase can blur what a policy text says, and it sometimes writes
        from a neighbouring passage; the document's own sentence that best matches the
        question, verbatim and cited, lets the reader check the answer at a glance. Only
        passages in the user's language qualify (no Dutch quote in a French answer); a
        passage the answer cites wins a near tie, so quote and answer usually agree. A
        comparison gets one quote from each document it names. With `only_versions` (the
        fallback, which has no answer of its own), a document that exists in no version in
        the user's language is quoted as it is (the English news item to a Dutch reader).
        """
        limit = limit or QUOTE_CHARS
        # with only_cited, the passages the answer rests on, when it cites one of them
        own = self.readable(passages, lang, only_versions, cited if only_cited else None)
        if not own:
            return []
        texts = [p.chunk.text for p in passages]
        spans, scores = relevance
        ranked = sorted(
            ((score + (QUOTE_CITED_BONUS if i + 1 in cited else 0.0), i, s, e)
             for i in own for (s, e), score in zip(spans[i], scores[i], strict=True)
             if windows[i][0] <= s < windows[i][1] and not FOOTNOTE.match(texts[i][s:e])),
            reverse=True,
        )
        if not ranked:
            return []
        named = self.manifest.named_in_order(question)[:2]
        if len(named) == 2:  # a comparison: the best sentence of each document
            groups = [[r for r in ranked if passages[r[1]].doc == doc] for doc in named]
            found = [_quote(texts, spans, group, limit, most) for group in groups if group]
        elif self.settings.why_quote and WHY_ASKED.search(question):
            # the sentence naming the topic and the one after it, which often gives the
            # reason, with what it adds ("Bovendien …")
            found = _quotes(texts, spans, ranked, limit, max(most, 2), several=True,
                            following=True)
        else:
            found = _quotes(texts, spans, ranked, limit, most, self.asks_several(question))
        return [(i + 1, quote) for i, quote in found if quote]

    def _refuse(self, result: Answer, t0: float) -> Iterator[Answer]:
        result.refused = True
        result.answer = self.prompts.message(result.language, "refusal")
        now = round(time.perf_counter() - t0, 3)
        result.timings.setdefault("ttft_s", now)
        result.timings["total_s"] = now
        yield result

    def ask(self, question: str, history: list[dict[str, str]] | None = None) -> Answer:
        """The final answer, without streaming."""
        final: Answer | None = None
        for item in self.stream(question, history):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final


QUOTE_CITED_BONUS = 0.03
QUOTE_CHARS = 320
# a footnote the PDF left between sentences ("24 Artikel 10 vreemdelingenwet.", "37 Voor een
# overzicht … zie: http://…"): never quoted
FOOTNOTE = re.compile(r"^\d{1,3}\s+(?:[A-ZÀ-Ý][^\n]{0,100}$|.*https?://)", re.DOTALL)
LIST_LIMIT = 2  # a quoted list may run to twice the quote length
OPENS_LIST = re.compile(r"(?:[:;]|(?:^|\s)\d{1,2}[.)])$")  # "… suivantes:", "… naar voren: 1."
QUOTE_TIE = 0.02  # score gap under which a second passage's sentence is quoted too
# a sentence that adds one more item to the one before it
ADDITIVE = re.compile(r"[\"'“«(]?(?:daarnaast|bovendien|verder|ook|tevens|de plus|en outre|"
                      r"par ailleurs|également|in addition|moreover|furthermore|also)\b",
                      re.IGNORECASE)
# a sentence opening on a word that points back ("Deze brengt …", "Cette mesure …")
ANAPHORA = re.compile(
    r"[\"'“«(]?(?:deze|dit|die|dat|dergelijke|hij|zij|ze|zo|daarom|daardoor|daarbij|hierbij|"
    r"hiermee|ce|cet|cette|ces|cela|ceci|celui|celle|ceux|celles|il|elle|ils|elles|"
    r"this|these|that|those|it|they|he|she|such)\b", re.IGNORECASE)


def _quote(texts: list[str], spans: list[list[tuple[int, int]]],
           ranked: list[tuple[float, int, int, int]], limit: int, most: int = 2,
           context: bool = True, several: bool = False, following: bool = False
           ) -> tuple[int, str]:
    """The best sentence, whole, and the next best of the same passage while they fit in
    `limit` (at most `most` sentences); a sentence that opens on "Deze"/"Cette"/"This" comes
    with the one before it, which says what it refers to. For a question that asks for
    `several` things, a sentence that adds to the quote ("Daarnaast …", "De plus …") too.
    With `following`, the sentences right after the best one instead of the next best."""
    _, i, s, e = ranked[0]
    picked = [(s, e)]
    before = [sp for sp in spans[i] if sp[1] <= s]
    if context and before and ANAPHORA.match(texts[i][s:e]) and \
            e - before[-1][0] <= limit * 3 // 2:
        picked = [before[-1], (s, e)]  # what "Deze" points to is worth a longer quote
        limit = limit * 3 // 2
    elif following:
        for s2, e2 in (sp for sp in spans[i] if sp[0] >= e):
            if len(picked) >= most or e2 - s > limit or FOOTNOTE.match(texts[i][s2:e2]):
                break
            picked.append((s2, e2))
    else:
        # more sentences of the same passage: lists, and "X, because Y"
        for _, j, s2, e2 in ranked[1:]:
            if len(picked) >= most:
                break
            if j == i and sum(b - a for a, b in picked) + (e2 - s2) <= limit:
                picked.append((s2, e2))
    picked.sort()
    text, cap = texts[i], limit
    after = [sp for sp in spans[i] if sp[0] >= picked[-1][1]]
    while several and after and ADDITIVE.match(text[slice(*after[0])]) and \
            after[0][1] - picked[0][0] <= limit * 3 // 2:
        picked.append(after.pop(0))
        cap = max(cap, limit * 3 // 2)
    # "… sont les suivantes: — le respect du droit international;" says nothing without
    # the items it announces: a quote ending on a colon or semicolon goes on with the list
    while after and OPENS_LIST.search(text[slice(*picked[-1])].strip()) and \
            after[0][1] - picked[0][0] <= LIST_LIMIT * limit:
        picked.append(after.pop(0))
        cap = LIST_LIMIT * limit
    quote = text[slice(*picked[0])].strip()
    for (_, end), (start, stop) in zip(picked, picked[1:], strict=False):
        quote += (" " if start - end <= 3 else " … ") + text[start:stop].strip()
    if len(quote) > cap:  # one very long sentence: cut at a word boundary
        quote = quote[: quote.rfind(" ", 0, cap)] + " …"
    elif not re.search(r"[.!?…\"”’»)]$", quote):  # the passage ends mid-sentence or list
        quote += " …"
    return i, quote


def _quotes(texts: list[str], spans: list[list[tuple[int, int]]],
            ranked: list[tuple[float, int, int, int]], limit: int, most: int = 2,
            several: bool = False, following: bool = False) -> list[tuple[int, str]]:
    """The best sentence(s); a runner-up from another passage when it scores as well.

    Two passages can tie for the question ("the network shrinks" / "hotels go first"); the
    reader then sees both, each cited, within the same length limit.
    """
    first = _quote(texts, spans, ranked, limit, most, several=several, following=following)
    top = ranked[0][0]
    rival = next((r for r in ranked[1:] if r[1] != ranked[0][1]), None)
    if rival is None or top - rival[0] > QUOTE_TIE:
        return [first]
    room = limit - len(first[1]) - 1
    other = _quote(texts, spans, [rival], room) if room >= rival[3] - rival[2] else None
    return [first, other] if other else [first]


def _is_refusal(draft: str, refusal: str) -> bool:
    """The model replied with (mostly) the refusal sentence."""
    core = refusal.lower().rstrip(".")
    text = strip_markers(draft).lower()
    return core in text and len(text) < len(core) + 40


def _says_nothing(draft: str, refusal: str) -> bool:
    """The model's refusal sentence, or its own words for "the passages do not say"."""
    return _is_refusal(draft, refusal) or says_not_stated(draft)


def _merge(first: list[Passage], second: list[Passage], k: int) -> list[Passage]:
    """The k best of two rankings, each chunk once, by its ranking score."""
    best: dict[str, Passage] = {}
    for p in first + second:
        if p.chunk.id not in best or p.score > best[p.chunk.id].score:
            best[p.chunk.id] = p
    return sorted(best.values(), key=lambda p: -p.score)[:k]
