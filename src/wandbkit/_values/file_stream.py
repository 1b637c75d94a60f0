"""What a run writer has not sent yet, and the ``file_stream`` request bodies that send it.

Pure bookkeeping, no I/O: the writer (:mod:`wandbkit._async.runs.writer`) adds history rows,
console text, the summary and uploaded file names here, takes a request body with
:meth:`StreamBuffer.take`, sends it (again and again while it fails: the body does not change,
and its line offsets make a re-sent chunk harmless), then :meth:`StreamBuffer.commit`\\ s it.

The body is what the official SDK's wandb-core sends (``wandb-history.jsonl``,
``output.log``, ``wandb-summary.json``, each ``{"offset": first line index, "content": [lines]}``,
plus ``uploaded``, ``complete`` and ``exitcode``). Console lines use W&B's plain form
(``"[ERROR ]<UTC time> text"``), which every W&B server reads; a line rewritten by a carriage
return is sent again at its number, and the server replaces it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from wandbkit._core.errors import UsageError

__all__ = [
    "HISTORY_FILE",
    "OUTPUT_FILE",
    "SUMMARY_FILE",
    "ConsoleText",
    "StreamBuffer",
    "StreamChunk",
    "encode_row",
]

HISTORY_FILE = "wandb-history.jsonl"
SUMMARY_FILE = "wandb-summary.json"
OUTPUT_FILE = "output.log"

_LINE_BREAK = re.compile(r"(\r\n|\n|\r)")


def _plain(value: Any, where: str) -> Any:
    """``value`` as JSON-able data: numpy scalars and arrays become numbers and lists."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    for convert in ("tolist", "item"):  # numpy arrays and scalars, torch tensors
        method = getattr(value, convert, None)
        if callable(method):
            return _plain(method(), where)
    raise UsageError(
        f"{where} must be JSON data (numbers, text, booleans, None, lists, mappings), got "
        f"{type(value).__name__}"
    )


def encode_row(row: Mapping[str, Any], where: str = "row") -> str:
    """One history row or summary as a JSON line (NaN and infinities kept, as W&B logs them).

    Raises:
        UsageError: a key that is not text, or a value that is not JSON data.
    """
    for key in row:
        if not isinstance(key, str):
            raise UsageError(f"{where} keys must be text, got {key!r}")
    try:  # plain JSON data, the usual case: the C encoder alone
        return json.dumps(row, separators=(",", ":"), allow_nan=True)
    except (TypeError, ValueError):
        return json.dumps(_plain(row, where), separators=(",", ":"), allow_nan=True)


@dataclass(frozen=True)
class ConsoleText:
    """One console line as it will be sent: text, whether it went to stderr, when."""

    text: str
    error: bool
    timestamp: float

    def encoded(self) -> str:
        """W&B's plain ``output.log`` form: ``"[ERROR ]<UTC time, microseconds> text"``."""
        moment = datetime.fromtimestamp(self.timestamp, timezone.utc).replace(tzinfo=None)
        prefix = "ERROR " if self.error else ""
        return f"{prefix}{moment.isoformat(timespec='microseconds')} {self.text}"


@dataclass(frozen=True)
class StreamChunk:
    """One request body, and what :meth:`StreamBuffer.commit` drops once it was delivered."""

    body: dict[str, Any]
    history_rows: int
    console_numbers: tuple[int, ...]
    console_texts: tuple[ConsoleText, ...]
    summary: str | None
    uploaded: tuple[str, ...]
    final: bool

    @property
    def has_data(self) -> bool:
        """Whether the body carries anything beyond a heartbeat."""
        return bool(self.body)


