"""The failures we expect and can explain; anything else is a bug."""

from __future__ import annotations

from chat.history import HistoryError
from chat.llm import LLMError
from chat.prompts import PromptError
from store.index import StoreError
from store.models import ModelError
from store.settings import InvalidSetting

KNOWN_ERRORS: tuple[type[Exception], ...] = (
    HistoryError, LLMError, PromptError, StoreError, ModelError, InvalidSetting,
)
