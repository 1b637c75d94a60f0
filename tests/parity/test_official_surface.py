"""Surface parity: every public member of the official ``wandb`` 0.31.0 classes of groups
G1-G5 and G12-G15 (runs, history, files, projects, users and teams, sweeps, reports) exists on
wandbkit's class, with the same parameters (names, order, kinds, defaults) for callables.

Both surfaces are introspected (``dir``, ``inspect.getattr_static``, ``inspect.signature``, and
the ``self.x = ...`` assignments of each ``__init__`` for plain instance attributes), so a
member the official package adds, or one wandbkit drops or changes, fails here. Intentional
differences are listed in :data:`DEPARTURES`, each with its reason; an entry that no longer
matches a real difference fails too, so the list stays honest.

Kinds of departure:

* ``absent``: the member is deliberately missing (the reason says what to use instead).
* ``superset``: every call the official signature accepts binds the same way to wandbkit's:
  the official parameters come first, with the same names, kinds and defaults (a required
  official parameter may have a default here), and any extra parameter is keyword-only with
  a default (or ``**kwargs``). Checked, not only listed.
* ``differs``: the signature differs in another way (the reason says how and why).

The official classes come from the installed ``wandb`` (the ``dev`` extra); without it the
module skips.
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass
from typing import Any, Literal

import pytest

pytest.importorskip("wandb", reason="the official client is installed with the dev extra")

Kind = Literal["absent", "superset", "differs"]


@dataclass(frozen=True)
class Departure:
    """One intentional, documented difference from the official surface."""

    kind: Kind
    reason: str


def absent(reason: str) -> Departure:
    return Departure("absent", reason)


def superset(reason: str) -> Departure:
    return Departure("superset", reason)


def differs(reason: str) -> Departure:
    return Departure("differs", reason)


#: (label, official "module:Class", wandbkit sync "module:Class", wandbkit async "module:Class")
P = "wandb.apis.public."
PAIRS: list[tuple[str, str, str, str]] = [
    ("Api", P + "api:Api", "wandbkit._sync.api:Api", "wandbkit._async.api:AsyncApi"),
    ("Run", P + "runs:Run", "wandbkit:Run", "wandbkit:AsyncRun"),
    ("Runs", P + "runs:Runs", "wandbkit:Runs", "wandbkit:AsyncRuns"),
    ("AgentRuns", P + "runs:AgentRuns", "wandbkit:AgentRuns", "wandbkit:AsyncAgentRuns"),
    ("Project", P + "projects:Project", "wandbkit:Project", "wandbkit:AsyncProject"),
    ("Projects", P + "projects:Projects", "wandbkit:Projects", "wandbkit:AsyncProjects"),
    ("File", P + "files:File", "wandbkit:File", "wandbkit:AsyncFile"),
    ("Files", P + "files:Files", "wandbkit:Files", "wandbkit:AsyncFiles"),
    # wandb's User is the one Api.viewer/user/users/create_user hand out (with key management).
    ("User", P + "users:User", "wandbkit._sync.users:User", "wandbkit:AsyncUser"),
    ("Team", P + "teams:Team", "wandbkit:Team", "wandbkit:AsyncTeam"),
    ("Member", P + "teams:Member", "wandbkit:Member", "wandbkit:AsyncMember"),
    ("Organization", P + "organizations:Organization", "wandbkit:Organization", ""),
    ("Sweep", P + "sweeps:Sweep", "wandbkit:Sweep", "wandbkit:AsyncSweep"),
    ("Sweeps", P + "sweeps:Sweeps", "wandbkit:Sweeps", "wandbkit:AsyncSweeps"),
    ("Agent", P + "sweeps:Agent", "wandbkit:Agent", "wandbkit:AsyncAgent"),
    ("BetaReport", P + "reports:BetaReport", "wandbkit:BetaReport", "wandbkit:AsyncBetaReport"),
    ("Reports", P + "reports:Reports", "wandbkit:Reports", "wandbkit:AsyncReports"),
    ("HistoryScan", P + "history:HistoryScan", "wandbkit:HistoryScan", "wandbkit:AsyncHistoryScan"),
    ("Summary", P + "summary:HTTPSummary", "wandbkit:Summary", "wandbkit:AsyncSummary"),
    (
        "ConsoleLogs",
        P + "console_logs:ConsoleLogs",
        "wandbkit:ConsoleLogs",
        "wandbkit:AsyncConsoleLogs",
    ),
    ("ConsoleLogLine", P + "console_logs:ConsoleLogLine", "wandbkit:ConsoleLogLine", ""),
    (
        "DownloadHistoryResult",
        P + "runhistory.downloads:DownloadHistoryResult",
        "wandbkit:DownloadHistoryResult",
        "",
    ),
    ("QueryGenerator", P + "query_generator:QueryGenerator", "wandbkit:QueryGenerator", ""),
    (
        "PythonMongoishQueryGenerator",
        P + "reports:PythonMongoishQueryGenerator",
        "wandbkit:PythonMongoishQueryGenerator",
        "",
    ),
    ("PanelMetricsHelper", P + "reports:PanelMetricsHelper", "wandbkit:PanelMetricsHelper", ""),
]

#: Api members of the other capability groups (artifacts G6-G9, registries G10-G11,
#: automations G16, launch G17): their own parity suites cover them.
OTHER_GROUPS: dict[str, str] = {
    **dict.fromkeys(
        [
            "artifact",
            "artifact_collection",
            "artifact_collection_exists",
            "artifact_collections",
            "artifact_exists",
            "artifact_type",
            "artifact_types",
            "artifact_versions",
            "artifacts",
        ],
        "G7-G9 artifacts",
    ),
    **dict.fromkeys(["registries", "registry", "create_registry"], "G10-G11 registries"),
    **dict.fromkeys(
        [
            "automation",
            "automations",
            "create_automation",
            "update_automation",
            "delete_automation",
            "integrations",
            "slack_integrations",
            "webhook_integrations",
        ],
        "G16 automations",
    ),
    **dict.fromkeys(
        ["create_run_queue", "upsert_run_queue", "run_queue", "queued_run", "job", "list_jobs"],
        "G17 launch",
    ),
}

#: Attributes wandb serves through ``Attrs.__getattr__`` from the loaded GraphQL fragment
#: (api-surface.md §1.3-1.12): invisible to ``dir()``, so listed here.
PASSTHROUGH: dict[str, list[str]] = {
    "Run": [
        "tags", "display_name", "group", "job_type", "commit", "read_only", "created_at",
        "heartbeat_at", "description", "notes", "history_line_count", "history_keys",
        "project_id", "user", "sweep_name",
    ],
    "Project": ["id", "name", "entity_name", "created_at", "is_benchmark", "user"],
    "File": ["id", "name", "url", "direct_url", "size_bytes", "mimetype", "updated_at", "md5"],
    "User": ["id", "name", "username", "email", "admin", "flags", "entity", "deleted_at"],
    "Team": [
        "id", "available", "photo_url", "read_only", "read_only_admin", "is_team", "entity_type",
        "private_only", "storage_bytes", "code_saving_enabled", "default_access", "is_paid",
        "members",
    ],
    "Member": [
        "id", "admin", "pending", "email", "username", "name", "photo_url", "account_type",
        "api_key",
    ],
    "Sweep": [
        "state", "best_loss", "method", "description", "created_at", "updated_at", "run_count",
        "display_name",
    ],
    "Agent": ["id", "name", "host", "state", "total_runs", "created_at", "heartbeat_at"],
    "BetaReport": ["id", "name", "display_name", "description", "spec", "created_at"],
}  # fmt: skip

_PAGINATOR_INTERNALS = (
    "wandb's paginator plumbing (raw GraphQL text, response dicts and page variables): "
    "wandbkit pages with typed generated queries"
)
_ITERATOR = (
    "wandbkit paginators are re-iterable (each `for` starts over, pages are cached); "
    "use next(iter(x))"
)

DEPARTURES: dict[str, Departure] = {
    # -- Api
    "Api.create_project": superset(
        "better: entity defaults to the default entity; keyword-only description and access"
    ),
    "Api.projects": superset("better: keyword-only start resumes from a cursor"),
    "Api.runs": superset(
        "better: keyword-only config_keys/summary_keys (load only those keys) and start"
    ),
    # -- paginators
    **{
        f"{cls}.{member}": absent(_PAGINATOR_INTERNALS)
        for cls in ("Runs", "AgentRuns", "Projects", "Files", "Sweeps", "Reports", "ConsoleLogs")
        for member in (
            "convert_objects",
            "update_variables",
            "last_response",
            "QUERY",
            "index",
            "variables",
        )
    },
    **{
        f"{cls}.next": absent(_ITERATOR)
        for cls in ("Runs", "AgentRuns", "Projects", "Files", "Sweeps", "Reports", "ConsoleLogs")
    },
    # -- Run
    "Run.wait_until_finished": superset(
        "better: keyword-only poll_interval and timeout (wandb polls forever every 5 s)"
    ),
    "Run.server_provides_internal_id_field": absent(
        "a wandb transport probe; wandbkit's queries always ask for the run's projectId"
    ),
    # -- Summary
    "Summary.get": differs("Mapping.get's parameter name, key (wandb: k); positional calls agree"),
    "Summary.update": superset("better: also takes keyword arguments, like dict.update"),
    # -- HistoryScan
    "HistoryScan.page_offset": absent("wandb's scan cursor; wandbkit's scan pages by step"),
    "HistoryScan.scan_offset": absent("wandb's scan cursor; wandbkit's scan pages by step"),
    "HistoryScan.rows": absent("wandb's current page buffer; iterate the scan instead"),
    # -- Agent
    "Agent.runs": superset("better: keyword-only order, as Sweep.runs orders"),
}

# Members every wandb Attrs subclass has (``display``, ``to_html``, ``snake_to_camel``) take
# ``*args, **kwargs`` in wandb's ``Attrs.to_html`` (which returns None); wandbkit renders a
# summary table with the (height, hidden) parameters its other to_html methods take.
for _cls in ("File", "User", "Team", "Member", "Agent"):
    DEPARTURES[f"{_cls}.to_html"] = differs(
        "better: (height=420, hidden=False) and an HTML summary instead of wandb's None"
    )


def _load(spec: str) -> type[Any]:
    module, _, name = spec.partition(":")
    found: type[Any] = getattr(importlib.import_module(module), name)
    return found


_ASSIGNMENT = re.compile(r"self\.([a-z]\w*)\s*(?::[^=\n]+)?=(?!=)")


def _instance_attributes(cls: type[Any]) -> set[str]:
    """Public names the class's methods assign to ``self`` (and its slots)."""
    names: set[str] = set()
    for klass in cls.__mro__:
        slots = klass.__dict__.get("__slots__", ())
        names.update([slots] if isinstance(slots, str) else slots)
        for function in vars(klass).values():
            if not inspect.isfunction(function):
                continue
            try:
                names.update(_ASSIGNMENT.findall(inspect.getsource(function)))
            except OSError:
                continue
    return {name for name in names if not name.startswith("_")}


