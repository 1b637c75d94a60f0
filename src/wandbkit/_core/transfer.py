"""File transfers without the I/O: what moved, whether it is what the server promised.

The senders (``_async/transport.py`` and its sync twin) stream the bytes and feed them to a
:class:`Tally`; the domain code (run files today, artifact entries next) then compares the
:class:`Transfer` it got with the server's record through :func:`verify_transfer`, and turns
the server's ``"Key: value"`` upload-header lines into a header mapping with
:func:`parse_upload_headers`. Nothing here reads a file or a socket, so every rule is a table
test (``tests/unit/test_transfer.py``).

W&B records md5 digests in base64 (``File.md5``, artifact manifest ``digest``); some places
(etags, ``md5 -q`` output a user pastes) use hex. :func:`verify_transfer` accepts either, so
callers pass what the server sent without converting it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import string
from collections.abc import Iterable
from dataclasses import dataclass

from wandbkit._core.errors import IntegrityError

__all__ = ["Tally", "Transfer", "md5_digest_of", "parse_upload_headers", "verify_transfer"]

_HEX_DIGITS = frozenset(string.hexdigits)
_MD5_BYTES = 16


@dataclass(frozen=True)
class Transfer:
    """What a file transfer moved: its size and md5 (base64 of the digest, W&B's form).

    Attributes:
        size: bytes moved.
        md5: base64 of the md5 digest of those bytes, as W&B records it.
    """

    size: int
    md5: str

    @property
    def md5_hex(self) -> str:
        """The same digest in hex, for the places that spell md5 that way."""
        return base64.b64decode(self.md5).hex()


class Tally:
    """Size and md5 of the bytes of one transfer attempt; ``reset()`` before a retry."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget what was counted: a retried attempt starts from zero bytes."""
        self.size = 0
        self._digest = hashlib.md5(usedforsecurity=False)

    def add(self, chunk: bytes) -> None:
        """Count one chunk of the attempt."""
        self.size += len(chunk)
        self._digest.update(chunk)

    def result(self) -> Transfer:
        """What this attempt moved so far."""
        return Transfer(self.size, base64.b64encode(self._digest.digest()).decode())


def md5_digest_of(md5: str) -> bytes | None:
    """The 16 digest bytes of an md5 spelt in hex (32 digits) or base64; None if neither.

    A malformed value gives None rather than an error, so that :func:`verify_transfer`
    reports it as a mismatch, which is what it is: the bytes cannot be shown to match.
    """
    text = md5.strip()
    if len(text) == 2 * _MD5_BYTES and _HEX_DIGITS.issuperset(text):
        return bytes.fromhex(text)
    try:
        digest = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return digest if len(digest) == _MD5_BYTES else None


def verify_transfer(
    expected_size: int | None,
    expected_md5: str | None,
    got: Transfer,
    *,
    description: str,
) -> None:
    """Raise unless ``got`` is what the server's record says; the size is checked first.

    Args:
        expected_size: the size the server records (promised for a download, stored for an
            upload); None when it records none, which skips the size check.
        expected_md5: the server's md5, base64 or hex; None or empty skips the md5 check
            (W&B leaves it empty for some files).
        got: what the transfer moved.
        description: what was transferred (``"download of 'x.png'"``), leading the message.

    Raises:
        IntegrityError: the size or the md5 differ.
    """
    if expected_size is not None and got.size != expected_size:
        raise IntegrityError(
            f"{description}: {got.size} bytes transferred, the server's record says {expected_size}"
        )
    if expected_md5 and md5_digest_of(expected_md5) != base64.b64decode(got.md5):
        raise IntegrityError(
            f"{description}: md5 {got.md5} does not match the server's {expected_md5}"
        )


def parse_upload_headers(lines: Iterable[str]) -> dict[str, str]:
    """Headers to send with a signed upload, from the server's ``"Key: value"`` lines.

    ``createRunFiles.uploadHeaders`` (and artifact ``uploadHeaders``) are strings in HTTP
    header syntax. A line with no colon, or an empty name or value, is skipped rather than
    sent malformed; a later line with the same name wins. Whitespace around name and value
    is dropped; a colon inside the value is kept (``"X-Meta: a:b"``).
    """
    headers: dict[str, str] = {}
    for line in lines:
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key and value:
            headers[key] = value
    return headers
