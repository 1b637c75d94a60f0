"""Client settings, resolved from explicit arguments, then the environment, then ``~/.netrc``.

Resolution never prompts and never fails for a missing API key: the transport raises
:class:`~wandbkit._core.errors.AuthenticationError` on the first request instead, so that a
client can be built (and its settings inspected) without credentials.
"""

from __future__ import annotations

import math
import netrc
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import urlsplit

from wandbkit._core.errors import UsageError
from wandbkit._core.retry import RetryPolicy

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_ENTITY",
    "ENV_HTTP_TIMEOUT",
    "ENV_PROJECT",
    "ApiKeySource",
    "Settings",
    "resolve_settings",
]

DEFAULT_BASE_URL = "https://api.wandb.ai"
#: Seconds a whole request may take (each of connect/write/read/pool, in httpx's terms).
DEFAULT_TIMEOUT = 30.0
#: Re-sends after a failed first attempt; see :mod:`wandbkit._core.retry` for which failures.
DEFAULT_MAX_RETRIES = 5
#: Seconds to establish a connection; shorter than DEFAULT_TIMEOUT so a dead host fails fast.
DEFAULT_CONNECT_TIMEOUT = 10.0

ENV_API_KEY = "WANDB_API_KEY"
ENV_BASE_URL = "WANDB_BASE_URL"
ENV_ENTITY = "WANDB_ENTITY"
ENV_PROJECT = "WANDB_PROJECT"
ENV_HTTP_TIMEOUT = "WANDB_HTTP_TIMEOUT"
ENV_NETRC = "NETRC"

ApiKeySource = Literal["argument", "environment", "netrc"]


#: The keys ``settings["..."]`` reads, as ``wandb``'s ``api.settings`` dict has them (the API
#: key is not among them).
SETTINGS_KEYS = ("base_url", "entity", "project", "timeout")


@dataclass(frozen=True)
class Settings(Mapping[str, object]):
    """Everything the transport needs to reach the server; immutable once built.

    Prefer :func:`resolve_settings`, which also reads the environment and ``~/.netrc``.
    Constructing directly validates the values the same way. It also reads like ``wandb``'s
    ``api.settings`` dict: ``settings["entity"]``, ``settings.get("project")``, ``dict(settings)``
    (the keys of :data:`SETTINGS_KEYS`; never the API key).

    Attributes:
        base_url: the server's root URL, without a trailing slash.
        api_key: the API key, or ``None`` (the first request then fails). Never in the repr.
        entity: default entity (user or team) for calls that need one.
        project: default project for calls that need one.
        timeout: seconds a request may take.
        max_retries: re-sends after a failed attempt; overrides ``retry.max_retries``.
        retry: the retry policy (its ``max_retries`` always equals ``max_retries``).
        api_key_source: where ``api_key`` came from, or ``None`` when there is none.
    """

    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = field(default=None, repr=False)
    entity: str | None = None
    project: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    api_key_source: ApiKeySource | None = None

    def __post_init__(self) -> None:
        # Frozen dataclass: normalized values are written with object.__setattr__.
        object.__setattr__(self, "base_url", _check_base_url(self.base_url, "base_url"))
        _check_api_key(self.api_key, "api_key")
        _check_name(self.entity, "entity")
        _check_name(self.project, "project")
        object.__setattr__(self, "timeout", _check_timeout(self.timeout, "timeout"))
        _check_max_retries(self.max_retries)
        if self.retry.max_retries != self.max_retries:
            # One knob for users (max_retries); the policy carries the rest.
            object.__setattr__(self, "retry", replace(self.retry, max_retries=self.max_retries))

    def __repr__(self) -> str:
        key = "'***'" if self.api_key is not None else "None"
        return (
            f"Settings(base_url={self.base_url!r}, api_key={key}, entity={self.entity!r}, "
            f"project={self.project!r}, timeout={self.timeout!r}, "
            f"max_retries={self.max_retries!r}, retry={self.retry!r}, "
            f"api_key_source={self.api_key_source!r})"
        )

    def __getitem__(self, key: str) -> object:
        if key not in SETTINGS_KEYS:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(SETTINGS_KEYS)

    def __len__(self) -> int:
        return len(SETTINGS_KEYS)

    @property
    def graphql_url(self) -> str:
        """The GraphQL endpoint, ``{base_url}/graphql``."""
        return f"{self.base_url}/graphql"

    @property
    def host(self) -> str:
        """``host`` or ``host:port`` of ``base_url`` (the port only when written in it)."""
        host, port = _host_and_port(self.base_url)
        return f"{host}:{port}" if port is not None else host