def _members(cls: type[Any]) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")} | _instance_attributes(cls)


def _has(cls: type[Any], name: str) -> bool:
    return hasattr(cls, name) or name in _instance_attributes(cls)


def _is_data(cls: type[Any], name: str) -> bool:
    try:
        raw = inspect.getattr_static(cls, name)
    except AttributeError:
        return True  # an instance attribute
    if isinstance(raw, (classmethod, staticmethod)):
        return False
    return isinstance(raw, property) or not callable(raw) or type(raw).__name__ == "cached_property"


def _kind(cls: type[Any], name: str) -> str:
    try:
        raw = inspect.getattr_static(cls, name)
    except AttributeError:
        return "data"
    if isinstance(raw, classmethod):
        return "classmethod"
    if isinstance(raw, staticmethod):
        return "staticmethod"
    return "data" if _is_data(cls, name) else "method"


Param = tuple[str, str, object]


def _params(func: Any) -> list[Param] | None:
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    return [
        (p.name, p.kind.name, "<required>" if p.default is p.empty else p.default)
        for p in signature.parameters.values()
        if p.name not in ("self", "cls")
    ]


def _accepts_every_official_call(official: list[Param], mine: list[Param]) -> bool:
    """Whether ``mine`` binds every call ``official`` accepts the same way (see module doc)."""
    if len(mine) < len(official):
        return False
    for (name, kind, default), (my_name, my_kind, my_default) in zip(official, mine, strict=False):
        if (name, kind) != (my_name, my_kind):
            return False
        if default != "<required>" and my_default != default:
            return False
    return all(
        kind == "VAR_KEYWORD" or (kind == "KEYWORD_ONLY" and default != "<required>")
        for _, kind, default in mine[len(official) :]
    )


