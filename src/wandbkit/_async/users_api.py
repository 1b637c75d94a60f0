"""The users methods of the Api: the viewer, finding and creating users (instance admins)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wandbkit._async.users import AsyncUser
from wandbkit._core.errors import UsageError
from wandbkit._core.flavor_async import MaybeAwaitable

if TYPE_CHECKING:
    from wandbkit._async.context import ClientContext


def _check_query(username_or_email: object) -> str:
    if not isinstance(username_or_email, str) or not username_or_email.strip():
        raise UsageError(
            "username_or_email must be a (part of a) username or an e-mail address, "
            f"got {username_or_email!r}"
        )
    return username_or_email.strip()


class AsyncUsersMethods:
    """The Api's users methods (a part of ``Api``, which supplies the context)."""

    _ctx: ClientContext

    async def get_viewer(self) -> AsyncUser:
        """Fetch (once, then cached) the user the API key belongs to."""
        viewer = await self._ctx.viewer()
        return AsyncUser(self._ctx, viewer._fields, api_key=self._ctx.settings.api_key)

    @property
    def viewer(self) -> MaybeAwaitable[AsyncUser]:
        """The authenticated user (``await api.viewer`` with ``AsyncApi``)."""
        return self.get_viewer()

    async def get_default_entity(self) -> str | None:
        """Fetch (once, then cached) the viewer's default entity."""
        return await self._ctx.default_entity()

    @property
    def default_entity(self) -> MaybeAwaitable[str | None]:
        """The viewer's default entity (``await api.default_entity`` with ``AsyncApi``)."""
        return self.get_default_entity()

    async def users(self, username_or_email: str) -> list[AsyncUser]:
        """Every user whose username, e-mail address or name contains ``username_or_email``
        (instance admins only).

        Raises:
            UsageError: an empty query (before any request).
            PermissionDeniedError: you are not an instance admin (the server says why).
        """
        query = _check_query(username_or_email)
        result = await self._ctx.client.search_users(query=query)
        found = result.users.edges if result.users is not None else []
        # The Api's own key authenticates as its viewer: that user's ``user_api`` can use it.
        me = (await self._ctx.viewer()).id if found else None
        return [
            AsyncUser(
                self._ctx,
                edge.node,
                api_key=self._ctx.settings.api_key if edge.node.id == me else None,
            )
            for edge in found
            if edge.node is not None
        ]

    async def user(self, username_or_email: str) -> AsyncUser | None:
        """The first user ``users(username_or_email)`` finds, or ``None`` (instance admins
        only). An exact username or address match wins over partial ones.

        Raises:
            UsageError: an empty query (before any request).
            PermissionDeniedError: you are not an instance admin.
        """
        found = await self.users(username_or_email)
        wanted = username_or_email.strip().lower()
        exact = [
            u for u in found if wanted in ((u.username or "").lower(), (u.email or "").lower())
        ]
        best = exact or found
        return best[0] if best else None

    async def create_user(self, email: str, admin: bool = False) -> AsyncUser:
        """Create a user by e-mail address, optionally an instance admin (instance admins
        only); the username is made from the address.

        Raises:
            UsageError: a malformed address (before any request).
            PermissionDeniedError: you are not an instance admin.
            GraphQLError: the server refused (a user has this address already, ...).
        """
        return await AsyncUser.create(self, email, admin)
