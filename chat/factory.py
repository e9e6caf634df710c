"""Build the components once, from the settings, and hand them to whoever needs them."""

from __future__ import annotations

import os

from chat.chain import Chain
from chat.llm import ChatModel, build_llm
from chat.prompts import load_prompts
from chat.retrieve import RetrievalOptions, Retriever
from store.embedder import CachedEmbedder, Embedder, SentenceTransformerEmbedder
from store.index import ChunkStore
from store.language import get_detector
from store.manifest import Manifest
from store.settings import Settings


def quiet_libraries() -> None:
    """No hub calls, no telemetry, no progress bars from the model libraries."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def build_embedder(settings: Settings, cache: bool = False) -> Embedder:
    """The configured embedder; with cache=True passage vectors are reused.

    Only corpus text goes through `embed_documents` (chunks at ingest, evidence sentences
    when answering), so the cache never holds a visitor's question.
    """
    quiet_libraries()
    model = SentenceTransformerEmbedder(
        settings.embedding_dir(), settings.embedding_query_prompt,
        settings.embedding_document_prompt, settings.embedding_batch_size,
        models_dir=settings.models_dir if settings.embedding_path is None else None,
    )
    if cache and settings.embedding_cache:
        return CachedEmbedder(model, settings.models_dir / "embedding-cache.sqlite")
    return model


def build_chain(settings: Settings, llm: ChatModel | None = None,
                embedder: Embedder | None = None) -> Chain:
    """The whole answering chain; the chat side opens the index read-only."""
    prompts = load_prompts()
    embedder = embedder or build_embedder(settings, cache=True)
    store = ChunkStore(settings, embedder.name, create=False)
    manifest = Manifest.load(settings.corpus_dir)
    retriever = Retriever(store, embedder, manifest, settings.candidates,
                          RetrievalOptions.from_settings(settings))
    return Chain(settings, retriever, llm or build_llm(settings), prompts,
                 get_detector(settings.language_detector), manifest)
