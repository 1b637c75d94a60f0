# Generated from src/wandbkit/_async/context.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""State shared by an Api and every object it hands out: settings, client, viewer cache."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar
from urllib.parse import urlsplit

from wandbkit._core.config import Settings
from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit.users import User

if TYPE_CHECKING:
    import httpx

    from wandbkit._generated.client import WandbClient
    from wandbkit._sync.transport import Transport


def app_url(base_url: str) -> str:
    """The web app's URL for an API base URL (``https://api.wandb.ai`` → ``https://wandb.ai``)."""
    parts = urlsplit(base_url)
    host = parts.netloc
    if host.startswith("api."):
        host = host[len("api.") :]
    return f"{parts.scheme}://{host}{parts.path}".rstrip("/")


LoaderT = TypeVar("LoaderT")


class LoaderKey(Generic[LoaderT]):
    """Names a loader a lower domain needs from a higher one (runs need artifacts, say).

    The lower domain declares the key with the loader's protocol; the Api, which sees every
    domain, provides the loader (``ctx.provide(key, loader)``); the lower domain then asks the
    context for it (``ctx.loader(key)``) and never imports the higher domain.

    Args:
        what: what the loader gives, for the error when none was provided.
    """

    def __init__(self, what: str) -> None:
        self.what = what

    def __repr__(self) -> str:
        return f"LoaderKey({self.what!r})"


def _no_viewer(operation: str) -> NotFoundError:
    return NotFoundError("the server knows no user for this API key", operation_name=operation)


class ClientContext:
    """Owns the generated client and what every domain object needs to reach the server.

    The transport and the generated client (with httpx and the pydantic models) are built on
    first use, so importing wandbkit and constructing an ``Api`` stay cheap.

    Args:
        settings: resolved configuration.
        http_client: an httpx client to send with (the caller keeps ownership).
        transport: an httpx transport for the client wandbkit creates.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self._http_client = http_client
        self._httpx_transport = transport
        self._transport: Transport | None = None
        self._client: WandbClient | None = None
        self._viewer: User | None = None
        self._default_entity: str | None = None
        self._loaders: dict[LoaderKey[Any], Any] = {}
        self._features: dict[str, bool] | None = None
        #: The organization registry names without one mean (``overrides["organization"]``).
        self.default_organization: str | None = None

    def provide(self, key: LoaderKey[LoaderT], loader: LoaderT) -> None:
        """Make ``loader`` the one ``key`` names (the Api wires its domains this way)."""
        self._loaders[key] = loader

    def loader(self, key: LoaderKey[LoaderT]) -> LoaderT:
        """The loader ``key`` names.

        Raises:
            UsageError: nothing provided it (an object built without an Api).
        """
        try:
            found: LoaderT = self._loaders[key]
        except KeyError:
            raise UsageError(f"no loader of {key.what} is wired into this client") from None
        return found

    @property
    def transport(self) -> Transport:
        """The transport every request goes through (created on first use)."""
        if self._transport is None:
            from wandbkit._sync.transport import Transport

            self._transport = Transport(
                self.settings, http_client=self._http_client, transport=self._httpx_transport
            )
        return self._transport

    @property
    def client(self) -> WandbClient:
        """The generated GraphQL client (created on first use)."""
        if self._client is None:
            from wandbkit._generated.client import WandbClient

            self._client = WandbClient(self.transport)
        return self._client

    def connection(self) -> dict[str, Any]:
        """How this context reaches the server besides the settings (the httpx client or
        transport it was given), for a second Api on the same server."""
        return {"http_client": self._http_client, "transport": self._httpx_transport}

    def forget(self) -> None:
        """Drop the cached viewer, default entity and server features."""
        self._viewer = None
        self._default_entity = None
        self._features = None

    def server_features(self) -> dict[str, bool]:
        """The server's feature flags (``serverInfo.features``), fetched once and cached."""
        if self._features is None:
            result = self.client.server_features()
            info = result.server_info
            features = info.features if info is not None else []
            self._features = {f.name: f.is_enabled for f in features if f is not None}
        return dict(self._features)

    def close(self) -> None:
        """Close the transport if one was created."""
        if self._transport is not None:
            self._transport.close()

    @property
    def app_url(self) -> str:
        """Base URL of the web app that matches the API base URL."""
        return app_url(self.settings.base_url)

    def viewer(self) -> User:
        """The authenticated user, fetched once and cached."""
        if self._viewer is None:
            result = self.client.get_viewer()
            if result.viewer is None:
                raise _no_viewer("GetViewer")
            self._viewer = User(result.viewer)
            self._default_entity = self._viewer.entity
        return self._viewer

    def default_entity(self) -> str | None:
        """The viewer's default entity, fetched once (with the light ``GetDefaultEntity``)."""
        if self._default_entity is None:
            if self._viewer is not None:
                self._default_entity = self._viewer.entity
            else:
                result = self.client.get_default_entity()
                if result.viewer is None:
                    raise _no_viewer("GetDefaultEntity")
                self._default_entity = result.viewer.entity
        return self._default_entity

    def resolve_entity(self, entity: str | None) -> str:
        """The entity to use: the given one, else settings (``WANDB_ENTITY``), else the viewer's."""
        if entity is not None:
            return entity
        if self.settings.entity is not None:
            return self.settings.entity
        default = self.default_entity()
        if not default:
            raise UsageError(
                "entity is required: pass entity=..., set WANDB_ENTITY, or give the viewer a "
                "default entity"
            )
        return default


class HasContext(Protocol):
    """What takes an ``api=`` argument needs of it: the Api's client context."""

    _ctx: ClientContext


def api_context(api: object) -> ClientContext | None:
    """The client context of ``api`` (an ``Api``), or ``None`` when ``api`` is ``None``.

    Raises:
        UsageError: ``api`` is something else than a wandbkit ``Api``.
    """
    if api is None:
        return None
    ctx = getattr(api, "_ctx", None)
    if not isinstance(ctx, ClientContext):
        raise UsageError(f"api must be a wandbkit Api, got {type(api).__name__}")
    return ctx
