"""What every data command shares: the connection options, the library client built from
them, and the rule that turns an exception into one readable line and an exit status.

Exit statuses: 0 ok, 1 an error (the server refused, something is missing, a file could not
be written), 2 a usage error (a bad argument, caught before any request), 130 interrupted.
"""

from __future__ import annotations

import functools
import io
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from rich.console import Console

    import wandbkit

__all__ = [
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_USAGE",
    "Session",
    "connection_options",
    "err_console",
    "fail",
    "handle_errors",
    "json_object",
    "limited",
    "out_console",
    "session",
    "split_path",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


@dataclass
class Session:
    """The connection options of one invocation (``ctx.obj``), from any level of the command.

    ``None`` means "not given": the library then reads the environment and ``~/.netrc``
    (``WANDB_BASE_URL``, ``WANDB_API_KEY``, ``WANDB_HTTP_TIMEOUT``), exactly as ``Api()`` does.
    """

    base_url: str | None = None
    api_key: str | None = None
    timeout: float | None = None
    debug: bool = False

    def api(self) -> wandbkit.Api:
        """A synchronous client with these settings (no request is sent yet)."""
        import wandbkit

        return wandbkit.Api(api_key=self.api_key, base_url=self.base_url, timeout=self.timeout)

    def async_api(self, *, max_retries: int | None = None) -> wandbkit.AsyncApi:
        """An asyncio client with these settings (no request is sent yet)."""
        import wandbkit

        return wandbkit.AsyncApi(
            api_key=self.api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=max_retries,
        )


def session(ctx: click.Context) -> Session:
    """The invocation's :class:`Session` (created on first use)."""
    return ctx.ensure_object(Session)


def _store(field: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _: click.Parameter, value: Any) -> None:
        # Given at the group and at the command: the command's (later) value wins.
        if value is not None and value is not False:
            setattr(session(ctx), field, value)

    return callback


def connection_options(command: F) -> F:
    """Add ``--base-url``, ``--api-key``, ``--timeout`` and ``--debug`` to a command.

    They are accepted before the command name too (``wandbkit --base-url URL runs ...``).
    """
    options = [
        click.option(
            "--base-url",
            metavar="URL",
            expose_value=False,
            callback=_store("base_url"),
            help="Server URL (default: WANDB_BASE_URL, else https://api.wandb.ai).",
        ),
        click.option(
            "--api-key",
            metavar="KEY",
            expose_value=False,
            callback=_store("api_key"),
            help="API key (default: WANDB_API_KEY, then ~/.netrc).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            metavar="SECONDS",
            expose_value=False,
            callback=_store("timeout"),
            help="Seconds a request may take (default: WANDB_HTTP_TIMEOUT, else 30).",
        ),
        click.option(
            "--debug",
            is_flag=True,
            default=False,
            expose_value=False,
            callback=_store("debug"),
            help="Show the traceback of an error.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def out_console() -> Console:
    """A rich console on standard output (looked up at each write, so tests can capture)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def err_console() -> Console:
    """A rich console on standard error, for progress bars and notes."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def describe(exc: BaseException, base_url: str | None) -> tuple[str, int]:
    """The one line that says what went wrong and what to fix, and the exit status."""
    from wandbkit.errors import (
        APIConnectionError,
        AuthenticationError,
        PermissionDeniedError,
        UsageError,
        WandbkitError,
    )

    where = base_url or "the server (WANDB_BASE_URL)"
    if isinstance(exc, UsageError):
        return _one_line(str(exc)), EXIT_USAGE
    if isinstance(exc, AuthenticationError):
        return (
            _one_line(f"{exc}; set WANDB_API_KEY, add the host to ~/.netrc, or pass --api-key"),
            EXIT_ERROR,
        )
    if isinstance(exc, PermissionDeniedError):
        return _one_line(f"{exc}; the API key in use may not read this"), EXIT_ERROR
    if isinstance(exc, APIConnectionError):
        return (
            _one_line(f"cannot reach {where}: {exc}; check --base-url or WANDB_BASE_URL"),
            EXIT_ERROR,
        )
    if isinstance(exc, WandbkitError):
        return _one_line(str(exc)), EXIT_ERROR
    if isinstance(exc, OSError):
        name = f"{exc.filename}: " if exc.filename else ""
        return _one_line(f"{name}{exc.strerror or exc}"), EXIT_ERROR
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", EXIT_INTERRUPTED
    return _one_line(f"unexpected {type(exc).__name__}: {exc} (rerun with --debug)"), EXIT_ERROR


def fail(message: str, code: int = EXIT_ERROR) -> click.exceptions.Exit:
    """Print ``wandbkit: error: message`` on stderr; the exception that exits with ``code``."""
    click.echo(f"wandbkit: error: {message}", err=True)
    return click.exceptions.Exit(code)


def _silence_stdout() -> None:
    # Python flushes stdout at exit and would report the broken pipe again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def handle_errors(command: F) -> F:
    """Turn what ``command`` raises into one line on stderr and an exit status.

    Click's own usage errors pass through (Click prints them, status 2). With ``--debug`` the
    traceback is printed too.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            # The reader went away (`wandbkit history ... | head`): stop quietly.
            _silence_stdout()
            raise click.exceptions.Exit(EXIT_ERROR) from None
        except (Exception, KeyboardInterrupt) as exc:
            ctx = click.get_current_context(silent=True)
            state = ctx.find_object(Session) if ctx is not None else None
            if state is not None and state.debug:
                traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
            message, code = describe(exc, state.base_url if state is not None else None)
            if code == EXIT_USAGE and ctx is not None:
                message += f" (see '{ctx.command_path} --help')"
            raise fail(message, code) from None

    return wrapper  # type: ignore[return-value]


def json_object(text: str | None, hint: str, example: str) -> dict[str, Any] | None:
    """The JSON object an option holds (``None`` when not given).

    Raises:
        click.BadParameter: not JSON, or JSON that is not an object (``example`` shows one).
    """
    import json

    if text is None:
        return None
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint=hint) from None
    if not isinstance(parsed, dict):
        raise click.BadParameter(f"must be a JSON object like '{example}'", param_hint=hint)
    return parsed


def split_path(text: str, forms: tuple[int, ...], metavar: str) -> list[str]:
    """``text`` split on ``/`` into one of the allowed numbers of segments.

    Raises:
        click.BadParameter: another number of segments, or an empty one.
    """
    parts = text.strip().strip("/").split("/")
    if len(parts) not in forms or not all(parts):
        raise click.BadParameter(f"{text!r} must be {metavar}", param_hint=metavar)
    return parts


def limited(items: Iterable[T], limit: int | None) -> Iterator[T]:
    """The first ``limit`` of ``items`` (all with ``None``), read no further than needed."""
    for index, item in enumerate(items):
        if limit is not None and index >= limit:
            return
        yield item
