"""Console output values: one line of a run's log, from the server's ``LogLine`` fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["ConsoleLogLine", "console_line"]


@dataclass(frozen=True)
class ConsoleLogLine:
    """One line of a run's console output, as ``wandb``'s ``ConsoleLogLine``.

    Attributes:
        number: the line's position in the run's console log, from 0.
        timestamp: when the line was captured (aware UTC), or None if the server recorded no
            time (or one this client cannot read).
        level: ``"error"`` for a line written to stderr, ``""`` otherwise.
        label: which process wrote the line when several write to one run; ``""`` otherwise.
        content: the text of the line.
    """

    number: int
    timestamp: datetime | None
    level: str
    label: str
    content: str


def console_line(
    number: int | None,
    timestamp: str | None,
    level: str | None,
    label: str | None,
    line: str | None,
) -> ConsoleLogLine:
    """A :class:`ConsoleLogLine` from the server's ``LogLine`` fields (nulls made empty)."""
    return ConsoleLogLine(
        number=number or 0,
        timestamp=_console_timestamp(timestamp),
        level=level or "",
        label=label or "",
        content=line or "",
    )


def _console_timestamp(text: str | None) -> datetime | None:
    # As wandb's: a time the client cannot read is no time, not an error.
    from wandbkit._core.scalars import parse_datetime

    if not text:
        return None
    try:
        moment: datetime = parse_datetime(text)
    except ValueError:
        return None
    return moment
