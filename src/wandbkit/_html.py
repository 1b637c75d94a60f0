"""HTML views (notebook embeds), rendered from the package's jinja2 templates."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

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