class StreamBuffer:
    """A run's unsent stream data, with the next line offset of each file.

    Args:
        history_offset: the next history line (the run's ``historyLineCount`` when resuming).
        console_offset: the next console line (its ``logLineCount`` when resuming).
        max_bytes: roughly how many bytes of lines one body holds at most (at least one line).
    """

    def __init__(
        self, *, history_offset: int = 0, console_offset: int = 0, max_bytes: int = 4 << 20
    ) -> None:
        self.history_offset = history_offset
        self.max_bytes = max_bytes
        self._history: list[str] = []
        self._history_bytes = 0
        self._console: dict[int, ConsoleText] = {}  # changed lines by number, unsent
        self._line_number = console_offset  # the number of the open (unfinished) line
        self._open_text = ""
        self._open_error = False
        self._rewrite = False  # a carriage return: the next text replaces the open line
        self._summary: str | None = None
        self._sent_summary: str | None = None
        self._uploaded: dict[str, None] = {}

    # -- adding -------------------------------------------------------------------------------

    def add_row(self, text: str) -> None:
        """Queue one history row (a JSON line, see :func:`encode_row`)."""
        self._history.append(text)
        self._history_bytes += len(text)

    def add_console(self, text: str, *, error: bool, timestamp: float) -> None:
        """Queue console output: ``\\n`` ends a line, ``\\r`` makes the following text replace
        the current line (a progress bar), text without a line break stays the open line."""
        for piece in _LINE_BREAK.split(text):
            if piece in ("\n", "\r\n"):
                self._set_open(error, timestamp)
                self._line_number += 1
                self._open_text, self._open_error, self._rewrite = "", False, False
            elif piece == "\r":
                self._rewrite = True
            elif piece:
                if self._rewrite:
                    self._open_text, self._rewrite = "", False
                self._open_text += piece
                self._open_error = error
                self._set_open(error, timestamp)

    def _set_open(self, error: bool, timestamp: float) -> None:
        self._console[self._line_number] = ConsoleText(
            self._open_text, error or self._open_error, timestamp
        )

    def set_summary(self, text: str) -> None:
        """The whole current summary (a JSON line); sent only when it changed."""
        self._summary = text if text != self._sent_summary else None

    def add_uploaded(self, name: str) -> None:
        """A run file whose upload finished (reported in the next body)."""
        self._uploaded[name] = None

    @property
    def pending_rows(self) -> int:
        """History rows not sent yet."""
        return len(self._history)

    @property
    def pending_bytes(self) -> int:
        """Roughly how many bytes of history rows wait."""
        return self._history_bytes

    @property
    def empty(self) -> bool:
        """Whether nothing waits to be sent."""
        return not (self._history or self._console or self._summary or self._uploaded)

    # -- taking and committing ----------------------------------------------------------------

    def take(self, *, complete: bool = False, exitcode: int = 0) -> StreamChunk:
        """The next body: history rows and console lines up to :attr:`max_bytes`, the summary
        if it changed, the uploaded names; with ``complete``, the end of the run once nothing
        else waits (:attr:`StreamChunk.final`). Nothing is removed until :meth:`commit`."""
        budget = self.max_bytes
        files: dict[str, Any] = {}
        rows: list[str] = []
        for text in self._history:
            if rows and len(text) > budget:
                break
            rows.append(text)
            budget -= len(text)
        if rows:
            files[HISTORY_FILE] = {"offset": self.history_offset, "content": rows}
        numbers: list[int] = []
        texts: list[ConsoleText] = []
        for number in sorted(self._console):  # one contiguous run of changed lines per body
            line = self._console[number]
            encoded = line.encoded()
            if (numbers and number != numbers[-1] + 1) or (
                (rows or numbers) and len(encoded) > budget
            ):
                break
            numbers.append(number)
            texts.append(line)
            budget -= len(encoded)
        if numbers:
            files[OUTPUT_FILE] = {
                "offset": numbers[0],
                "content": [line.encoded() for line in texts],
            }
        summary = self._summary
        if summary is not None:
            files[SUMMARY_FILE] = {"offset": 0, "content": [summary]}
        body: dict[str, Any] = {}
        if files:
            body["files"] = files
        uploaded = tuple(self._uploaded)
        if uploaded:
            body["uploaded"] = list(uploaded)
        everything = len(rows) == len(self._history) and len(numbers) == len(self._console)
        final = complete and everything
        if final:
            body["complete"] = True
            body["exitcode"] = exitcode
        return StreamChunk(
            body=body,
            history_rows=len(rows),
            console_numbers=tuple(numbers),
            console_texts=tuple(texts),
            summary=summary,
            uploaded=uploaded,
            final=final,
        )

    def commit(self, chunk: StreamChunk) -> None:
        """Drop what ``chunk`` delivered and move the offsets past it."""
        sent = self._history[: chunk.history_rows]
        del self._history[: chunk.history_rows]
        self._history_bytes -= sum(len(text) for text in sent)
        self.history_offset += chunk.history_rows
        for number, line in zip(chunk.console_numbers, chunk.console_texts, strict=True):
            if self._console.get(number) == line:  # not changed again meanwhile
                del self._console[number]
        if chunk.summary is not None:
            self._sent_summary = chunk.summary
            if self._summary == chunk.summary:
                self._summary = None
        for name in chunk.uploaded:
            self._uploaded.pop(name, None)


def check_finite_step(step: Any, last_step: int) -> int:
    """``step`` checked as a history step above ``last_step``.

    Raises:
        UsageError: not an integer, or not above the last step.
    """
    if isinstance(step, float) and math.isfinite(step) and step.is_integer():
        step = int(step)
    if isinstance(step, bool) or not isinstance(step, int):
        raise UsageError(f"step must be an integer, got {step!r}")
    if step <= last_step:
        raise UsageError(f"step must be above the last logged step {last_step}, got {step}")
    return int(step)
