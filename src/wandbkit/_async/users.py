"""Users that can manage their API keys: what ``Api.viewer``, ``Api.user``, ``Api.users`` and
``Api.create_user`` hand out (``wandb``'s ``User``).

The fields are those of :class:`wandbkit.users.User` (plain data, also what a project's owner
or a run's user is); this class adds the key management, which needs the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from wandbkit._async.context import LoaderKey
from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit.users import User as BaseUser

if TYPE_CHECKING:
    from wandbkit._async.api import AsyncApi
    from wandbkit._async.context import ClientContext, HasContext
    from wandbkit._generated.fragments import ApiKeyFields, UserFields


class ApiMaker(Protocol):
    """Makes an Api on the same server, authenticated with ``api_key`` (the Api provides it)."""

    def __call__(self, api_key: str, /) -> AsyncApi: ...


USER_API: LoaderKey[ApiMaker] = LoaderKey("Api instances for a user")


def check_email(email: object) -> str:
    """``email`` stripped, when it looks like ``name@domain``.

    Raises:
        UsageError: anything else (before any request).
    """
    text = email.strip() if isinstance(email, str) else ""
    local, at, domain = text.partition("@")
    if not at or not local or not domain or any(c.isspace() for c in text):
        raise UsageError(f"email must look like 'name@example.com', got {email!r}")
    return text


class AsyncUser(BaseUser):
    """A W&B user with their API keys; ``generate_api_key`` and ``delete_api_key`` change them.

    ``api_keys`` lists the keys' *names*, never their secrets: a key's secret is shown once,
    by ``generate_api_key``. The key list is as last loaded (admins see everyone's keys, others
    only their own).
    """

    __slots__ = ("_api_key", "_ctx", "_keys", "_user_api")

    def __init__(
        self, ctx: ClientContext, fields: UserFields, *, api_key: str | None = None
    ) -> None:
        super().__init__(fields)
        self._ctx = ctx
        #: A secret known to authenticate as this user (the Api's own, for its viewer).
        self._api_key = api_key
        self._user_api: AsyncApi | None = None
        connection = fields.api_keys
        self._keys: list[ApiKeyFields] = (
            [edge.node for edge in connection.edges if edge.node is not None]
            if connection is not None
            else []
        )

    @classmethod
    async def create(cls, api: HasContext, email: str, admin: bool = False) -> AsyncUser:
        """Create a user by e-mail address (instance admins only; ``Api.create_user`` is the
        usual way): ``User.create(api, "ada@example.com")``.

        Raises:
            UsageError: a malformed address or a non-bool ``admin`` (before any request).
            PermissionDeniedError: you are not an instance admin.
            GraphQLError: the server refused (the address is taken, ...).
        """
        ctx = api._ctx
        address = check_email(email)
        if not isinstance(admin, bool):
            raise UsageError(f"admin must be a bool, got {admin!r}")
        result = await ctx.client.create_user(email=address, admin=admin)
        user = result.create_user.user if result.create_user is not None else None
        if user is None:
            raise NotFoundError(
                f"the server created no user for {address!r}", operation_name="CreateUser"
            )
        return cls(ctx, user)

    @property
    def user_api(self) -> AsyncApi | None:
        """An ``Api`` on the same server authenticated as this user, or ``None`` when no key
        of theirs is known here (made on first use, then the same one).

        A key is known for the user the Api authenticates as (``api.viewer``, and that user
        as ``api.user``/``api.users`` find them): the Api's own. Other users' secrets are never
        sent by the server, so for them this is ``None`` (``wandb`` hands out an Api with the
        *caller's* key whichever user it is asked on; wandbkit does not pretend).
        """
        if self._user_api is None and self._api_key:
            self._user_api = self._ctx.loader(USER_API)(self._api_key)
        return self._user_api

    @property
    def api_keys(self) -> list[str]:
        """The names of the user's API keys (not their secrets), as last loaded."""
        return [key.name for key in self._keys]

    async def generate_api_key(self, description: str | None = None) -> str:
        """Make a new API key for this user and return its secret (shown only this once).

        The key is made for the user the Api authenticates as, so this works on
        ``api.viewer`` (``wandb`` silently makes the key for the caller whichever user it is
        called on; wandbkit refuses instead).

        Raises:
            UsageError: this user is not the authenticated one, or ``description`` is not a
                string.
        """
        if description is not None and not isinstance(description, str):
            raise UsageError(f"description must be a string or None, got {description!r}")
        viewer = await self._ctx.viewer()
        if viewer.id != self.id:
            raise UsageError(
                f"generate_api_key makes a key for the authenticated user "
                f"({viewer.username!r}), not for {self.username!r}; call it on api.viewer"
            )
        result = await self._ctx.client.generate_api_key(description=description)
        made = result.generate_api_key.api_key if result.generate_api_key is not None else None
        if made is None:
            raise NotFoundError("the server made no API key", operation_name="GenerateApiKey")
        self._keys.append(made)
        return made.name

    async def delete_api_key(self, api_key: str) -> bool:
        """Revoke one of the user's API keys, named as in ``api_keys`` (or by the secret
        ``generate_api_key`` returned on this object); it stops working at once.

        Returns:
            True once the server has revoked it.

        Raises:
            NotFoundError: the user has no key of that name (as last loaded), or the server
                knows it no more.
        """
        found = next((key for key in self._keys if key.name == api_key), None)
        if found is None:
            raise NotFoundError(
                f"user {self.username!r} has no API key with that name; pick one of api_keys",
                operation_name="DeleteApiKey",
            )
        result = await self._ctx.client.delete_api_key(id=found.id)
        ok = bool(result.delete_api_key and result.delete_api_key.success)
        if ok:
            self._keys.remove(found)
        return ok

    def __repr__(self) -> str:
        return f"<User {self.email or self.username or self.name!r}>"
