"""Lazy public names for a package, written once: ``wandbkit``, ``wandbkit.server`` and
``wandbkit.schema_tools`` each list their public names by module and load a module only when
one of its names is first used (so ``import wandbkit`` stays cheap)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["LazyExports"]


class LazyExports:
    """A package's public names and where each lives.

    Example (at the end of a package's ``__init__.py``)::

        _EXPORTS = LazyExports(__name__, globals(), {"pkg.mod": ("Name",)})
        __all__ = _EXPORTS.all
        __getattr__ = _EXPORTS.getattr
        __dir__ = _EXPORTS.dir

    Args:
        package: the package's ``__name__`` (for the ``AttributeError`` message).
        namespace: the package's ``globals()``; a name is stored there once loaded.
        public: module -> the public names it defines.
        extra: public names the package defines itself (``__version__``).
    """

    # A plain class, not a dataclass: ``import wandbkit`` should not pay for ``dataclasses``.
    def __init__(
        self,
        package: str,
        namespace: dict[str, Any],
        public: Mapping[str, Iterable[str]],
        extra: tuple[str, ...] = (),
    ) -> None:
        self.package = package
        self.namespace = namespace
        self.extra = extra
        #: Public name -> the module it is loaded from on first use.
        self.lazy: dict[str, str] = {
            name: module for module, names in public.items() for name in names
        }

    @property
    def all(self) -> list[str]:
        """The package's ``__all__``: every public name, sorted."""
        return sorted([*self.lazy, *self.extra])

    @property
    def getattr(self) -> Callable[[str], Any]:
        """The package's module-level ``__getattr__``."""
        lazy = self.lazy

        def __getattr__(name: str) -> Any:
            module = lazy.get(name)
            if module is None:
                raise AttributeError(f"module {self.package!r} has no attribute {name!r}")
            value = getattr(importlib.import_module(module), name)
            self.namespace[name] = value
            return value

        return __getattr__

    @property
    def dir(self) -> Callable[[], list[str]]:
        """The package's module-level ``__dir__``."""
        names = self.all
        return lambda: list(names)
