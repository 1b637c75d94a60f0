"""Who is looking at a web page: the API key in the session cookie, checked like the API's.

The login form posts an API key; a valid one is stored in an ``HttpOnly``, ``SameSite=Strict``
cookie (``Secure`` on HTTPS), so page scripts cannot read it and other sites cannot make the
browser send it. A request may instead carry an ``Authorization`` header, as API clients do.
The key is never written into a page, a redirect or an error.

State-changing requests (login, logout) are ``POST`` only and must come from the server's own
pages: an ``Origin`` (or ``Referer``) header naming another origin is refused, and logout also
needs a token only the viewer's pages hold (an HMAC of the key under the store's secret).
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from wandbkit.server.http.auth import api_key_from_authorization
from wandbkit.server.store import Store, UserRow

__all__ = [
    "COOKIE_NAME",
    "api_key_of",
    "clear_session",
    "csrf_token",
    "safe_next",
    "same_origin",
    "start_session",
    "valid_csrf",
    "viewer_of",
]

#: The session cookie's name.
COOKIE_NAME = "wandbkit_session"
#: How long the browser keeps the cookie (seconds): 30 days.
COOKIE_MAX_AGE = 30 * 24 * 3600


def api_key_of(request: Request) -> str | None:
    """The API key a request carries: its ``Authorization`` header, else the session cookie."""
    return api_key_from_authorization(request.headers.get("authorization")) or (
        request.cookies.get(COOKIE_NAME) or None
    )


def viewer_of(store: Store, request: Request) -> UserRow | None:
    """The user whose valid API key the request carries, or ``None``."""
    key = api_key_of(request)
    return store.accounts.user_for_api_key(key) if key else None


def start_session(response: Response, request: Request, api_key: str) -> None:
    """Set the session cookie holding ``api_key`` on ``response``."""
    response.set_cookie(
        COOKIE_NAME,
        api_key,
        max_age=COOKIE_MAX_AGE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_session(response: Response, request: Request) -> None:
    """Expire the session cookie."""
    response.delete_cookie(
        COOKIE_NAME,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def csrf_token(store: Store, api_key: str) -> str:
    """The logout token of the session holding ``api_key``: stable for the key, unguessable
    without the store's secret, and not the key."""
    digest = hashlib.sha256(api_key.encode("utf-8")).digest()
    return hmac.new(store.db.signing_secret, b"web-logout:" + digest, "sha256").hexdigest()


def valid_csrf(store: Store, request: Request, token: str | None) -> bool:
    """Whether ``token`` is the logout token of the request's session."""
    key = api_key_of(request)
    if not key or not token:
        return False
    # As bytes: compare_digest refuses str with non-ASCII characters (a forged token may hold any).
    expected = csrf_token(store, key).encode("ascii")
    return hmac.compare_digest(expected, token.encode("utf-8", "surrogatepass"))


def same_origin(request: Request) -> bool:
    """Whether a ``POST`` comes from this server's pages: its ``Origin`` header (else its
    ``Referer``) names the request's own origin; a request with neither is allowed (the
    ``SameSite`` cookie still guards it)."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed or claimed == "null":
        return claimed is None
    parts = urlsplit(claimed)
    own = request.url
    return (parts.scheme, parts.netloc) == (own.scheme, own.netloc)


def safe_next(target: str | None) -> str:
    """A post-login destination: a path on this server (``/demo/vision``), else ``/``.

    Absolute URLs, scheme-relative ``//host`` and backslash tricks are refused, so the login
    form cannot be used to send someone to another site.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(ch) < 32 for ch in target):
        return "/"
    return target
