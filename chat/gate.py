"""One answer at a time: the local model has one slot, so questions queue, briefly."""

from __future__ import annotations

import threading


class Busy(RuntimeError):
    """More questions are waiting than the server accepts."""


class AnswerGate:
    """One answer at a time; at most `max_waiting` more wait, the rest are turned away."""

    def __init__(self, max_waiting: int) -> None:
        self._lock = threading.Lock()
        self._count = threading.Lock()
        self._waiting = 0
        self._max_waiting = max_waiting

    def __enter__(self) -> AnswerGate:
        with self._count:
            if self._waiting > self._max_waiting:
                raise Busy()
            self._waiting += 1
        self._lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()
        with self._count:
            self._waiting -= 1
