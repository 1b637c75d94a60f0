"""Reading the API key from a request's ``Authorization`` header.

W&B clients send ``Basic base64("api:" + key)``; tools and curl users often send
``Bearer <key>``. Both are accepted, and the Basic username is ignored (some clients send
their username instead of ``api``).
"""

from __future__ import annotations

import base64
import binascii

from starlette.responses import JSONResponse

#: The 401 message; deliberately generic, it never repeats what the client sent.
UNAUTHORIZED_MESSAGE = (
    "authentication required: send 'Authorization: Basic base64(\"api:\" + API key)' "
    "or 'Authorization: Bearer <API key>' with a valid API key"
)


def error_response(message: str, status_code: int, **headers: str) -> JSONResponse:
    """A JSON error answer of the server's HTTP endpoints: ``{"errors": [{"message": ...}]}``."""
    return JSONResponse(
        {"errors": [{"message": message}]}, status_code=status_code, headers=headers
    )


def unauthorized_response() -> JSONResponse:
    """The 401 answer for a missing or unknown API key."""
    return error_response(
        UNAUTHORIZED_MESSAGE, 401, **{"WWW-Authenticate": 'Basic realm="wandbkit"'}
    )


def api_key_from_authorization(header: str | None) -> str | None:
    """Extract the API key from an ``Authorization`` header value.

    Returns:
        The key, or ``None`` when the header is missing, malformed or of another scheme.

    Example:
        >>> api_key_from_authorization("Bearer abc")
        'abc'
        >>> api_key_from_authorization("Basic YXBpOmFiYw==")
        'abc'
    """
    if not header:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        key = credentials
    elif scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        username, sep, password = decoded.partition(":")
        # No colon: the whole value is taken as the key, to be lenient with odd clients.
        key = password if sep else username
    else:
        return None
    return key or None
