"""How the store lays out run history: blocks of consecutive rows.

A run's history is a sequence of rows (JSON text), one per step, steps strictly increasing.
One table row per history row made every read cost a B-tree step and a Python object per
row, and reading rows was most of the server's time for ``history(samples)``. Instead, up to
:data:`BLOCK_ROWS` consecutive rows of a run share one table row (a *block*):

* ``seq`` numbers a run's blocks 0, 1, 2...; every block but the last holds exactly
  :data:`BLOCK_ROWS` rows (appends fill the last block before starting a new one), so row
  ``i`` of a run is row ``i % BLOCK_ROWS`` of block ``i // BLOCK_ROWS``;
* ``steps`` packs the block's steps as little-endian int64;
* ``rows`` joins the rows' JSON texts with :data:`SEPARATOR`, U+001E, which JSON text never
  holds raw (inside strings a control character must be escaped, and it is not whitespace).

The functions here are pure: they build and slice blocks; the store reads and writes them.
"""

from __future__ import annotations

import functools
import operator
import struct
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from wandbkit.server.history import downsample_indices

#: Rows per block. Reads split whole blocks, appends rewrite the last one: 128 rows of a
#: typical 150-byte row keep both around 20 KB.
BLOCK_ROWS = 128

#: Joins the JSON texts of a block's rows.
SEPARATOR = "\x1e"


class HistoryLayoutError(ValueError):
    """Rows that cannot be stored: steps not strictly increasing, or a separator in a row."""


@dataclass(frozen=True)
class Block:
    """One block as stored: its position, step range, packed steps and joined rows."""

    seq: int
    first_step: int
    last_step: int
    row_count: int
    steps: bytes
    rows: str


def pack_steps(steps: Sequence[int]) -> bytes:
    """Steps as little-endian int64 values."""
    return struct.pack(f"<{len(steps)}q", *steps)


def unpack_steps(packed: bytes) -> tuple[int, ...]:
    """The inverse of :func:`pack_steps`."""
    return struct.unpack(f"<{len(packed) // 8}q", packed)


def split_rows(joined: str) -> list[str]:
    """A block's row texts."""
    return joined.split(SEPARATOR) if joined else []


def check_increasing(steps: Sequence[int], after: int | None) -> None:
    """Steps must rise strictly, and start above ``after`` (the run's last stored step).

    Raises:
        HistoryLayoutError: naming the first step out of order.
    """
    previous = after
    for step in steps:
        if previous is not None and step <= previous:
            raise HistoryLayoutError(
                f"history steps must increase strictly: step {step} follows {previous}"
            )
        previous = step


def join_rows(texts: Sequence[str]) -> str:
    """Row texts joined for a block.

    Raises:
        HistoryLayoutError: a text holds the separator (so it is not JSON text).
    """
    joined = SEPARATOR.join(texts)
    if joined.count(SEPARATOR) != max(len(texts) - 1, 0):
        raise HistoryLayoutError("a history row holds U+001E, which JSON text never holds raw")
    return joined


def append_blocks(
    last: Block | None, steps: Sequence[int], texts: Sequence[str]
) -> tuple[Block | None, list[Block]]:
    """Lay new rows out after a run's stored blocks.

    Args:
        last: the run's last stored block, or ``None`` for a run without history.
        steps: the new rows' steps (checked: strictly increasing, above ``last``).
        texts: the new rows' JSON texts, one per step.

    Returns:
        ``(refilled, new)``: ``last`` grown with the first rows (``None`` if it was full or
        absent), and the blocks to insert after it.

    Raises:
        HistoryLayoutError: steps out of order, or a row holding the separator.
    """
    if len(steps) != len(texts):
        raise HistoryLayoutError("one step per history row")
    check_increasing(steps, last.last_step if last is not None else None)
    refilled: Block | None = None
    start = 0
    seq = 0
    if last is not None:
        seq = last.seq + 1
        room = BLOCK_ROWS - last.row_count
        if room > 0 and steps:
            start = min(room, len(steps))
            head = join_rows(texts[:start])
            refilled = Block(
                seq=last.seq,
                first_step=last.first_step,
                last_step=steps[start - 1],
                row_count=last.row_count + start,
                steps=last.steps + pack_steps(steps[:start]),
                rows=last.rows + SEPARATOR + head if last.row_count else head,
            )
    new = list(_blocks_from(seq, steps[start:], texts[start:]))
    return refilled, new


def _blocks_from(seq: int, steps: Sequence[int], texts: Sequence[str]) -> Iterator[Block]:
    for offset in range(0, len(steps), BLOCK_ROWS):
        chunk = steps[offset : offset + BLOCK_ROWS]
        yield Block(
            seq=seq + offset // BLOCK_ROWS,
            first_step=chunk[0],
            last_step=chunk[-1],
            row_count=len(chunk),
            steps=pack_steps(chunk),
            rows=join_rows(texts[offset : offset + BLOCK_ROWS]),
        )


def rows_between(
    first_step: int,
    last_step: int,
    packed_steps: bytes,
    joined: str,
    min_step: int | None,
    max_step: int | None,
) -> list[str]:
    """The rows of one block with steps in ``[min_step, max_step)`` (``None``: unbounded)."""
    rows = split_rows(joined)
    inside_low = min_step is None or first_step >= min_step
    inside_high = max_step is None or last_step < max_step
    if inside_low and inside_high:
        return rows
    steps = unpack_steps(packed_steps)
    low = 0 if min_step is None else bisect_left(steps, min_step)
    high = len(steps) if max_step is None else bisect_left(steps, max_step)
    return rows[low:high]


@dataclass(frozen=True)
class SamplePlan:
    """Which blocks hold the rows that ``downsample`` keeps of a run, and how to pick them.

    Attributes:
        blocks: the ``seq`` of every block to read, rising.
        pick: takes the rows of those blocks, concatenated in order, and returns the kept
            rows (positions are exact because every block but a run's last is full).
    """

    blocks: tuple[int, ...]
    pick: Callable[[Sequence[str]], list[str]]


@functools.lru_cache(maxsize=256)
def sample_plan(count: int, samples: int) -> SamplePlan:
    """The plan for ``samples`` of ``count`` rows; remembered, since a project's runs mostly
    share their lengths and a listing of histories asks for the same plan over and over."""
    kept = downsample_indices(count, samples)
    blocks = sorted({i // BLOCK_ROWS for i in kept})
    offset = {seq: n * BLOCK_ROWS for n, seq in enumerate(blocks)}
    positions = [offset[i // BLOCK_ROWS] + i % BLOCK_ROWS for i in kept]
    if len(positions) == 1:
        (only,) = positions
        return SamplePlan(tuple(blocks), lambda rows: [rows[only]])
    getter = operator.itemgetter(*positions)  # one C call picks every kept row
    return SamplePlan(tuple(blocks), lambda rows: list(getter(rows)))
