"""The artifact cache: file contents stored once by md5, shared by every download.

An entry is the bytes of one file, named by the hex md5 of those bytes::

    <cache root>/obj/md5/<2 hex digits>/<30 hex digits>

so two artifacts (or two versions) holding the same file share one entry, and a second
download into another root copies from here instead of the network. Nothing here trusts a
name: entries are verified when added and again when materialized, and a corrupt entry is
dropped (the caller then downloads the file again).

Entries are written to a temporary file beside their final name and renamed into place
(``os.replace``), so a reader never sees half an entry, and two processes adding the same
entry at once both end with a correct one (the last rename wins; both wrote the same bytes).

Materializing an entry into a root **copies** it by default, as the official client does: the
files a download leaves are ordinary writable files, and editing one changes nothing else.
``link=True`` (``Artifact.download(..., hard_links=True)``, or ``WANDBKIT_CACHE_HARD_LINKS=1``)
hard-links instead, so a second root of a 50 MB file costs no copy; linked entries are then
read-only (mode 0444), so that an edit through one root fails loudly instead of changing the
cache and every other root that links the same bytes (an editor that writes a new file and
renames it over the old one is unaffected).

A file just downloaded into a root is *shared* with the cache (``add(share=True)``: a hard
link, no second copy, and the file stays writable). No two roots ever share a file that way;
an edit of the root file changes the entry too, which the md5 check of every materialization
catches: the entry is dropped and the file downloaded again.

Least recently used entries (by modification time, which materializing refreshes) are evicted
by :meth:`ArtifactCache.cleanup`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from wandbkit._core.errors import IntegrityError, UsageError
from wandbkit._core.transfer import Tally, Transfer, md5_digest_of

__all__ = [
    "DEFAULT_SUBDIR",
    "ENV_CACHE_DIR",
    "ENV_HARD_LINKS",
    "READ_CHUNK",
    "ArtifactCache",
    "copy_hashing",
    "file_md5",
    "stream_hashing",
]

#: Environment variable that moves the cache (the directory itself, not a parent).
ENV_CACHE_DIR = "WANDBKIT_CACHE_DIR"
#: Environment variable that makes downloads hard-link from the cache (``1``, ``true``...).
ENV_HARD_LINKS = "WANDBKIT_CACHE_HARD_LINKS"
_ON = frozenset({"1", "true", "yes", "on"})

#: Where the cache lives under the user cache directory ($XDG_CACHE_HOME or ~/.cache).
DEFAULT_SUBDIR = ("wandbkit", "artifacts")

#: Bytes read at a time when hashing or copying: memory stays flat whatever the size.
READ_CHUNK = 1 << 20

_ENTRY_MODE = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
_TEMP_SUFFIX = ".tmp"
#: A temporary file older than this is left over by a killed process; cleanup() removes it.
_STALE_TEMP_SECONDS = 24 * 3600


def file_md5(path: Path) -> Transfer:
    """Size and md5 (base64) of the file at ``path``, read in chunks.

    Raises:
        OSError: the file cannot be read.
    """
    tally = Tally()
    with path.open("rb") as source:
        while chunk := source.read(READ_CHUNK):
            tally.add(chunk)
    return tally.result()


def stream_hashing(reader: IO[bytes], writer: IO[bytes]) -> Transfer:
    """Copy ``reader`` to ``writer`` in chunks and return size and md5 of what was written."""
    tally = Tally()
    while chunk := reader.read(READ_CHUNK):
        tally.add(chunk)
        writer.write(chunk)
    return tally.result()


def copy_hashing(source: Path, target: Path) -> Transfer:
    """Copy ``source`` to ``target`` (which must not exist) and return what was copied.

    The md5 is of the bytes written, so verifying the result verifies the copy.
    """
    with source.open("rb") as reader, target.open("xb") as writer:
        return stream_hashing(reader, writer)


def _unlink_quietly(path: Path | str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _digest_hex(md5: str) -> str:
    digest = md5_digest_of(md5) if isinstance(md5, str) else None
    if digest is None:
        raise UsageError(
            f"md5 must be the base64 (or hex) md5 of a file, like 'XUFAKrxLKna5cZ2REBfFkg==', "
            f"got {md5!r}"
        )
    return digest.hex()


def _default_root(environ: Mapping[str, str]) -> Path:
    moved = environ.get(ENV_CACHE_DIR, "").strip()
    if moved:
        return Path(moved).expanduser()
    xdg = environ.get("XDG_CACHE_HOME", "").strip()
    # The XDG spec: a relative $XDG_CACHE_HOME is invalid and is ignored.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base.joinpath(*DEFAULT_SUBDIR)


class ArtifactCache:
    """A content-addressed store of artifact files, keyed by md5.

    Args:
        root: the cache directory (created on first write).
        link: hard-link entries into destinations when possible (read-only files, no copy);
            False (the default) copies (writable files).

    Attributes:
        root: the cache directory.
        link: whether materializing hard-links.
    """

    def __init__(self, root: str | os.PathLike[str], *, link: bool = False) -> None:
        self.root = Path(root)
        self.link = link
        # Shard directories known to exist (a mkdir per added file adds up).
        self._made: set[Path] = set()

    @classmethod
    def default(
        cls, *, environ: Mapping[str, str] | None = None, link: bool | None = None
    ) -> ArtifactCache:
        """The user's cache: ``$WANDBKIT_CACHE_DIR`` if set, else
        ``($XDG_CACHE_HOME or ~/.cache)/wandbkit/artifacts``.

        Args:
            environ: the environment to read; defaults to ``os.environ``.
            link: as for the constructor; None: ``$WANDBKIT_CACHE_HARD_LINKS`` decides
                (default off).
        """
        env = os.environ if environ is None else environ
        if link is None:
            link = env.get(ENV_HARD_LINKS, "").strip().lower() in _ON
        return cls(_default_root(env), link=link)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.root)!r})"

    def path_for(self, md5_b64: str) -> Path:
        """Where the entry for ``md5_b64`` (base64 or hex) lives, whether or not it exists.

        Raises:
            UsageError: ``md5_b64`` is not an md5.
        """
        hex_digest = _digest_hex(md5_b64)
        return self.root / "obj" / "md5" / hex_digest[:2] / hex_digest[2:]

    def lookup(self, md5_b64: str, size: int) -> Path | None:
        """The entry for these bytes if one is stored with that size; not read or verified.

        Raises:
            UsageError: ``md5_b64`` is not an md5.
        """
        entry = self.path_for(md5_b64)
        try:
            info = entry.stat()
        except OSError:
            return None
        return entry if stat.S_ISREG(info.st_mode) and info.st_size == size else None

    def add(self, path: Path, md5_b64: str, *, verify: bool = True, share: bool = False) -> Path:
        """Store the file at ``path`` as the entry for ``md5_b64``; returns the entry.

        The entry is hard-linked to ``path`` when ``link`` allows (``path`` then becomes
        read-only too) or ``share`` asks (``path`` stays writable), else copied. Safe when
        several processes add the same entry at once.

        Args:
            path: the file to store.
            md5_b64: its md5, base64 (W&B's form) or hex.
            verify: hash ``path`` first; pass False only when its md5 was just computed
                from the very bytes on disk (a copy is always verified).
            share: link even in copy mode, leaving the mode alone: for a file just
                downloaded into a root, which then costs no second copy (an edit of it is
                caught when the entry is next materialized).

        Raises:
            UsageError: ``md5_b64`` is not an md5.
            IntegrityError: the file's md5 is not ``md5_b64``.
        """
        entry = self.path_for(md5_b64)
        expected = md5_digest_of(md5_b64)
        if entry.parent not in self._made:
            entry.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(entry.parent)
        temp = self._temp_name(entry)
        try:
            got: Transfer | None
            linked = (self.link or share) and self._try_link(path, temp)
            if not linked:
                got = copy_hashing(path, temp)  # a copy is always checked
            elif verify:
                got = file_md5(temp)
            else:
                got = None
            if got is not None and md5_digest_of(got.md5) != expected:
                raise IntegrityError(
                    f"cannot cache {str(path)!r}: its md5 is {got.md5}, not {md5_b64}"
                )
            if self.link or not linked:
                os.chmod(temp, _ENTRY_MODE)
            os.replace(temp, entry)
        except BaseException:
            _unlink_quietly(temp)
            raise
        return entry

    def materialize(self, md5_b64: str, size: int, dest: Path) -> bool:
        """Put the cached bytes for ``md5_b64`` at ``dest``, verified; False on a miss.

        ``dest`` is replaced atomically (a temporary file beside it, then ``os.replace``); its
        parent directories are created. A stored entry whose bytes do not match is removed
        and counts as a miss.

        Raises:
            UsageError: ``md5_b64`` is not an md5.
        """
        entry = self.lookup(md5_b64, size)
        if entry is None:
            return False
        expected = md5_digest_of(md5_b64)
        dest.parent.mkdir(parents=True, exist_ok=True)
        temp = self._temp_name(dest)
        try:
            if not (self.link and self._read_only(entry) and self._try_link(entry, temp)):
                # The kernel copies (sendfile / copy_file_range: no trip through Python),
                # then the copy itself is hashed: what is checked is what the root gets.
                shutil.copyfile(entry, temp)
            got = file_md5(temp)
            if got.size != size or md5_digest_of(got.md5) != expected:
                # Corrupt (a disk error, or an edit through a hard link): never hand it out.
                _unlink_quietly(entry)
                _unlink_quietly(temp)
                return False
            os.replace(temp, dest)
        except BaseException:
            _unlink_quietly(temp)
            raise
        with contextlib.suppress(OSError):
            os.utime(entry)  # recently used: the last to be evicted
        return True

    def entries(self) -> Iterator[tuple[Path, os.stat_result]]:
        """Every stored entry with its ``stat``; temporary files are not entries."""
        base = self.root / "obj" / "md5"
        if not base.is_dir():
            return
        for shard in base.iterdir():
            if not shard.is_dir():
                continue
            for entry in shard.iterdir():
                if entry.name.startswith("."):
                    continue
                with contextlib.suppress(FileNotFoundError):
                    info = entry.stat()
                    if stat.S_ISREG(info.st_mode):
                        yield entry, info

    def size(self) -> int:
        """Bytes held by the entries."""
        return sum(info.st_size for _, info in self.entries())

    def cleanup(self, max_bytes: int) -> int:
        """Evict least recently used entries until at most ``max_bytes`` remain.

        Temporary files left over by killed processes (older than a day) go too.

        Args:
            max_bytes: the size to shrink to (0 empties the cache).

        Returns:
            The bytes freed.

        Raises:
            UsageError: ``max_bytes`` is not an int >= 0.
        """
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0:
            raise UsageError(f"max_bytes must be an int >= 0, got {max_bytes!r}")
        freed = self._remove_stale_temps()
        entries = sorted(self.entries(), key=lambda item: item[1].st_mtime_ns)
        total = sum(info.st_size for _, info in entries)
        for entry, info in entries:
            if total <= max_bytes:
                break
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry)
                freed += info.st_size
            total -= info.st_size
        return freed

    def _remove_stale_temps(self) -> int:
        base = self.root / "obj" / "md5"
        if not base.is_dir():
            return 0
        freed = 0
        cutoff = time.time() - _STALE_TEMP_SECONDS
        for temp in base.glob(f"*/.*{_TEMP_SUFFIX}"):
            with contextlib.suppress(FileNotFoundError):
                info = temp.stat()
                if info.st_mtime < cutoff:
                    os.unlink(temp)
                    freed += info.st_size
        return freed

    @staticmethod
    def _temp_name(beside: Path) -> Path:
        # A name nobody else will pick, in the target's directory (one file system, so
        # os.replace is atomic). Not created here: os.link and open("xb") both refuse an
        # existing name, so two writers can never share a temporary.
        return beside.parent / f".wk-{secrets.token_hex(8)}{_TEMP_SUFFIX}"

    @staticmethod
    def _read_only(entry: Path) -> bool:
        """Make an entry read-only before a root links it (one shared with the root it was
        downloaded into was writable); False if that cannot be done (then it is copied)."""
        try:
            os.chmod(entry, _ENTRY_MODE)
        except OSError:
            return False
        return True

    @staticmethod
    def _try_link(source: Path, temp: Path) -> bool:
        """Make ``temp`` a hard link to ``source``; False when the file system cannot."""
        try:
            os.link(source, temp)
        except FileExistsError:
            raise
        except OSError:
            return False
        return True
