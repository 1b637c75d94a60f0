"""The file bundle: many small artifact files in one HTTP response, written once for the local
server (which answers it) and the client (which asks for it when the server is wandbkit's).

W&B hands out one signed URL per file, and a download of 1,000 small files is then 1,000
requests, each costing more in HTTP handling on both ends than its bytes. wandbkit's server
also answers ``POST /signed/artifact-file-bundle`` with a JSON body ``{"tokens": [...]}``: the
tokens of signed file URLs (``/signed/artifact-files/<token>``), each of which authorizes its
own file exactly as the URL would (no API key is sent or needed). The answer is, for each token
in order, a header line ``<status> <length>\\n`` and then ``length`` bytes: the file's bytes
when ``status`` is 200, else a UTF-8 message (403 for a bad or expired token, 404 for a file
that is gone).

The client treats a bundle as an optimization only: whatever a bundle does not deliver intact
(a request that fails, a non-200 item, a size or md5 that does not match) is fetched again
through its own signed URL, with the usual retries and errors. Against a server without the
route (W&B's URLs point to cloud storage, so the path never matches) nothing changes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = [
    "BUNDLE_MEDIA_TYPE",
    "MAX_BUNDLE_TOKENS",
    "MAX_REQUEST_BYTES",
    "SIGNED_ARTIFACT_BUNDLE_PATH",
    "SIGNED_ARTIFACT_FILE_PATH",
    "BundleDecoder",
    "BundleError",
    "BundlePart",
    "BundleTooLargeError",
    "bundle_target",
    "decode_request",
    "encode_request",
    "item_header",
]

#: The signed URL path of one artifact file (``File.directUrl``): ``<path>/<token>``.
SIGNED_ARTIFACT_FILE_PATH = "/signed/artifact-files"
#: The bundle route (``POST``).
SIGNED_ARTIFACT_BUNDLE_PATH = "/signed/artifact-file-bundle"
#: The media type of a bundle answer.
BUNDLE_MEDIA_TYPE = "application/x-wandbkit-file-bundle"
#: At most this many tokens per bundle request (the server refuses more with a 413).
MAX_BUNDLE_TOKENS = 1000
#: The largest request body the server reads (1,000 tokens of 80 characters fit easily).
MAX_REQUEST_BYTES = 256 * 1024

#: A token as the server signs them (``signing._TOKEN``): checked here so that a URL that only
#: looks like ours is never bundled.
_TOKEN = re.compile(r"[0-9]{1,19}\.[0-9]{1,19}\.[A-Za-z0-9_-]{43}", re.ASCII)
_URL = re.compile(
    r"(https?://[^/?#]+(?:/[^?#]*)?)" + re.escape(SIGNED_ARTIFACT_FILE_PATH) + r"/([^/?#]+)",
    re.ASCII,
)
#: ``<status> <length>\n``: a 3-digit status and at most 19 digits of length.
_HEADER = re.compile(rb"([1-5][0-9]{2}) ([0-9]{1,19})\n")
_MAX_HEADER = 32


class BundleError(ValueError):
    """A bundle request or answer that does not follow the format."""


class BundleTooLargeError(BundleError):
    """A bundle request with too many tokens or too long a body."""


def bundle_target(url: str) -> tuple[str, str] | None:
    """``(bundle URL, token)`` for a signed artifact file URL of wandbkit's server, else None.

    Example:
        >>> bundle_target("http://h:1/signed/artifact-files/1.2." + "a" * 43)[0]
        'http://h:1/signed/artifact-file-bundle'
        >>> bundle_target("https://storage.example.com/bucket/obj?sig=1") is None
        True
    """
    match = _URL.fullmatch(url)
    if match is None or _TOKEN.fullmatch(match[2]) is None:
        return None
    return match[1] + SIGNED_ARTIFACT_BUNDLE_PATH, match[2]


def encode_request(tokens: Sequence[str]) -> bytes:
    """The request body for ``tokens``."""
    return json.dumps({"tokens": list(tokens)}, separators=(",", ":")).encode()


def decode_request(body: bytes) -> list[str]:
    """The tokens of a request body.

    Raises:
        BundleError: not ``{"tokens": [<string>, ...]}``, empty, or too many tokens.
    """
    if len(body) > MAX_REQUEST_BYTES:
        raise BundleTooLargeError(f"a bundle request may be at most {MAX_REQUEST_BYTES} bytes")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BundleError("the bundle request is not JSON") from None
    tokens = document.get("tokens") if isinstance(document, dict) else None
    if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
        raise BundleError('the bundle request must be {"tokens": [<string>, ...]}')
    if not tokens:
        raise BundleError("the bundle request names no tokens")
    if len(tokens) > MAX_BUNDLE_TOKENS:
        raise BundleTooLargeError(f"a bundle request may name at most {MAX_BUNDLE_TOKENS} tokens")
    return tokens


def item_header(status: int, length: int) -> bytes:
    """The header line of one item of a bundle answer."""
    return b"%d %d\n" % (status, length)


@dataclass(frozen=True)
class BundlePart:
    """A piece of one item of a bundle answer.

    Attributes:
        index: which token of the request it answers.
        status: the item's status (200: ``data`` are file bytes).
        data: the next bytes of the item (possibly empty).
        last: whether the item ends with this piece.
    """

    index: int
    status: int
    data: bytes
    last: bool


class BundleDecoder:
    """Splits a bundle answer, fed in arbitrary chunks, into :class:`BundlePart` pieces.

    Args:
        count: how many items the answer must hold (the number of tokens asked for).
    """

    def __init__(self, count: int) -> None:
        self._count = count
        self._index = 0
        self._status = 0
        self._left = -1  # bytes of the current item still to come; -1: a header is next
        self._header = b""

    @property
    def complete(self) -> bool:
        """Whether every item has ended."""
        return self._index >= self._count and self._left < 0

    def feed(self, chunk: bytes) -> Iterator[BundlePart]:
        """The pieces ``chunk`` completes or continues.

        Raises:
            BundleError: a malformed header, or bytes past the last item.
        """
        view = memoryview(chunk)
        while view:
            if self._left < 0:
                if self._index >= self._count:
                    raise BundleError("the bundle answer goes on past its last item")
                end = bytes(view[:_MAX_HEADER]).find(b"\n")
                if end < 0:
                    self._header += bytes(view)
                    if len(self._header) > _MAX_HEADER:
                        raise BundleError("a bundle item header is too long")
                    return
                header = self._header + bytes(view[: end + 1])
                view = view[end + 1 :]
                self._header = b""
                match = _HEADER.fullmatch(header)
                if match is None:
                    raise BundleError(f"malformed bundle item header {header[:_MAX_HEADER]!r}")
                self._status, self._left = int(match[1]), int(match[2])
                if self._left == 0:
                    yield from self._end(b"")
                continue
            piece = bytes(view[: self._left])
            view = view[len(piece) :]
            self._left -= len(piece)
            if self._left == 0:
                yield from self._end(piece)
            else:
                yield BundlePart(self._index, self._status, piece, last=False)

    def _end(self, piece: bytes) -> Iterator[BundlePart]:
        part = BundlePart(self._index, self._status, piece, last=True)
        self._index += 1
        self._left = -1
        yield part