def _differences(label: str, official: type[Any], mine: type[Any]) -> dict[str, str]:
    """``{"Label.member": what differs}`` for every public official member."""
    found: dict[str, str] = {}
    names = _members(official) | set(PASSTHROUGH.get(label, []))
    if label == "Api":
        names -= set(OTHER_GROUPS)
    for name in sorted(names):
        key = f"{label}.{name}"
        if not _has(mine, name):
            found[key] = "missing"
            continue
        theirs, ours = _kind(official, name), _kind(mine, name)
        if name in PASSTHROUGH.get(label, []) or not _has_static(official, name):
            theirs = "data"
        if theirs != ours:
            found[key] = f"is a {ours} here, a {theirs} in wandb"
            continue
        if theirs == "data":
            continue
        a, b = _params(getattr(official, name)), _params(getattr(mine, name))
        if a is not None and b is not None and a != b:
            superset_ok = _accepts_every_official_call(a, b)
            found[key] = f"{'superset' if superset_ok else 'signature'}: wandb {a}, here {b}"
    return found


def _has_static(cls: type[Any], name: str) -> bool:
    try:
        inspect.getattr_static(cls, name)
    except AttributeError:
        return False
    return True


def _unexplained(label: str, differences: dict[str, str]) -> list[str]:
    problems = []
    for key, what in differences.items():
        departure = DEPARTURES.get(key)
        if departure is None:
            problems.append(f"{key}: {what}")
        elif departure.kind == "absent" and what != "missing":
            problems.append(f"{key}: listed as absent but present ({what})")
        elif departure.kind == "superset" and not what.startswith("superset"):
            problems.append(f"{key}: listed as a superset but {what}")
        elif departure.kind == "differs" and what == "missing":
            problems.append(f"{key}: listed as differing but missing")
    stale = [
        key
        for key in DEPARTURES
        if key.split(".", 1)[0] == label and key not in differences and _in_official(key)
    ]
    problems += [f"{key}: listed in DEPARTURES but matches wandb now" for key in stale]
    return problems