def _host_and_port(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    hostname = parts.hostname or ""
    if ":" in hostname:
        # IPv6 literals keep their brackets so that a port can follow.
        hostname = f"[{hostname}]"
    return hostname, parts.port


def _check_base_url(value: object, origin: str) -> str:
    if isinstance(value, str):
        url = value.strip().rstrip("/")
        try:
            parts = urlsplit(url)
            _ = parts.port  # raises ValueError for a malformed or out-of-range port
        except ValueError:
            parts = None
        if (
            parts is not None
            and parts.scheme in ("http", "https")
            and parts.hostname
            and not parts.query
            and not parts.fragment
        ):
            if parts.username is not None or parts.password is not None:
                # Credentials in the URL would end up in reprs and logs; keys go in api_key.
                raise UsageError(
                    f"{origin} must not contain credentials; pass the key as api_key instead"
                )
            return url
    raise UsageError(f"{origin} must be an http(s) URL like 'https://api.wandb.ai', got {value!r}")


def _check_api_key(value: object, origin: str) -> None:
    if value is None:
        return
    # Never echo the value: a near-miss key is still a secret.
    if not isinstance(value, str):
        raise UsageError(f"{origin} must be a string, got a {type(value).__name__}")
    if not value:
        raise UsageError(f"{origin} must be a non-empty string")
    if any(char.isspace() for char in value):
        raise UsageError(f"{origin} must not contain whitespace")


def _check_name(value: object, origin: str) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{origin} must be a non-empty string or None, got {value!r}")


def _check_timeout(value: object, origin: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
        raise UsageError(f"{origin} must be a positive number of seconds, got {value!r}")
    return float(value)


def _check_max_retries(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UsageError(f"max_retries must be an int >= 0, got {value!r}")


def _env(environ: Mapping[str, str], name: str) -> str | None:
    # Empty (or blank) counts as unset: `export WANDB_ENTITY=` is how shells clear a variable.
    value = environ.get(name, "").strip()
    return value or None


def _parse_env_timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise UsageError(
            f"{ENV_HTTP_TIMEOUT} must be a positive number of seconds like '30', got {text!r}"
        )
    return value


def _netrc_key(path: str, base_url: str) -> str | None:
    try:
        entries = netrc.netrc(path)
    except FileNotFoundError:
        return None
    except netrc.NetrcParseError as exc:
        # Only the file name and line: the content may hold passwords.
        raise UsageError(
            f"netrc file {path!r} is malformed (line {exc.lineno}); fix it or set {ENV_API_KEY}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"netrc file {path!r} could not be read ({type(exc).__name__}); "
            f"fix it or set {ENV_API_KEY}"
        ) from None
    host, port = _host_and_port(base_url)
    machines = [f"{host}:{port}", host] if port is not None else [host]
    for machine in machines:
        # entries.hosts rather than authenticators(): the latter falls back to the `default`
        # entry, which holds a credential for some other service, not a W&B key.
        entry = entries.hosts.get(machine)
        if entry is not None and entry[2]:
            return entry[2]
    return None


def resolve_settings(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    entity: str | None = None,
    project: str | None = None,
    timeout: float | None = None,
    max_retries: int | None = None,
    environ: Mapping[str, str] | None = None,
    netrc_path: str | os.PathLike[str] | None = None,
) -> Settings:
    """Resolve settings: explicit arguments, then environment variables, then ``~/.netrc``.

    Environment variables: ``WANDB_API_KEY``, ``WANDB_BASE_URL``, ``WANDB_ENTITY``,
    ``WANDB_PROJECT``, ``WANDB_HTTP_TIMEOUT`` (empty or blank values count as unset;
    surrounding whitespace is ignored). When neither gives a key, the netrc file (``$NETRC``,
    else ``~/.netrc``) is searched for ``machine <host>:<port>`` (when the base URL has a port)
    and then ``machine <host>``; its ``password`` is the key. The netrc ``default`` entry is
    ignored.

    Args:
        api_key: the W&B API key.
        base_url: the server's root URL; defaults to ``https://api.wandb.ai``.
        entity: default entity.
        project: default project.
        timeout: seconds a request may take; defaults to 30.
        max_retries: re-sends after a failed attempt; defaults to 5.
        environ: the environment to read; defaults to ``os.environ``.
        netrc_path: the netrc file; defaults to ``$NETRC``, else ``~/.netrc``.

    Returns:
        The validated settings. ``api_key`` is ``None`` when none was found: that is not an
        error until the first request.

    Raises:
        UsageError: a value is malformed (the message names the argument or variable and the
            expected form, but never repeats a key), or the netrc file cannot be parsed.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ

    if base_url is not None:
        resolved_url = _check_base_url(base_url, "base_url")
    elif (env_url := _env(env, ENV_BASE_URL)) is not None:
        resolved_url = _check_base_url(env_url, ENV_BASE_URL)
    else:
        resolved_url = DEFAULT_BASE_URL

    key: str | None
    source: ApiKeySource | None
    if api_key is not None:
        _check_api_key(api_key, "api_key")
        key, source = api_key, "argument"
    elif (env_key := _env(env, ENV_API_KEY)) is not None:
        _check_api_key(env_key, ENV_API_KEY)
        key, source = env_key, "environment"
    else:
        if netrc_path is not None:
            path = os.fspath(netrc_path)
        else:
            path = _env(env, ENV_NETRC) or os.path.join(os.path.expanduser("~"), ".netrc")
        key = _netrc_key(path, resolved_url)
        if key is not None:
            _check_api_key(key, f"the password for {_host_and_port(resolved_url)[0]} in {path}")
        source = "netrc" if key is not None else None

    if timeout is not None:
        resolved_timeout = _check_timeout(timeout, "timeout")
    elif (env_timeout := _env(env, ENV_HTTP_TIMEOUT)) is not None:
        resolved_timeout = _parse_env_timeout(env_timeout)
    else:
        resolved_timeout = DEFAULT_TIMEOUT

    resolved_retries = DEFAULT_MAX_RETRIES if max_retries is None else max_retries
    _check_max_retries(resolved_retries)

    resolved_entity = entity if entity is not None else _env(env, ENV_ENTITY)
    resolved_project = project if project is not None else _env(env, ENV_PROJECT)

    return Settings(
        base_url=resolved_url,
        api_key=key,
        entity=resolved_entity,
        project=resolved_project,
        timeout=resolved_timeout,
        max_retries=resolved_retries,
        retry=RetryPolicy(max_retries=resolved_retries),
        api_key_source=source,
    )
