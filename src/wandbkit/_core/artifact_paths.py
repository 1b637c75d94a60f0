"""Where artifact files may go and where they may come from, decided before any I/O.

A manifest comes from the server (or from whoever wrote the artifact), so its paths are
untrusted input: :func:`safe_destination` turns one into a path under the download root or
refuses it, and :func:`check_layout` refuses a set of paths that cannot all exist at once.
:func:`source_kind` says how an entry's URL is fetched, refusing schemes wandbkit cannot read.
Nothing here touches a file or a socket (``tests/unit/test_artifact_paths.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Literal
from urllib.parse import unquote, urlsplit

from wandbkit._core.errors import UsageError

__all__ = [
    "SourceKind",
    "check_layout",
    "file_url_path",
    "reference_scheme",
    "safe_destination",
    "source_kind",
]

#: How an entry's bytes are fetched: over HTTP(S), or read from a local ``file://`` path.
SourceKind = Literal["http", "file"]

_HTTP_SCHEMES = frozenset({"http", "https"})


def safe_destination(root: Path, path: str) -> Path:
    """``root / path`` for a manifest path that cannot leave ``root``; refuses anything else.

    A manifest path is POSIX and relative: segments separated by ``/``, none of them empty,
    ``.`` or ``..``; no backslash (a separator on Windows), no NUL, no drive (``C:``).

    Args:
        root: the download root.
        path: the manifest path.

    Returns:
        The destination, lexically inside ``root``.

    Raises:
        UsageError: ``path`` is not a safe relative path (the message names it and why).
    """
    problem = _path_problem(path)
    if problem is not None:
        raise UsageError(
            f"artifact file path {path!r} is refused: {problem}; manifest paths are relative "
            "POSIX paths like 'images/cat.png'"
        )
    dest = Path(root).joinpath(*path.split("/"))
    # Belt and braces: the checks above make this hold; never return a path outside root.
    inside = os.path.relpath(os.path.normpath(dest), os.path.normpath(os.fspath(root)))
    if inside == os.pardir or inside.startswith(os.pardir + os.sep) or os.path.isabs(inside):
        raise UsageError(f"artifact file path {path!r} is refused: it leaves the root")
    return dest


def _path_problem(path: object) -> str | None:
    if not isinstance(path, str):
        return f"it is a {type(path).__name__}, not a string"
    if not path:
        return "it is empty"
    if "\x00" in path:
        return "it contains a NUL character"
    if "\\" in path:
        return "it contains a backslash"
    if path.startswith("/") or PurePosixPath(path).is_absolute():
        return "it is absolute"
    if PureWindowsPath(path).drive:
        return "it starts with a drive"
    for segment in path.split("/"):
        if segment == "":
            return "it has an empty segment"
        if segment in (".", ".."):
            return f"it has a {segment!r} segment"
    return None


def check_layout(paths: Iterable[str]) -> None:
    """Refuse paths that cannot all be files at once: ``a`` and ``a/b``.

    Duplicates are the caller's to settle (the same entry twice is harmless).

    Raises:
        UsageError: one path is a directory of another.
    """
    files = set(paths)
    for path in files:
        parent = PurePosixPath(path).parent
        while parent.parts:
            if parent.as_posix() in files:
                raise UsageError(
                    f"artifact file paths {parent.as_posix()!r} and {path!r} conflict: "
                    "one would be a directory of the other"
                )
            parent = parent.parent


def source_kind(url: str, *, is_reference: bool) -> SourceKind | None:
    """How the bytes at ``url`` are fetched; None for a reference of an unsupported scheme.

    Stored files come from the server over ``http(s)``; references may also be ``file://``.
    The caller decides what an unsupported reference means (an error, or skipped with
    ``allow_missing_references``).

    Raises:
        UsageError: a stored file's URL is not an absolute ``http(s)`` URL.
    """
    scheme = urlsplit(url).scheme.lower() if isinstance(url, str) else ""
    if scheme in _HTTP_SCHEMES and urlsplit(url).netloc:
        return "http"
    if is_reference and scheme == "file":
        return "file"
    if is_reference:
        return None
    raise UsageError(f"artifact file URL {url!r} is not an absolute http(s) URL")


def file_url_path(url: str) -> Path:
    """The local path a ``file://`` reference names (``file:///data/x`` → ``/data/x``).

    Raises:
        UsageError: the URL names another host (``file://server/share/x``).
    """
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise UsageError(
            f"reference {url!r} names the host {parts.netloc!r}; only local file:// "
            "references can be read"
        )
    return Path(unquote(parts.path))


def reference_scheme(url: str) -> str:
    """The scheme of a reference URL, for messages (``s3``, ``gs``...; ``''`` if none)."""
    return urlsplit(url).scheme if isinstance(url, str) else ""
