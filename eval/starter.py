"""The plain llama-index starter pipeline, as a comparison row for the eval (issue #6).

What a newcomer builds from the llama-index starter tutorial, over the same corpus and with the
same two models as Vraagbaak, and nothing more:

- `SimpleDirectoryReader(corpus_dir, required_exts=[".txt"])` (the manifest is skipped);
- `VectorStoreIndex.from_documents(...)` on a `ChromaVectorStore` (a `PersistentClient` in
  `<data_dir>/starter-chroma`, collection "starter", Chroma's default distance); built once and
  reused while the corpus, the embedding model and the chunking stay the same;
- llama-index defaults everywhere else: `SentenceSplitter` 1024/20 tokens, `similarity_top_k=2`,
  the default prompts, compact response synthesis;
- single questions: `index.as_query_engine().query(question)`;
- follow-ups: `index.as_chat_engine(chat_mode="condense_plus_context")`, the history loaded as
  `ChatMessage`s, then `.chat(question)`.

The models are the ones Vraagbaak uses. `Settings.embed_model` is a plain
`HuggingFaceEmbedding(model_name=<the EmbeddingGemma folder>)`: no query or document prompt
is configured, as a starter would not. (Gotcha: llama-index then passes empty "query"/"text"
prompts to sentence-transformers, which override the prompts saved with EmbeddingGemma, so
the model embeds without its "task: search result | query: " prefix.) `Settings.llm` is
`ServerLLM`, a small `CustomLLM` around our `ChatModel` (`chat.llm.build_llm`), so both
pipelines talk to the very same llama.cpp server with the same settings (temperature 0, the
same context window and answer length). It says it is a chat model, as llama-index's own
OpenAI-compatible and Ollama classes do, so the default chat prompts are used and their system
and user messages reach the server's chat template unchanged.

Timings are taken at that adapter, so llama-index itself runs without streaming: `ttft_s` is
the time to the first token of the last model call (the answer), `retrieval_s` the time until
that call was sent (retrieval, plus the condense call for follow-ups, as in our chain).

The starter has no refusal of its own, so `looks_like_refusal` reads one from the text; see
there. `StarterPipeline` offers what `eval.run` needs from a `Chain`: `ask`, `retrieve` and
`detector`.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from chat.chain import Answer, Citation
from chat.llm import ChatModel, Message
from store.language import LanguageDetector, conversation_language, get_detector
from store.settings import Settings

COLLECTION = "starter"
EMPTY = "Empty Response"  # what a llama-index synthesizer returns when nothing was retrieved

# A plain statement that the documents hold no answer, in nl/fr/en.
REFUSAL = re.compile(
    r"|".join([
        # English
        r"\b(?:do not|don't|does not|doesn't|did not|didn't) (?:know|contain|provide|mention"
        r"|include|specify|say|state|give|have|offer|address|discuss|cover)\b",
        r"\bnot (?:mentioned|provided|specified|stated|given|available|included|found"
        r"|discussed|addressed|covered|present|known|clear)\b",
        r"\bno (?:information|mention|data|details|specific|explicit|answer)\b",
        r"\b(?:cannot|can't|can not|unable to|not possible to) (?:be )?(?:answer|find|determine"
        r"|provide|say|tell|confirm)",
        # Dutch
        r"\bgeen (?:informatie|vermelding|gegevens|details|specifieke|antwoord|sprake)\b",
        r"\b(?:niet|nergens) (?:vermeld|genoemd|gespecificeerd|vermeldt|vermelden|bekend"
        r"|beschikbaar|aangegeven|opgenomen|gegeven|te vinden)\b",
        r"\bbevat(?:ten)? (?:geen|niet)\b",
        r"\b(?:weet|ken) (?:ik )?(?:het |dat )?niet\b",
        r"\bkan (?:ik )?(?:deze vraag |dit |dat |het )?niet (?:beantwoorden|vinden|bepalen"
        r"|zeggen)\b",
        # French
        r"\b(?:pas|aucune?) (?:d'|d’|de )?(?:information|mention|donnée|précision|réponse"
        r"|détail)s?\b",
        r"\bne (?:contient|contiennent|mentionne|mentionnent|précise|précisent|fournit"
        r"|fournissent|donne|donnent|sais|sait|dit|indique|indiquent|permet|permettent)"
        r" pas\b",
        r"\bn['’](?:est|sont|a|ont) pas (?:été )?(?:mentionnée?s?|précisée?s?|indiquée?s?"
        r"|spécifiée?s?|fournie?s?|disponibles?|abordée?s?|possible)\b",
        r"\b(?:impossible de|je ne peux pas|ne peut pas) (?:répondre|déterminer|trouver|dire"
        r"|confirmer|fournir)",
    ]),
    re.IGNORECASE,
)
OPENING_CHARS = 200
SENTENCE_END = re.compile(r"(?<=[.!?])\s|\n")


def looks_like_refusal(text: str) -> bool:
    """True when an answer is empty or plainly says the documents do not hold the answer.

    Deterministic and the same for any pipeline's output: the answer is empty, is llama-index's
    "Empty Response", or one of the `REFUSAL` phrases (nl/fr/en: "not mentioned", "no
    information", "geen informatie", "niet vermeld", "pas d'information", "ne contient pas",
    "don't know", ...) occurs in its opening: the first sentence, at most `OPENING_CHARS`
    characters. A hedge after a substantive opening ("Fedasil had 35,000 places. The note does
    not say where.") does not count.

    The rule is generous to the starter: our chain refuses with one fixed message, while here
    any wording of "the context does not say" counts as a refusal, so the starter is credited
    for refusing an unanswerable question however it phrases it.
    """
    answer = text.strip()
    if not answer or answer.lower() in {EMPTY.lower(), "none"}:
        return True
    opening = SENTENCE_END.split(answer, maxsplit=1)[0][:OPENING_CHARS]
    return bool(REFUSAL.search(opening))


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(p for p in corpus_dir.iterdir() if p.is_file() and p.suffix == ".txt")


def fingerprint(corpus_dir: Path, embedding: str) -> str:
    """Changes whenever a document, the embedding model or the chunking changes."""
    from llama_index.core.constants import DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE

    digest = hashlib.sha256(f"{embedding}|{DEFAULT_CHUNK_SIZE}|{DEFAULT_CHUNK_OVERLAP}".encode())
    for path in corpus_files(corpus_dir):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def _server_llm_class() -> type:
    """`ServerLLM`, defined on first use so importing this module stays light."""
    from llama_index.core.base.llms.types import (
        ChatMessage,
        ChatResponse,
        ChatResponseGen,
        CompletionResponse,
        CompletionResponseGen,
        LLMMetadata,
        MessageRole,
    )
    from llama_index.core.llms import CustomLLM
    from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
    from pydantic import PrivateAttr

    class ServerLLM(CustomLLM):
        """A llama-index LLM that sends its messages to our `ChatModel` (one HTTP server).

        Completion prompts go as one user message; chat messages go as they are. Each call
        records when it was sent and when its first token came, for the eval's timings.
        """

        context_window: int = 4096
        num_output: int = 200
        model_name: str = "local"
        _model: Any = PrivateAttr()
        _sent: float | None = PrivateAttr(default=None)
        _first: float | None = PrivateAttr(default=None)

        def __init__(self, model: ChatModel, context_window: int, num_output: int) -> None:
            super().__init__(context_window=context_window, num_output=num_output,
                             model_name=getattr(model, "name", "local"))
            self._model = model

        @classmethod
        def class_name(cls) -> str:
            return "vraagbaak_server_llm"

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(context_window=self.context_window, num_output=self.num_output,
                               is_chat_model=True, model_name=self.model_name)

        def last_call(self) -> tuple[float | None, float | None]:
            """(sent, first token) of the latest call, as `time.perf_counter()` values."""
            return self._sent, self._first

        def _deltas(self, messages: list[Message]) -> Iterator[str]:
            self._sent, self._first = time.perf_counter(), None
            for delta in self._model.stream(messages, self.num_output):
                if self._first is None:
                    self._first = time.perf_counter()
                yield delta

        @staticmethod
        def _messages(messages: Sequence[ChatMessage]) -> list[Message]:
            return [{"role": m.role.value, "content": m.content or ""} for m in messages]

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False,
                     **kwargs: Any) -> CompletionResponse:
            text = "".join(self._deltas([{"role": "user", "content": prompt}]))
            return CompletionResponse(text=text)

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False,
                            **kwargs: Any) -> CompletionResponseGen:
            def gen() -> CompletionResponseGen:
                text = ""
                for delta in self._deltas([{"role": "user", "content": prompt}]):
                    text += delta
                    yield CompletionResponse(text=text, delta=delta)

            return gen()

        @llm_chat_callback()
        def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
            text = "".join(self._deltas(self._messages(messages)))
            return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

        @llm_chat_callback()
        def stream_chat(self, messages: Sequence[ChatMessage],
                        **kwargs: Any) -> ChatResponseGen:
            def gen() -> ChatResponseGen:
                text = ""
                for delta in self._deltas(self._messages(messages)):
                    text += delta
                    yield ChatResponse(
                        message=ChatMessage(role=MessageRole.ASSISTANT, content=text),
                        delta=delta,
                    )

            return gen()

    return ServerLLM


def server_llm(model: ChatModel, settings: Settings) -> Any:
    """Our chat model as a llama-index LLM with the chain's context window and answer length."""
    return _server_llm_class()(model, settings.llm_context, settings.llm_max_tokens)


class StarterPipeline:
    """The llama-index starter over the corpus; a drop-in for `Chain` in `eval.run`."""

    def __init__(self, settings: Settings, llm: ChatModel | None = None,
                 embed_model: Any = None, detector: LanguageDetector | None = None,
                 persist_dir: Path | None = None) -> None:
        from chat.factory import quiet_libraries

        quiet_libraries()
        from llama_index.core import Settings as LlamaSettings

        self.settings = settings
        self.detector = detector or get_detector(settings.language_detector)
        if embed_model is None:
            from llama_index.embeddings.huggingface import HuggingFaceEmbedding

            embed_model = HuggingFaceEmbedding(model_name=str(settings.embedding_dir()))
        if llm is None:
            from chat.llm import build_llm

            llm = build_llm(settings)
        self.llm = server_llm(llm, settings)
        LlamaSettings.embed_model = embed_model
        LlamaSettings.llm = self.llm
        self.persist_dir = persist_dir or settings.data_dir / "starter-chroma"
        self.embedded = False  # True when this instance had to (re)build the index
        self.index = self._open_index(getattr(embed_model, "model_name", "embedding"))
        self.query_engine = self.index.as_query_engine()

    def _open_index(self, embedding: str) -> Any:
        """The starter index, reused from Chroma when built from this very corpus and model."""
        import chromadb
        from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
        from llama_index.vector_stores.chroma import ChromaVectorStore

        corpus = self.settings.corpus_dir
        wanted = fingerprint(corpus, Path(embedding).name)
        client = chromadb.PersistentClient(path=str(self.persist_dir))
        existing = {c if isinstance(c, str) else c.name for c in client.list_collections()}
        if COLLECTION in existing:
            collection = client.get_collection(COLLECTION)
            if (collection.metadata or {}).get("fingerprint") == wanted and collection.count():
                store = ChromaVectorStore(chroma_collection=collection)
                return VectorStoreIndex.from_vector_store(store)
            client.delete_collection(COLLECTION)
        # marked complete only once every chunk is in: an interrupted build is redone
        collection = client.create_collection(COLLECTION, metadata={"fingerprint": "building"})
        documents = SimpleDirectoryReader(str(corpus), required_exts=[".txt"]).load_data()
        store = ChromaVectorStore(chroma_collection=collection)
        index = VectorStoreIndex.from_documents(
            documents, storage_context=StorageContext.from_defaults(vector_store=store)
        )
        collection.modify(metadata={"fingerprint": wanted})
        self.embedded = True
        return index

    # --- the Chain interface used by eval.run ------------------------------------------------
    def detect_language(self, question: str, history: list[dict[str, str]]) -> str:
        """As the chain does: short elliptic follow-ups take the conversation's language."""
        return conversation_language(self.detector, question, history)

    def retrieve(self, question: str, history: list[dict[str, str]] | None = None
                 ) -> tuple[Answer, list[Any], None]:
        """Retrieval only: the query engine's retriever (after the condense step for follow-ups).

        For a follow-up, the condense-plus-context engine first rewrites the question with the
        model and retrieves with that; the same is done here so follow-ups are not retrieved
        with the bare elliptic question.
        """
        t0 = time.perf_counter()
        history = [t for t in (history or []) if t.get("content")]
        question = question.strip()
        result = Answer(question=question, language=self.detect_language(question, history),
                        rewritten_question=question)
        if history:
            engine = self.index.as_chat_engine(chat_mode="condense_plus_context")
            # private, but it is exactly the engine's own condense step (pinned version)
            result.rewritten_question = engine._condense_question(
                self._chat_history(history), question).strip()
        nodes = self.query_engine.retriever.retrieve(result.rewritten_question)
        result.timings["retrieval_s"] = round(time.perf_counter() - t0, 3)
        result.retrieved = self._retrieved(nodes)
        return result, nodes, None

    def ask(self, question: str, history: list[dict[str, str]] | None = None) -> Answer:
        """One question through the starter; follow-ups through the condense-plus-context engine."""
        t0 = time.perf_counter()
        history = [t for t in (history or []) if t.get("content")]
        question = question.strip()
        lang = self.detect_language(question, history)
        rewritten = question
        if history:
            engine = self.index.as_chat_engine(chat_mode="condense_plus_context")
            response = engine.chat(question, chat_history=self._chat_history(history))
            text = response.response
            sources = response.sources
            if sources and isinstance(sources[0].raw_input, dict):
                rewritten = str(sources[0].raw_input.get("message", question)).strip()
        else:
            response = self.query_engine.query(question)
            text = response.response
        sent, first = self.llm.last_call()
        answer = to_answer(question, lang, str(text or ""), list(response.source_nodes),
                           self.detector, rewritten)
        answer.timings = {"total_s": round(time.perf_counter() - t0, 3)}
        if sent is not None and sent >= t0:
            answer.timings["retrieval_s"] = round(sent - t0, 3)
            if first is not None:
                answer.timings["ttft_s"] = round(first - t0, 3)
        return answer

    # --- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _chat_history(history: list[dict[str, str]]) -> list[Any]:
        from llama_index.core.llms import ChatMessage

        return [ChatMessage(role=t.get("role", "user"), content=t["content"]) for t in history]

    def _retrieved(self, nodes: list[Any]) -> list[dict[str, Any]]:
        return retrieved_of(nodes, self.detector)


def node_doc(node: Any) -> str:
    meta = node.node.metadata or {}
    return str(meta.get("file_name") or Path(str(meta.get("file_path", ""))).name or "")


def retrieved_of(nodes: list[Any], detector: LanguageDetector) -> list[dict[str, Any]]:
    """The source nodes in the eval's `retrieved` format (whole chunks, llama-index's score)."""
    return [
        {"doc": node_doc(n), "language": detector.detect(n.node.get_content()) or "",
         "text": n.node.get_content(), "score": round(float(n.score or 0.0), 4)}
        for n in nodes
    ]


def to_answer(question: str, lang: str, text: str, nodes: list[Any],
              detector: LanguageDetector, rewritten: str = "") -> Answer:
    """A llama-index response (its text and source nodes) as the chain's `Answer`.

    Every source node is a citation, as a starter app shows `response.source_nodes`; the
    quote is the whole chunk (it is what the model was given). A refusal cites nothing, as
    our chain's refusals do.
    """
    text = text.strip()
    refused = looks_like_refusal(text)
    answer = Answer(question=question, language=lang, answer=text, refused=refused,
                    rewritten_question=rewritten or question, draft=text,
                    retrieved=retrieved_of(nodes, detector))
    if refused:
        answer.refusal_reason = ("no answer (empty response)" if not text or text == EMPTY
                                 else "the answer says the documents do not hold it")
        return answer
    for n, (node, found) in enumerate(zip(nodes, answer.retrieved, strict=True), 1):
        start = node.node.start_char_idx
        end = node.node.end_char_idx
        answer.citations.append(Citation(
            n=n, doc=found["doc"], title=found["doc"], section="", language=found["language"],
            quote=found["text"].strip(), start=-1 if start is None else int(start),
            end=-1 if end is None else int(end),
        ))
    return answer
