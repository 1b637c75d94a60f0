"""Reading TensorBoard event files into history rows (for ``Api.sync_tensorboard``).

The reading is TensorBoard's own (``tensorboard``, the optional extra ``wandbkit[tensorboard]``):
its ``EventFileLoader`` reads the TFRecord framing with its checksums and migrates every
scalar form (TF1 ``simple_value``, TF2 ``tf.summary.scalar`` tensors, PyTorch's
``SummaryWriter``) to tensors with the ``scalars`` plugin, so one rule reads them all.

Scalars of every event file under a directory are merged by step into one row per step; a tag
from an event file in a sub-directory is prefixed with that directory (``train/loss`` for
``train/events.out.tfevents...``), as W&B's TensorBoard sync names them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wandbkit._core.errors import UsageError

__all__ = ["EVENT_FILE_GLOB", "TensorBoardRow", "event_files", "read_scalar_rows"]

#: How TensorBoard names its event files.
EVENT_FILE_GLOB = "*tfevents*"
_SCALAR_PLUGIN = "scalars"


@dataclass
class TensorBoardRow:
    """The scalars logged at one step, across every event file."""

    step: int
    wall_time: float
    values: dict[str, float] = field(default_factory=dict)


def event_files(root: Path) -> list[Path]:
    """Every event file under ``root`` (itself one, or a directory searched recursively),
    in path order.

    Raises:
        UsageError: ``root`` does not exist or holds no event file.
    """
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise UsageError(f"root_dir must be a directory of TensorBoard logs, got {str(root)!r}")
    found = sorted(path for path in root.rglob(EVENT_FILE_GLOB) if path.is_file())
    if not found:
        raise UsageError(f"no TensorBoard event files ({EVENT_FILE_GLOB}) under {str(root)!r}")
    return found


def _loader() -> Any:
    try:
        from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
    except ImportError:
        raise UsageError(
            "reading TensorBoard logs needs the 'tensorboard' package: "
            "pip install 'wandbkit[tensorboard]'"
        ) from None
    return EventFileLoader


def _scalars(path: Path) -> Iterator[tuple[int, float, str, float]]:
    """``(step, wall time, tag, value)`` of every scalar in one event file."""
    from tensorboard.util import tensor_util

    for event in _loader()(str(path)).Load():
        if event.WhichOneof("what") != "summary":
            continue
        for value in event.summary.value:
            if value.WhichOneof("value") != "tensor":
                continue
            if value.metadata.plugin_data.plugin_name != _SCALAR_PLUGIN:
                continue
            array = tensor_util.make_ndarray(value.tensor)
            if array.size != 1:
                continue
            yield int(event.step), float(event.wall_time), value.tag, float(array.reshape(()))


def read_scalar_rows(root: str | Path) -> list[TensorBoardRow]:
    """The scalars under ``root``, one row per step in step order.

    Non-finite values (NaN, infinities) are kept, as W&B keeps them.

    Raises:
        UsageError: no such directory, no event files, no ``tensorboard`` package.
    """
    base = Path(root)
    rows: dict[int, TensorBoardRow] = {}
    for path in event_files(base):
        relative = path.parent.relative_to(base).as_posix() if base.is_dir() else "."
        prefix = "" if relative == "." else f"{relative}/"
        for step, wall_time, tag, number in _scalars(path):
            row = rows.setdefault(step, TensorBoardRow(step=step, wall_time=wall_time))
            row.wall_time = max(row.wall_time, wall_time)
            row.values[prefix + tag] = number
    return [rows[step] for step in sorted(rows)]
