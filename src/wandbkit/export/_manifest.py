"""The export's ``manifest.json``: what was exported from where, run by run.

It is rewritten atomically (temporary file, then rename) every few seconds while an export
runs and once at its end, so after an interruption it lists every run finished until shortly
before; runs finished after its last write are found by their files, which are complete
whenever they exist (each is written atomically too, and carries its own run id and last
step in its Parquet metadata).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from wandbkit.errors import UsageError

__all__ = [
    "FILE_MODE",
    "FORMAT",
    "MANIFEST_NAME",
    "Manifest",
    "RunEntry",
    "write_text_atomically",
]

FORMAT = "wandbkit-export/1"
MANIFEST_NAME = "manifest.json"


def _file_mode() -> int:
    # What open() would give a new file: mkstemp makes it 0600, a rename keeps that.
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


#: The permissions of the files an export writes (0644 under the usual umask), read once at
#: import: os.umask is process-wide and the writers run in threads.
FILE_MODE = _file_mode()


def write_text_atomically(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through a temporary file and a rename."""
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.tmp-", dir=target.parent)
    try:
        os.fchmod(handle, FILE_MODE)
        with os.fdopen(handle, "w", encoding="utf-8") as sink:
            sink.write(text)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def now() -> str:
    """The current UTC time as ISO-8601 text."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class RunEntry:
    """One exported run: its history file, rows and last step (``-1`` for no history)."""

    file: str
    rows: int
    last_step: int
    bytes: int
    exported_at: str


@dataclass
class Manifest:
    """What an export directory holds; see the package docstring for the layout."""

    source: dict[str, Any]
    history_columns: dict[str, str] = field(default_factory=dict)
    runs: dict[str, RunEntry] = field(default_factory=dict)
    runs_table: dict[str, Any] | None = None
    complete: bool = False
    started_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    format: str = FORMAT

    @classmethod
    def load(cls, path: Path) -> Manifest | None:
        """The manifest at ``path``, or ``None`` when there is none.

        Raises:
            UsageError: the file is not a wandbkit export manifest.
        """
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError as exc:
            raise UsageError(f"{path} is not a wandbkit export manifest: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise UsageError(f"{path} is not a {FORMAT} manifest; use an empty --out directory")
        runs = {name: RunEntry(**entry) for name, entry in data.get("runs", {}).items()}
        return cls(
            source=dict(data["source"]),
            history_columns=dict(data.get("history_columns", {})),
            runs=runs,
            runs_table=data.get("runs_table"),
            complete=bool(data.get("complete")),
            started_at=str(data.get("started_at", now())),
            updated_at=str(data.get("updated_at", now())),
        )

    def save(self, path: Path) -> None:
        """Write the manifest atomically."""
        self.updated_at = now()
        document = {
            "format": self.format,
            "source": self.source,
            "complete": self.complete,
            "started_at": self.started_at,
            "updated_at": self.updated_at,
            "history_columns": self.history_columns,
            "runs_table": self.runs_table,
            "runs": {name: asdict(entry) for name, entry in sorted(self.runs.items())},
        }
        write_text_atomically(path, json.dumps(document, indent=1) + "\n")
