"""One typed settings object, read once at start and passed to whoever needs it.

Every field can be set in the environment with the prefix `VRAAGBAAK_` (for example
`VRAAGBAAK_LLM_MODE=openai`) or in a `.env` file; `CHROMA_HOST`/`CHROMA_PORT` keep their
usual names so an existing Chroma server is picked up with no other change.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """All knobs of Vraagbaak; defaults run fully offline on the bundled corpus."""

    model_config = SettingsConfigDict(
        env_prefix="VRAAGBAAK_", env_file=".env", extra="ignore", protected_namespaces=()
    )

    # --- where things live -------------------------------------------------------------
    corpus_dir: Path = Field(REPO_ROOT / "corpus", description="Folder ingested by default.")
    data_dir: Path = Field(
        REPO_ROOT / "data", description="Chroma database and ingest lock (never served)."
    )
    models_dir: Path = Field(
        Path.home() / ".cache" / "vraagbaak" / "models",
        description="Cache of the verified model files, outside the repository.",
    )

    # --- vector store ------------------------------------------------------------------
    chroma_host: str | None = Field(
        None,
        validation_alias=AliasChoices("CHROMA_HOST", "VRAAGBAAK_CHROMA_HOST"),
        description="Use a Chroma server at this host instead of the local data folder.",
    )
    chroma_port: int = Field(
        8000,
        validation_alias=AliasChoices("CHROMA_PORT", "VRAAGBAAK_CHROMA_PORT"),
        description="Port of the Chroma server (with CHROMA_HOST).",
    )
    collection: str = Field("vraagbaak", description="Chroma collection name.")

    # --- embedding ---------------------------------------------------------------------
    embedding_path: Path | None = Field(
        None,
        description="A local sentence-transformers folder; default: the fetched EmbeddingGemma.",
    )
    embedding_query_prompt: str = Field(
        "task: search result | query: ", description="Prefix EmbeddingGemma expects on queries."
    )
    embedding_document_prompt: str = Field(
        "title: {title} | text: ", description="Prefix EmbeddingGemma expects on passages."
    )
    embedding_batch_size: int = Field(8, description="Passages embedded per batch.")
    embedding_cache: bool = Field(
        True, description="Remember passage vectors next to the models (never questions)."
    )

    # --- generation --------------------------------------------------------------------
    llm_mode: Literal["local", "openai"] = Field(
        "local",
        description="'local': a GGUF file run in-process by llama.cpp (xllamacpp); "
        "'openai': any OpenAI-compatible server (vLLM, Ollama, llama.cpp server, hosted API).",
    )
    llm_path: Path | None = Field(
        None, description="A local GGUF file; default: the fetched Qwen2.5-Coder-1.5B Q4_K_M."
    )
    llm_base_url: str = Field(
        "http://127.0.0.1:8080/v1", description="Base URL of the OpenAI-compatible server."
    )
    llm_model: str = Field("qwen2.5-1.5b-instruct", description="Model name sent to the server.")
    llm_api_key: str = Field("", description="API key for the OpenAI-compatible server.")
    llm_threads: int = Field(2, description="CPU threads for the local model.")
    llm_context: int = Field(4096, description="Context window of the local model, in tokens.")
    llm_max_tokens: int = Field(200, description="Longest answer generated, in tokens.")
    llm_timeout_s: float = Field(180.0, description="Give up on one answer after this long.")
    llm_cache_prompt: bool = Field(
        True, description="Let llama.cpp reuse the computed prompt prefix (the fixed system "
        "prompt) between questions: a shorter wait for the first word.",
    )

    # --- retrieval and answering -------------------------------------------------------
    language_detector: Literal["lingua", "langdetect"] = Field(
        "lingua", description="Question/paragraph language detector (lingua measured best)."
    )
    top_k: int = Field(4, description="Passages given to the model.")
    candidates: int = Field(30, description="Dense candidates fetched before re-ranking.")
    hybrid: bool = Field(
        True, description="Fuse BM25 (one index per language, stemmed) with the dense ranking: "
        "exact names, figures and rare words count."
    )
    fusion: Literal["blend", "rrf"] = Field(
        "blend", description="'blend': dense score plus lexical_weight times the BM25 "
        "relevance (BM25 over the question's summed idf); 'rrf': reciprocal rank fusion of "
        "the dense ranking and BM25's top list (measured far worse: an English question's "
        "BM25 list is the English news item's chunks, relevant or not).",
    )
    lexical_candidates: int = Field(30, description="BM25 candidates added before fusion.")
    lexical_weight: float = Field(
        0.3, description="Weight of the BM25 relevance with fusion='blend'."
    )
    rrf_k: int = Field(60, description="Rank offset of reciprocal rank fusion (fusion='rrf').")
    lexical_all_languages: bool = Field(
        True, description="Also search the other languages' BM25 indexes (names, figures and "
        "shared words of a Dutch question in the English news item), not only the question's.",
    )
    why_quote: bool = Field(
        True, description="For a 'why' question, the quote goes on past its best sentence to "
        "the one after it (the reason often follows the topic) and what adds to it.",
    )
    pairing: bool = Field(
        True, description="Replace a Dutch/French passage by its twin in the question's "
        "language (the same paragraph of a bilingual document), when there is one.",
    )
    pairing_threshold: float = Field(
        0.70, description="Least cosine between two mutual nearest chunks to call them the "
        "same passage in nl and fr (calibrated on the bilingual notes).",
    )
    same_language_bonus: float = Field(
        0.03, description="Added to the score of passages in the question's language (0: off)."
    )
    same_language_scope: Literal["versions", "all"] = Field(
        "versions", description="'versions': the bonus picks the question's language among a "
        "document's versions; a document with no version in that language (the Dutch-only "
        "memorandum for a French question) is not pushed down. 'all': the earlier rule.",
    )
    named_documents: bool = Field(
        True, description="Search a document the question names (manifest aliases) first, "
        "boost it, and keep both documents of a comparison.",
    )
    named_only: bool = Field(
        True, description="A question naming one document reads only that document's "
        "passages (when it has any among the candidates), instead of boosting them. "
        "Measured: it changes the passages of 9 of 159 questions; 2 more correct answers, "
        "none lost, retrieval hit rate equal.",
    )
    compare_passages: int = Field(
        2, description="When a question names two documents (a comparison), each keeps this "
        "many of its best passages among the top_k (1: only its best).",
    )
    compare_split: bool = Field(
        False, description="Answer a comparison one document at a time, each call seeing "
        "only that document's passages, and join the parts. Measured on the 15 comparison "
        "questions: no more correct answers than one call with the 'compare' prompt, first "
        "word 3 s sooner, whole answer 5 s later; so off by default.",
    )
    passage_chars: int = Field(
        400, description="Each passage is cut to its most relevant sentences, at most this long."
    )
    lead_passage_chars: int = Field(
        400, description="The best-ranked passage's window: it most often holds the answer, "
        "and a list often stands a sentence past the best-matching one. Measured at 800 on "
        "the first 51 Dutch questions: 2 answers gained, 4 lost, first word 1.3 s later; so "
        "the same as passage_chars by default.",
    )
    list_windows: bool = Field(
        False, description="For a question asking for several things ('Welke …', 'Quels …', "
        "'Which …'), grow each passage's window towards an enumerating sentence next to "
        "the best one. Measured on the 31 such questions: the model read the list (nl-list-004"
        " 'huisarrest, borg …') but no answer gained or lost a must-include phrase; so off.",
    )
    table_rows: bool = Field(
        False, description="For a quantity question with a year, a yearly table the PDF "
        "flattened into one line ('2018 23 343 2019 27 742 …') that holds the year anchors "
        "its passage's window: a table has no words to score against the question. Measured "
        "on the 36 quantity questions with a year: the model then reads the tables but takes "
        "the row of the wrong one (en-followup-001: 239 resettled for 27 742 applications); "
        "0 gained, 0 lost, so off.",
    )
    semantic_evidence: bool = Field(
        True, description="Pick each passage's sentences with the embedder (works across "
        "languages) rather than by shared words only.",
    )
    min_relevance: float = Field(
        0.42,
        description="Below this cosine similarity of the best passage, refuse without asking "
        "the model (calibrated on the eval set).",
    )
    figure_rescue: float = Field(
        0.55, description="When the model finds no figure for a quantity question but the "
        "passages' most relevant sentence (at least this relevant) states one of the kind "
        "asked, show that sentence as the documents' own words instead of refusing; 0 turns "
        "it off. The 1.5B model overlooks '18 maanden' or a Dutch '200 euro' for a French "
        "question. On the baseline's 57 quantity questions, the unanswerable ones' best "
        "sentences hold no figure or were refused earlier.",
    )
    max_question_chars: int = Field(500, description="Longer questions are politely refused.")
    max_history_turns: int = Field(6, description="Conversation turns kept for follow-ups.")
    evidence_quote: bool = Field(
        True, description="Follow the answer with the given passages' sentence(s) that best "
        "match the question, cited, from passages in the question's language (one per "
        "document in a comparison).",
    )
    list_quote: float = Field(
        0.2, description="For a question asking for several things, also quote the "
        "sentence of the best or a cited passage (question's language) that enumerates them, "
        "when it or the sentence introducing it is within this much of the best sentence's "
        "relevance; 0 turns it off. The model paraphrases the sentences around a list and "
        "leaves the list out ('terugkeerhuizen, huisarrest, borg en elektronisch toezicht'); "
        "the list scores low against the question because it names the items.",
    )
    translate_leaks: bool = Field(
        True, description="When the answer keeps words of a passage in another language "
        "('familierechtbanken' in an English answer), ask the model once more to rewrite it "
        "in the user's language; the rewrite is kept only with the same figures and citations.",
    )
    translate_quote: list[Literal["nl", "fr", "en"]] = Field(
        ["en"], description="Readers in these languages, when no given passage is in their "
        "language (an English question on the Dutch and French notes), also see the best "
        "passage sentence translated by one more short call, labelled as a machine "
        "translation; shown only when it keeps every figure. [] turns it off. Not nl/fr: "
        "the 1.5B model's translations into them garbled the meaning (measured, see "
        "eval/results/ablation/README.md).",
    )
    followup_sources: bool = Field(
        True, description="A follow-up also searches with the previous question, so the "
        "passages of the previous answer stay in play.",
    )
    max_waiting: int = Field(
        3, description="Questions that may wait while one is answered; more get 'busy'."
    )

    # --- serving -------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address the chat page listens on.")
    port: int = Field(7860, description="Port of the chat page.")
    root_path: str = Field("", description="URL prefix when served behind a reverse proxy.")
    allowed_origins: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:8081", "http://localhost:8081"],
        description="Origins allowed to use the widget, e.g. [\"https://ngo.example\"] "
        "(default: the local demo site of examples/ngo-site on port 8081).",
    )

    def embedding_dir(self) -> Path:
        """The sentence-transformers folder actually used."""
        return self.embedding_path or self.models_dir / "embeddinggemma-300m"

    def gguf_file(self) -> Path:
        """The GGUF file actually used in local mode."""
        return self.llm_path or self.models_dir / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"

    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"


class InvalidSetting(RuntimeError):
    """A VRAAGBAAK_ variable (or .env line) holds a value its field cannot take."""


def load_settings() -> Settings:
    """The settings, or an error naming the variable to fix instead of pydantic's dump."""
    try:
        return Settings()
    except (ValidationError, SettingsError) as exc:
        if isinstance(exc, ValidationError) and exc.errors():
            first = exc.errors()[0]
            field, problem = str(first["loc"][0]), first["msg"]
        else:
            m = re.search(r'field "(\w+)"', str(exc))
            field, problem = (m.group(1) if m else "?"), "it is not valid JSON"
        # a field's own name takes the prefix; an alias (CHROMA_PORT) is named as it is
        name = f"VRAAGBAAK_{field.upper()}" if field in Settings.model_fields else field
        raise InvalidSetting(
            f"The setting {name} is invalid: {problem}. Fix it in the "
            "environment or in .env (store/settings.py describes every setting; a list is "
            'written as JSON, e.g. \'["en"]\').'
        ) from exc
