"""Signed, expiring URL tokens: how the server hands out links that need no API key.

W&B gives clients presigned storage URLs (``File.directUrl``, upload URLs); clients fetch them
without credentials, and the official client deliberately sends no ``Authorization`` header to
them. The emulator signs its own: a token is ``<key>.<expiry>.<mac>`` where ``mac`` is an
HMAC-SHA256 over the purpose, the key (a row id) and the expiry (Unix seconds), with a secret
that belongs to the store. Changing any part, or waiting past the expiry, invalidates it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable
from datetime import datetime, timedelta

#: How long a ``File.directUrl`` (download) stays valid.
DOWNLOAD_URL_TTL = timedelta(hours=1)
#: How long an upload URL stays valid.
UPLOAD_URL_TTL = timedelta(hours=1)

#: Token purposes; a download token cannot be used to upload, nor the other way round.
DOWNLOAD = "download"
UPLOAD = "upload"
#: Artifact tokens: a manifest entry's bytes, a version's manifest, a blob's upload (keyed by
#: the blob, so the bytes must have its md5), a version's manifest upload.
ARTIFACT_FILE = "artifact-file"
ARTIFACT_MANIFEST = "artifact-manifest"
ARTIFACT_UPLOAD = "artifact-upload"
ARTIFACT_MANIFEST_UPLOAD = "artifact-manifest-upload"
#: Multipart uploads (:mod:`wandbkit.server.multipart`): one part's upload (keyed by blob and part
#: number) and the upload id handed to ``completeMultipartUploadArtifact`` (keyed by the blob).
ARTIFACT_UPLOAD_PART = "artifact-upload-part"
ARTIFACT_MULTIPART = "artifact-multipart"
#: A run's parquet history exports (:mod:`wandbkit.server.history_exports`), keyed by the run.
HISTORY_EXPORT = "history-export"


#: The whole token: two ASCII decimal numbers of at most 19 digits (a SQLite row id and Unix
#: seconds both fit) and an unpadded urlsafe-base64 HMAC-SHA256 (43 characters). Checked before
#: any conversion, so a hostile token (a superscript digit, which ``str.isdigit`` accepts but
#: ``int`` refuses, or ten thousand digits, which ``int`` refuses past 4,300) is a 403, never
#: an exception.
_TOKEN = re.compile(r"([0-9]{1,19})\.([0-9]{1,19})\.([A-Za-z0-9_-]{43})", re.ASCII)


class InvalidSignatureError(ValueError):
    """A token that was altered, signed for another purpose, or has expired."""


class UrlSigner:
    """Signs and checks URL tokens.

    Args:
        secret: the signing key (the store's, so tokens survive a server restart).
        clock: the current time; tests inject a fake one to check expiry.

    Example:
        >>> from datetime import timezone
        >>> signer = UrlSigner(b"k" * 32, lambda: datetime(2024, 1, 1, tzinfo=timezone.utc))
        >>> token = signer.sign(DOWNLOAD, 7, timedelta(minutes=5))
        >>> signer.verify(DOWNLOAD, token)
        7
    """

    def __init__(self, secret: bytes, clock: Callable[[], datetime]) -> None:
        if len(secret) < 16:
            raise ValueError("the signing secret must be at least 16 bytes")
        self._secret = secret
        self._clock = clock

    def _mac(self, purpose: str, key: int, expires: int) -> str:
        message = f"{purpose}\n{key}\n{expires}".encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def sign(self, purpose: str, key: int, ttl: timedelta) -> str:
        """A token for ``key`` that is valid for ``ttl`` from now."""
        expires = int(self._clock().timestamp() + ttl.total_seconds())
        return f"{key}.{expires}.{self._mac(purpose, key, expires)}"

    def verify(self, purpose: str, token: str) -> int:
        """The key a token was signed for.

        Raises:
            InvalidSignatureError: malformed, altered, of another purpose, or expired.
        """
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise InvalidSignatureError("malformed signed URL")
        key, expires, mac = int(match[1]), int(match[2]), match[3]
        if not hmac.compare_digest(mac, self._mac(purpose, key, expires)):
            raise InvalidSignatureError("bad signature")
        if self._clock().timestamp() > expires:
            raise InvalidSignatureError("the signed URL has expired")
        return key
