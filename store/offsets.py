"""Offsets from repaired chunk text back into the original file.

Citations must point into the original file (`original[start:end]` is the cited passage),
while chunks hold repaired text. Ingest builds an OffsetMap per chunk and stores it as JSON
in the chunk's metadata; the chat side reads it back to turn a quote into file offsets.
"""

from __future__ import annotations

import json
from bisect import bisect_right


class OffsetMap:
    """Text position -> raw position, stored as breakpoints where the mapping jumps.

    `original(len(text))` is the raw offset just after the last kept character, so
    `raw[original(i):original(j)]` is the source of `text[i:j]` for any 0 <= i <= j <= len.
    A space produced by a join maps to the first raw whitespace character it replaced.
    """

    __slots__ = ("_raws", "_texts", "length")

    def __init__(self, breakpoints: list[tuple[int, int]], length: int) -> None:
        if not breakpoints or breakpoints[0][0] != 0:
            raise ValueError("An OffsetMap needs a first breakpoint at text position 0.")
        self._texts = [t for t, _ in breakpoints]
        self._raws = [r for _, r in breakpoints]
        self.length = length

    @property
    def breakpoints(self) -> list[tuple[int, int]]:
        return list(zip(self._texts, self._raws, strict=True))

    def original(self, pos: int) -> int:
        """Raw offset of text position `pos` (0 <= pos <= len(text))."""
        if not 0 <= pos <= self.length:
            raise IndexError(f"Text position {pos} outside 0..{self.length}.")
        i = bisect_right(self._texts, pos) - 1
        return self._raws[i] + pos - self._texts[i]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Tight raw span of `text[start:end]`: no trailing raw whitespace is included."""
        if end <= start:
            raw = self.original(start)
            return raw, raw
        return self.original(start), self.original(end - 1) + 1

    def to_json(self) -> str:
        flat = [v for pair in zip(self._texts, self._raws, strict=True) for v in pair]
        return json.dumps({"n": self.length, "b": flat}, separators=(",", ":"))

    @classmethod
    def from_json(cls, s: str) -> OffsetMap:
        data = json.loads(s)
        flat = data["b"]
        return cls(list(zip(flat[0::2], flat[1::2], strict=True)), int(data["n"]))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OffsetMap):
            return NotImplemented
        return self.breakpoints == other.breakpoints and self.length == other.length

    def __repr__(self) -> str:
        return f"OffsetMap(length={self.length}, breakpoints={len(self._texts)})"
