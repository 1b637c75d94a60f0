"""The path parser shared by everything that takes a W&B path.

W&B names things by slash paths: ``entity/project``, ``entity/project/run_id``, and the
app URLs people copy from a browser (``https://wandb.ai/entity/project/runs/run_id``). The
parser is pure: it never asks the server, and missing parts stay ``None`` for the caller to
fill from its defaults (settings, then the viewer's default entity).

Examples:
    >>> parse_path("my-team/my-project/runs/abc123")
    WandbPath(kind='run', entity='my-team', project='my-project', id='abc123')
    >>> parse_path("my-project")
    WandbPath(kind='project', entity=None, project='my-project', id=None)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from wandbkit._core.errors import UsageError
from wandbkit._lang.artifact_names import (
    ArtifactName,
    ArtifactNameError,
    parse_artifact_name,
    parse_collection_name,
)
from wandbkit._lang.names import MAX_NAME_LENGTH, NameFault, name_fault

PathKind = Literal["project", "run", "sweep", "report"]

_KIND_SEGMENTS: dict[str, PathKind] = {"runs": "run", "sweeps": "sweep", "reports": "report"}

PROJECT_FORMS = "'project' or 'entity/project'"
RUN_FORMS = "'run_id', 'project/run_id', 'entity/project/run_id' or 'entity/project/runs/run_id'"
SWEEP_FORMS = (
    "'sweep_id', 'project/sweep_id', 'entity/project/sweep_id' or 'entity/project/sweeps/sweep_id'"
)


@dataclass(frozen=True)
class WandbPath:
    """A parsed W&B path: what it names and the parts it gives.

    Attributes:
        kind: what the path names: ``project``, ``run``, ``sweep`` or ``report``.
        entity: the owning user or team, or ``None`` when the path leaves it out.
        project: the project name, or ``None`` when the path leaves it out.
        id: the run id, sweep id or report id; ``None`` for a project path.
    """

    kind: PathKind
    entity: str | None
    project: str | None
    id: str | None = None


def _segments(path: object, argument: str, forms: str) -> list[str]:
    if not isinstance(path, str):
        raise UsageError(f"{argument} must be a string like {forms}, got {type(path).__name__}")
    text = path.strip()
    if "://" in text:
        text = urlsplit(text).path
    text = text.split("?", 1)[0].split("#", 1)[0]
    parts = [unquote(p) for p in text.strip("/").split("/")] if text.strip("/") else []
    if not parts or any(p == "" for p in parts):
        raise UsageError(f"{argument} must look like {forms}, got {path!r}")
    return parts


def _check_name(value: str, what: str, path: str, argument: str) -> str:
    # The names in a path follow the server's one name rule (wandbkit._lang.names).
    fault = name_fault(value)
    if fault is NameFault.TOO_LONG:
        raise UsageError(
            f"{argument}: {what} in {path!r} has {len(value)} characters, "
            f"more than {MAX_NAME_LENGTH}"
        )
    if fault is NameFault.DOT_SEGMENT:
        raise UsageError(f"{argument}: {what} {value!r} in {path!r} cannot be '.' or '..'")
    if fault is not None:
        raise UsageError(
            f"{argument}: {what} {value!r} in {path!r} may only contain letters, digits, "
            "'-', '_' and '.'"
        )
    return value


def parse_path(path: str, *, argument: str = "path") -> WandbPath:
    """Parse any W&B path or app URL.

    Accepted forms: ``project``, ``entity/project``, ``entity/project/run_id``,
    ``entity/project:run_id``, ``entity/project/runs/run_id``,
    ``entity/project/sweeps/sweep_id``, ``entity/project/reports/Title--report_id``, and the
    same behind ``https://<host>/``.

    Args:
        path: the path or URL.
        argument: the argument name used in error messages.

    Raises:
        UsageError: the path has none of the accepted forms.
    """
    forms = f"{PROJECT_FORMS}, {RUN_FORMS}"
    parts = _segments(path, argument, forms)
    if len(parts) == 2 and ":" in parts[1]:
        project, _, run_id = parts[1].partition(":")
        parts = [parts[0], project, run_id]
    if len(parts) >= 3 and parts[2] == "workspace":
        parts = parts[:2]

    if len(parts) == 1:
        return WandbPath("project", None, _check_name(parts[0], "project", path, argument))
    if len(parts) == 2:
        entity = _check_name(parts[0], "entity", path, argument)
        return WandbPath("project", entity, _check_name(parts[1], "project", path, argument))
    entity = _check_name(parts[0], "entity", path, argument)
    project = _check_name(parts[1], "project", path, argument)
    if len(parts) == 3:
        if parts[2] in _KIND_SEGMENTS:
            raise UsageError(f"{argument} {path!r} names no {_KIND_SEGMENTS[parts[2]]} id")
        return WandbPath("run", entity, project, _check_name(parts[2], "run id", path, argument))
    if len(parts) == 4 and parts[2] in _KIND_SEGMENTS:
        kind = _KIND_SEGMENTS[parts[2]]
        ident = parts[3]
        if kind == "report":
            # Report URLs end in 'Title-Words--<id>'; the id is what follows the last '--'.
            ident = ident.rsplit("--", 1)[-1]
        return WandbPath(kind, entity, project, _check_name(ident, f"{kind} id", path, argument))
    raise UsageError(f"{argument} must look like {forms}, got {path!r}")


def parse_project_path(path: str, *, argument: str = "path") -> WandbPath:
    """Parse ``project`` or ``entity/project`` (or a project URL).

    Raises:
        UsageError: the path names something other than a project.
    """
    parsed = parse_path(path, argument=argument)
    if parsed.kind != "project":
        raise UsageError(f"{argument} must be {PROJECT_FORMS}, got {path!r}")
    return parsed


def parse_run_path(path: str, *, argument: str = "path") -> WandbPath:
    """Parse a run path: ``run_id``, ``project/run_id`` or ``entity/project/run_id``.

    A single segment is a run id and two segments are ``project/run_id`` here (unlike
    :func:`parse_path`, where they name projects), as in ``wandb.Api().run()``.

    Raises:
        UsageError: the path is not a run path.
    """
    parts = _segments(path, argument, RUN_FORMS)
    if len(parts) == 1:
        return WandbPath("run", None, None, _check_name(parts[0], "run id", path, argument))
    if len(parts) == 2 and ":" not in parts[1]:
        project = _check_name(parts[0], "project", path, argument)
        return WandbPath("run", None, project, _check_name(parts[1], "run id", path, argument))
    parsed = parse_path(path, argument=argument)
    if parsed.kind != "run":
        raise UsageError(f"{argument} must be {RUN_FORMS}, got {path!r}")
    return parsed


def parse_sweep_path(path: str, *, argument: str = "path") -> WandbPath:
    """Parse a sweep path: ``sweep_id``, ``project/sweep_id``, ``entity/project/sweep_id`` or
    ``entity/project/sweeps/sweep_id`` (or its app URL), as ``wandb.Api().sweep()`` takes.

    Raises:
        UsageError: the path is not a sweep path.
    """
    parts = _segments(path, argument, SWEEP_FORMS)
    if len(parts) == 1:
        return WandbPath("sweep", None, None, _check_name(parts[0], "sweep id", path, argument))
    if len(parts) == 2:
        project = _check_name(parts[0], "project", path, argument)
        return WandbPath("sweep", None, project, _check_name(parts[1], "sweep id", path, argument))
    if len(parts) == 3 and parts[2] not in _KIND_SEGMENTS:
        entity = _check_name(parts[0], "entity", path, argument)
        project = _check_name(parts[1], "project", path, argument)
        return WandbPath(
            "sweep", entity, project, _check_name(parts[2], "sweep id", path, argument)
        )
    try:
        parsed = parse_path(path, argument=argument)
    except UsageError:
        parsed = None
    if parsed is None or parsed.kind != "sweep":
        raise UsageError(f"{argument} must be {SWEEP_FORMS}, got {path!r}")
    return parsed


def check_name(value: object, argument: str) -> str:
    """Validate one entity, project, team, user, run or sweep name given on its own.

    The rule is the server's (:mod:`wandbkit._lang.names`), so a name the server would refuse
    fails here, before any request is sent.

    Raises:
        UsageError: not a non-empty name of at most 128 letters, digits, '-', '_' and '.', or
            it is '.' or '..'.
    """
    fault = name_fault(value)
    if fault is NameFault.TOO_LONG:
        assert isinstance(value, str)
        raise UsageError(
            f"{argument} must be a name of at most {MAX_NAME_LENGTH} characters, "
            f"got one of {len(value)}"
        )
    if fault is NameFault.DOT_SEGMENT:
        raise UsageError(f"{argument} must be a name other than '.' and '..', got {value!r}")
    if fault is not None:
        raise UsageError(
            f"{argument} must be a name of letters, digits, '-', '_' and '.', got {value!r}"
        )
    assert isinstance(value, str)
    return value


def parse_artifact_path(name: str, *, argument: str = "name") -> ArtifactName:
    """Parse an artifact version name (``[entity/]project/name[:version|:alias]`` or a
    registry name), as :func:`wandbkit._lang.artifact_names.parse_artifact_name` does.

    Raises:
        UsageError: the name is malformed; the message names the expected form.
    """
    try:
        return parse_artifact_name(name, argument=argument)
    except ArtifactNameError as exc:
        raise UsageError(str(exc)) from None


def parse_collection_path(name: str, *, argument: str = "name") -> ArtifactName:
    """Parse an artifact collection name (``[entity/]project/name`` or a registry one).

    Raises:
        UsageError: the name is malformed or carries a ``:version``.
    """
    try:
        return parse_collection_name(name, argument=argument)
    except ArtifactNameError as exc:
        raise UsageError(str(exc)) from None
