# Generated from src/wandbkit/_async/users_api.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""The users methods of the Api: the viewer, finding and creating users (instance admins)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wandbkit._core.errors import UsageError
from wandbkit._core.flavor_sync import MaybeAwaitable
from wandbkit._sync.users import User

if TYPE_CHECKING:
    from wandbkit._sync.context import ClientContext


def _check_query(username_or_email: object) -> str:
    if not isinstance(username_or_email, str) or not username_or_email.strip():
        raise UsageError(
            "username_or_email must be a (part of a) username or an e-mail address, "
            f"got {username_or_email!r}"
        )
    return username_or_email.strip()


class UsersMethods:
    """The Api's users methods (a part of ``Api``, which supplies the context)."""

    _ctx: ClientContext

    def get_viewer(self) -> User:
        """Fetch (once, then cached) the user the API key belongs to."""
        viewer = self._ctx.viewer()
        return User(self._ctx, viewer._fields, api_key=self._ctx.settings.api_key)

    @property
    def viewer(self) -> MaybeAwaitable[User]:
        """The authenticated user (``await api.viewer`` with ``AsyncApi``)."""
        return self.get_viewer()

    def get_default_entity(self) -> str | None:
        """Fetch (once, then cached) the viewer's default entity."""
        return self._ctx.default_entity()

    @property
    def default_entity(self) -> MaybeAwaitable[str | None]:
        """The viewer's default entity (``await api.default_entity`` with ``AsyncApi``)."""
        return self.get_default_entity()

    def users(self, username_or_email: str) -> list[User]:
        """Every user whose username, e-mail address or name contains ``username_or_email``
        (instance admins only).

        Raises:
            UsageError: an empty query (before any request).
            PermissionDeniedError: you are not an instance admin (the server says why).
        """
        query = _check_query(username_or_email)
        result = self._ctx.client.search_users(query=query)
        found = result.users.edges if result.users is not None else []
        # The Api's own key authenticates as its viewer: that user's ``user_api`` can use it.
        me = (self._ctx.viewer()).id if found else None
        return [
            User(
                self._ctx,
                edge.node,
                api_key=self._ctx.settings.api_key if edge.node.id == me else None,
            )
            for edge in found
            if edge.node is not None
        ]

    def user(self, username_or_email: str) -> User | None:
        """The first user ``users(username_or_email)`` finds, or ``None`` (instance admins
        only). An exact username or address match wins over partial ones.

        Raises:
            UsageError: an empty query (before any request).
            PermissionDeniedError: you are not an instance admin.
        """
        found = self.users(username_or_email)
        wanted = username_or_email.strip().lower()
        exact = [
            u for u in found if wanted in ((u.username or "").lower(), (u.email or "").lower())
        ]
        best = exact or found
        return best[0] if best else None

    def create_user(self, email: str, admin: bool = False) -> User:
        """Create a user by e-mail address, optionally an instance admin (instance admins
        only); the username is made from the address.

        Raises:
            UsageError: a malformed address (before any request).
            PermissionDeniedError: you are not an instance admin.
            GraphQLError: the server refused (a user has this address already, ...).
        """
        return User.create(self, email, admin)
