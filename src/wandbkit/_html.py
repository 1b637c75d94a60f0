"""HTML views (notebook embeds and summaries), rendered from the package's jinja2 templates,
and :class:`Explorable`, what every public object shares for interactive use: a clean
``dir()`` and a ``_repr_html_``."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import jinja2


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("wandbkit", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **values: Any) -> str:
    """Render one of ``wandbkit/templates/`` with ``values``."""
    return _environment().get_template(template).render(**values).strip()


def display_html(html: str, what: str) -> bool:
    """Show ``html`` in the running Jupyter notebook, as ``wandb``'s ``display()`` does.

    Returns:
        True once shown; False outside a notebook (IPython absent, or no kernel), after a
        warning that names ``what`` could not be shown.
    """
    import importlib
    import warnings

    try:
        ipython = importlib.import_module("IPython")
        ipython_display = importlib.import_module("IPython.display")
    except ImportError:
        ipython = None
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or "IPKernelApp" not in getattr(shell, "config", {}):
        warnings.warn(f"{what}.display() shows HTML only in a Jupyter notebook", stacklevel=3)
        return False
    ipython_display.display(ipython_display.HTML(html))
    return True


class HtmlSummary(NamedTuple):
    """What an object's notebook summary shows: its kind, a title (its path), a link to its
    page when it has one, and its key fields."""

    kind: str
    title: str
    fields: Mapping[str, Any] = {}
    url: str | None = None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Explorable) and not isinstance(value, enum.Enum):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(dict(value), default=str, sort_keys=True)
    return str(value)


def summary_html(summary: HtmlSummary) -> str:
    """``summary`` as a small HTML table (every value escaped; only http(s) links)."""
    url = summary.url if summary.url and summary.url.startswith(("http://", "https://")) else None
    fields = [(key, _text(value)) for key, value in summary.fields.items() if value is not None]
    return render("summary.html.j2", kind=summary.kind, title=summary.title, url=url, fields=fields)


class Explorable:
    """For interactive use: ``dir()`` lists the public attributes (properties, methods and
    attributes without a leading underscore), not internals; ``_repr_html_`` shows
    :meth:`_html_summary` as a small table in a notebook. Never shows the API key."""

    __slots__ = ()

    def __dir__(self) -> list[str]:
        names: set[str] = set()
        for klass in type(self).__mro__:
            names.update(vars(klass))
        names.update(getattr(self, "__dict__", {}))
        return sorted(name for name in names if not name.startswith("_"))

    def _html_summary(self) -> HtmlSummary:
        """The kind, title, fields and link the notebook view shows (default: the repr, and
        for a dataclass the fields its repr names)."""
        import dataclasses

        fields: dict[str, Any] = {}
        if dataclasses.is_dataclass(self):
            fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.repr}
        return HtmlSummary(type(self).__name__.removeprefix("Async"), repr(self), fields)

    def _repr_html_(self) -> str:
        return summary_html(self._html_summary())


class Displayable(Explorable):
    """What ``wandb``'s ``Attrs`` gives every object it hands out: ``to_html`` and
    ``display`` (here the notebook summary table, where ``wandb``'s base returns ``None``),
    and ``snake_to_camel``. Objects with a page of their own (runs, reports, ...) override
    ``to_html``/``display`` to embed it."""

    __slots__ = ()

    def snake_to_camel(self, string: str) -> str:
        """``"created_at"`` → ``"createdAt"``: a field's name as the server spells it."""
        camel = "".join(part.title() for part in string.split("_"))
        return camel[:1].lower() + camel[1:]

    def to_html(self, height: int = 420, hidden: bool = False) -> str:
        """The object's summary as a small HTML table (``hidden`` adds ``display:none``;
        ``height`` is accepted like the embeds' and unused by a table)."""
        if isinstance(height, bool) or not isinstance(height, int) or height <= 0:
            from wandbkit._core.errors import UsageError

            raise UsageError(f"height must be a positive int of pixels, got {height!r}")
        table = summary_html(self._html_summary())
        return f'<div style="display:none">{table}</div>' if hidden else table

    def display(self, height: int = 420, hidden: bool = False) -> bool:
        """Show :meth:`to_html` in a Jupyter notebook; False (with a warning) elsewhere."""
        return display_html(self.to_html(height, hidden), type(self).__name__.removeprefix("Async"))
