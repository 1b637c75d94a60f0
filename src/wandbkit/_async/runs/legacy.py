"""The names ``wandb``'s ``Run`` has for values ``Run`` also gives under its own names."""

from __future__ import annotations

import warnings


class AsyncRunLegacyNames:
    """``username`` and ``project_internal_id`` (a part of ``Run``, which supplies
    ``entity`` and ``project_id``)."""

    entity: str

    @property
    def project_id(self) -> str:
        """The server's id of the run's project (``Run`` supplies it)."""
        raise NotImplementedError

    @property
    def username(self) -> str:
        """Deprecated in ``wandb`` (which warns): the run's entity."""
        warnings.warn(
            "Run.username is deprecated; use Run.entity", DeprecationWarning, stacklevel=2
        )
        return self.entity

    @property
    def project_internal_id(self) -> int | None:
        """The internal id of the run's project, an int (``None`` if the server's id is not
        a number), as ``wandb`` documents it."""
        value = self.project_id
        return int(value) if isinstance(value, str) and value.isdigit() else None