def _in_official(key: str) -> bool:
    label, _, name = key.partition(".")
    spec = next(spec for lbl, spec, _, _ in PAIRS if lbl == label)
    return name in _members(_load(spec)) | set(PASSTHROUGH.get(label, []))


def test_every_departure_names_a_compared_class_and_gives_a_reason() -> None:
    labels = {label for label, *_ in PAIRS}
    for key, departure in DEPARTURES.items():
        assert key.split(".", 1)[0] in labels, key
        assert len(departure.reason) > 10, key


#: (label, official, wandbkit class) for both flavors; value classes serve both with one class.
CASES = [
    pytest.param(label, official, mine, id=f"{label}-{flavor}")
    for label, official, sync, async_ in PAIRS
    for flavor, mine in (("sync", sync), ("async", async_))
    if mine
]


@pytest.mark.parametrize(("label", "official", "mine"), CASES)
def test_wandbkit_has_every_official_member_with_its_signature(
    label: str, official: str, mine: str
) -> None:
    problems = _unexplained(label, _differences(label, _load(official), _load(mine)))
    assert not problems, "\n".join(problems)


def test_the_superset_check_rejects_what_would_break_an_official_call() -> None:
    official: list[Param] = [
        ("a", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("b", "POSITIONAL_OR_KEYWORD", 1),
    ]
    assert _accepts_every_official_call(official, official)
    relaxed = [("a", "POSITIONAL_OR_KEYWORD", None), official[1]]
    assert _accepts_every_official_call(official, relaxed)
    assert _accepts_every_official_call(official, [*official, ("c", "KEYWORD_ONLY", None)])
    assert _accepts_every_official_call(official, [*official, ("kw", "VAR_KEYWORD", "<required>")])
    assert not _accepts_every_official_call(
        official, [*official, ("c", "POSITIONAL_OR_KEYWORD", 0)]
    )
    assert not _accepts_every_official_call(official, [official[1], official[0]])
    assert not _accepts_every_official_call(
        official, [official[0], ("b", "POSITIONAL_OR_KEYWORD", 2)]
    )
    assert not _accepts_every_official_call(official, [official[0]])
    assert not _accepts_every_official_call(
        official, [*official, ("c", "KEYWORD_ONLY", "<required>")]
    )
