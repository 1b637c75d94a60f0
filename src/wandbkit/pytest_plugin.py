"""The wandbkit pytest plugin: a local W&B server per test, bound clients, and cassettes.

Installed with wandbkit and loaded by pytest automatically (the ``pytest11`` entry point
``wandbkit``; disable with ``-p no:wandbkit``). Importing it costs nothing beyond pytest: the
server (the ``server`` extra) loads only when a test asks for it.

Fixtures:
    * ``wandb_server`` → :class:`WandbServer`: the local server on a loopback port with a
      temporary database, seeded with an account (user ``demo``, team ``demo-team``), torn down
      after the test. Seed it with ``wandb_server.seed(projects=..., runs=...)``,
      ``wandb_server.seed_file("seed.yaml")`` or the ``wandb_seed`` marker. For the test, the
      official SDK points at it too (``WANDB_BASE_URL``, ``WANDB_API_KEY``, a temporary
      ``WANDB_DIR``, online mode; restored after): code under test that calls
      ``wandb.init()`` writes its run to this server (:mod:`wandbkit.server.sdk_env`).
    * ``wandb_api`` → ``wandbkit.Api`` and ``wandb_async_api`` → ``wandbkit.AsyncApi`` (the
      latter needs pytest-asyncio), bound to ``wandb_server`` and closed after the test.
    * ``wandb_vcr_config`` → the ``vcr_config`` for pytest-recording: GraphQL-aware matching,
      credentials scrubbed, signed URL tokens normalized (:func:`wandbkit.cassettes.vcr_config`).
    * ``wandb_replaying`` → ``True`` when the test replays a cassette (see below).

Markers:
    * ``@pytest.mark.wandb_seed("seed.yaml")`` or ``@pytest.mark.wandb_seed(projects=[...],
      runs=[...])``: seed ``wandb_server`` when it starts (a relative file is found beside the
      test module).

Cassettes: with pytest-recording, a test marked ``vcr`` that runs with ``--record-mode=none``
(pytest-recording's default) replays its cassette, and a server could receive nothing: then
``wandb_api`` and ``wandb_async_api`` point at a placeholder URL and no server starts (markers
``wandb_seed`` are ignored). Any other record mode records against a live server. So one test
runs live (``--disable-recording``), records (``--record-mode=once``) and replays (default).

Example (``conftest.py`` and a test)::

    import pytest

    @pytest.fixture
    def vcr_config(wandb_vcr_config):
        return wandb_vcr_config

    @pytest.mark.vcr
    @pytest.mark.wandb_seed(runs=[{"project": "mnist", "id": "a1", "summary": {"acc": 0.9}}])
    def test_best_run(wandb_api):
        assert wandb_api.run("demo/mnist/a1").summary["acc"] == 0.9
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from wandbkit import Api, AsyncApi
    from wandbkit.server.faults import Faults
    from wandbkit.server.seed import SeedResult
    from wandbkit.server.store import EntityRow, Store
    from wandbkit.server.testing import ServerHandle

try:  # Already imported by pytest when installed (it is a plugin too), so this is free.
    import pytest_asyncio

    _HAVE_PYTEST_ASYNCIO = True
except ImportError:  # pragma: no cover - exercised only without pytest-asyncio
    _HAVE_PYTEST_ASYNCIO = False

__all__ = [
    "REPLAY_API_KEY",
    "REPLAY_BASE_URL",
    "Seeded",
    "WandbServer",
    "is_replaying",
]

#: The key clients get when a test replays a cassette (never sent anywhere: vcrpy answers).
REPLAY_API_KEY = "0" * 40
#: The URL clients get when a test replays a cassette; ``.invalid`` can never resolve.
REPLAY_BASE_URL = "http://wandb-replay.invalid"

_SEED_KEYS = ("projects", "runs", "artifacts")
_PROJECT_KEYS = ("name", "entity", "description", "access")
_RUN_KEYS = (
    "project",
    "id",
    "name",
    "state",
    "config",
    "summary",
    "history",
    "files",
    "logs",
    "tags",
    "notes",
    "group",
    "job_type",
    "created_at",
)
#: Seeded runs are finished unless they say otherwise: seeds describe past work.
DEFAULT_SEEDED_RUN_STATE = "finished"


@dataclass(frozen=True)
class Seeded:
    """What a :meth:`WandbServer.seed` call created, as W&B paths.

    Attributes:
        projects: ``"entity/project"`` of each project created or updated.
        runs: ``"entity/project/run_id"`` of each run created.
    """

    projects: tuple[str, ...] = ()
    runs: tuple[str, ...] = ()


class WandbServer:
    """The local W&B server of one test (the ``wandb_server`` fixture).

    Attributes:
        base_url: ``http://127.0.0.1:<port>``; use as ``WANDB_BASE_URL``.
        api_key: a valid key of the seeded account; use as ``WANDB_API_KEY``. Never in reprs.
        store: the server's data; tests may read and write it directly.
        account: the seeded account: ``username`` (``demo``), ``entity`` (the user's entity),
            ``team`` (``demo-team``), ``organization`` (``demo-org``).
        handle: the underlying :class:`wandbkit.server.testing.ServerHandle`.

    Example:
        >>> def test_projects(wandb_server, wandb_api):  # doctest: +SKIP
        ...     wandb_server.seed(projects=["mnist", "demo-team/shared"])
        ...     assert [p.name for p in wandb_api.projects()] == ["mnist"]
    """

    def __init__(self, handle: ServerHandle, *, base_dir: Path | None = None) -> None:
        self.handle = handle
        self._base_dir = base_dir

    @property
    def base_url(self) -> str:
        """The server's root URL, without a trailing slash."""
        return self.handle.base_url

    @property
    def api_key(self) -> str:
        """A valid API key of :attr:`account`."""
        return self.handle.api_key

    @property
    def graphql_url(self) -> str:
        """The GraphQL endpoint (``{base_url}/graphql``)."""
        return self.handle.graphql_url

    @property
    def store(self) -> Store:
        """The server's store."""
        return self.handle.store

    @property
    def account(self) -> SeedResult:
        """The seeded account (user, entity, team, organization)."""
        return self.handle.seed

    @property
    def faults(self) -> Faults:
        """The server's fault-injection plan: ``wandb_server.faults.add(Fault.status(502),
        rate=0.3)`` makes the server fail as a flaky network would (see
        :mod:`wandbkit.server.faults`)."""
        return self.handle.faults

    def __repr__(self) -> str:
        return f"WandbServer(base_url={self.base_url!r}, user={self.account.username!r})"

    def env(self) -> dict[str, str]:
        """``WANDB_BASE_URL`` and ``WANDB_API_KEY`` for a client (or a subprocess).

        Example:
            >>> env = {**os.environ, **wandb_server.env()}  # doctest: +SKIP
            >>> subprocess.run(["python", "my_script.py"], env=env, check=True)  # doctest: +SKIP
        """
        return self.handle.env()

    # -- seeding --------------------------------------------------------------------------

    def seed(
        self,
        *,
        projects: Sequence[str | Mapping[str, Any]] = (),
        runs: Sequence[Mapping[str, Any]] = (),
        artifacts: Sequence[Mapping[str, Any]] = (),
    ) -> Seeded:
        """Add projects and runs to the server, declaratively.

        A project is ``"name"``, ``"entity/name"`` or a mapping with ``name`` and optionally
        ``entity`` (default: the account's own entity), ``description`` and ``access``.

        A run is a mapping with ``project`` (as above; created when missing) and optionally:
        ``id`` (the run id; default: generated), ``name`` (the display name), ``state``
        (default ``"finished"``), ``config`` and ``summary`` (plain mappings), ``history`` (a
        list of rows logged in order; when there is no ``summary``, the last values logged
        become it, as ``wandb.log`` does), ``files`` (``{"name": "text or bytes"}``),
        ``logs`` (console lines: texts, or ``{"line", "level": "error", "timestamp"}``
        mappings), ``tags``, ``notes``, ``group``, ``job_type`` and ``created_at`` (ISO 8601).

        Args:
            projects: the projects to create (an existing one is updated).
            runs: the runs to create.
            artifacts: not supported by the local server yet; must be empty.

        Returns:
            The paths of what was created.

        Raises:
            ValueError: a malformed item (the message names it and the expected form), or an
                unknown entity.
            NotImplementedError: ``artifacts`` is not empty.

        Example:
            >>> wandb_server.seed(  # doctest: +SKIP
            ...     projects=["mnist"],
            ...     runs=[
            ...         {"project": "mnist", "id": "a1", "config": {"lr": 0.1},
            ...          "history": [{"loss": 0.9}, {"loss": 0.4}]},
            ...     ],
            ... )
            Seeded(projects=('demo/mnist',), runs=('demo/mnist/a1',))
        """
        if artifacts:
            raise NotImplementedError("artifacts are not supported by the local server yet")
        project_paths = [
            self._seed_project(item, f"projects[{i}]") for i, item in enumerate(projects)
        ]
        run_paths = [self._seed_run(item, f"runs[{i}]") for i, item in enumerate(runs)]
        return Seeded(tuple(project_paths), tuple(run_paths))

    def seed_file(self, path: str | os.PathLike[str]) -> Seeded:
        """:meth:`seed` from a YAML (or ``.json``) file with ``projects``, ``runs``, ``artifacts``.

        A relative path is resolved against the test module's directory when the server came
        from the ``wandb_server`` fixture, else against the working directory.

        Example (``seed.yaml``)::

            projects: [mnist]
            runs:
              - {project: mnist, id: a1, summary: {accuracy: 0.91}}

        Raises:
            FileNotFoundError: no such file.
            ValueError: the file is not a mapping of the three keys, or an item is malformed.
        """
        file = Path(path)
        if not file.is_absolute() and self._base_dir is not None:
            file = self._base_dir / file
        text = file.read_text(encoding="utf-8")
        if file.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml  # a dependency of wandbkit, loaded only for YAML seed files

            data = yaml.safe_load(text)
        if data is None:
            return Seeded()
        if not isinstance(data, Mapping):
            raise ValueError(f"{file}: expected a mapping with {', '.join(_SEED_KEYS)}")
        unknown = sorted(set(data) - set(_SEED_KEYS))
        if unknown:
            raise ValueError(f"{file}: unknown keys {unknown}; expected some of {_SEED_KEYS}")
        return self.seed(
            projects=data.get("projects") or (),
            runs=data.get("runs") or (),
            artifacts=data.get("artifacts") or (),
        )

    def _entity(self, name: str | None, where: str) -> EntityRow:
        entity_name = name or self.account.entity
        entity = self.store.entities.get(entity_name)
        if entity is None:
            raise ValueError(
                f"{where}: unknown entity {entity_name!r}; the local server has the user "
                f"{self.account.entity!r} and the team {self.account.team!r}"
            )
        return entity

    @functools.cached_property
    def _user_pk(self) -> int:
        user = self.store.accounts.get_user(self.account.username)
        assert user is not None, "the seeded account has no user"
        return user.pk

    def _seed_project(self, item: Any, where: str) -> str:
        spec = _project_spec(item, where)
        entity = self._entity(spec.get("entity"), where)
        project, _ = self.store.projects.upsert(
            entity.pk,
            spec["name"],
            creator_pk=self._user_pk,
            description=spec.get("description"),
            access=spec.get("access"),
        )
        return f"{entity.name}/{project.name}"

    def _seed_run(self, item: Mapping[str, Any], where: str) -> str:
        from wandbkit.server.testing import add_run

        spec = _mapping(item, where, _RUN_KEYS, required=("project",))
        project_spec = _project_spec(spec["project"], f"{where}.project")
        entity = self._entity(project_spec.get("entity"), where)
        files: dict[str, bytes] = {}
        for name, content in _optional_mapping(spec, "files", where).items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            if not isinstance(data, bytes):
                raise ValueError(f"{where}.files[{name!r}]: expected text or bytes")
            files[name] = data
        run = add_run(
            self.store,
            f"{entity.name}/{project_spec['name']}",
            spec.get("id"),
            config=_optional_mapping(spec, "config", where),
            # No summary: the last values logged become it, as wandb.log does.
            summary=(
                _optional_mapping(spec, "summary", where)
                if spec.get("summary") is not None
                else None
            ),
            history=list(spec.get("history") or ()),
            files=files,
            logs=list(spec.get("logs") or ()),
            username=self.account.username,
            display_name=spec.get("name"),
            state=spec.get("state", DEFAULT_SEEDED_RUN_STATE),
            tags=list(spec.get("tags") or ()),
            notes=spec.get("notes"),
            group_name=spec.get("group"),
            job_type=spec.get("job_type"),
            created_at=spec.get("created_at"),
        )
        return f"{entity.name}/{project_spec['name']}/{run.name}"


def _mapping(
    item: Any, where: str, allowed: Sequence[str], *, required: Sequence[str] = ()
) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        raise ValueError(f"{where}: expected a mapping with {', '.join(allowed)}; got {item!r}")
    unknown = sorted(set(item) - set(allowed))
    if unknown:
        raise ValueError(f"{where}: unknown keys {unknown}; expected some of {list(allowed)}")
    missing = [key for key in required if key not in item]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    return dict(item)


def _optional_mapping(spec: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = spec.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}.{key}: expected a mapping, got {type(value).__name__}")
    return dict(value)


def _project_spec(item: Any, where: str) -> dict[str, Any]:
    if isinstance(item, str):
        entity, _, name = item.rpartition("/")
        if not name or "/" in entity:
            raise ValueError(f"{where}: expected 'project' or 'entity/project', got {item!r}")
        return {"name": name, "entity": entity or None}
    return _mapping(item, where, _PROJECT_KEYS, required=("name",))


# -- replay detection ----------------------------------------------------------------------


def is_replaying(request: pytest.FixtureRequest) -> bool:
    """Whether this test replays a cassette, so that no server could receive anything.

    True when pytest-recording is active, the test is marked ``vcr``, recording is not
    disabled and the record mode (``--record-mode``, else the ``vcr`` markers' or
    ``vcr_config``'s ``record_mode``, else pytest-recording's default) is ``"none"``.
    """
    config = request.config
    try:
        cli_mode = config.getoption("--record-mode")
        disabled = config.getoption("--disable-recording")
    except ValueError:  # pytest-recording is not installed
        return False
    markers = list(request.node.iter_markers(name="vcr"))
    if disabled or not markers:
        return False
    # The command line wins, then the closest marker that sets a mode, then vcr_config.
    mode = cli_mode or next(
        (m.kwargs["record_mode"] for m in markers if m.kwargs.get("record_mode")), None
    )
    if mode is None:
        vcr_config = request.getfixturevalue("vcr_config")
        mode = vcr_config.get("record_mode") if isinstance(vcr_config, Mapping) else None
    return (mode or "none") == "none"


# -- hooks ---------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``wandb_seed`` marker."""
    config.addinivalue_line(
        "markers",
        "wandb_seed(path=None, *, projects=(), runs=(), artifacts=()): seed the wandb_server "
        "fixture when it starts (a YAML/JSON file beside the test module, or the items)",
    )
    config.addinivalue_line(
        "markers",
        "wandb_faults(*faults, route='*', method=None, operation=None, rate=1.0, times=None): "
        "inject each wandbkit.server.faults.Fault into the wandb_server fixture's answers",
    )


@pytest.hookimpl(optionalhook=True)
def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    """Register wandbkit's GraphQL matcher on pytest-recording's VCR (when it is installed)."""
    from wandbkit.cassettes import register_matchers

    register_matchers(vcr)


# -- fixtures ------------------------------------------------------------------------------


def _apply_fault_markers(server: WandbServer, request: pytest.FixtureRequest) -> None:
    for marker in reversed(list(request.node.iter_markers(name="wandb_faults"))):
        for fault in marker.args:
            server.faults.add(fault, **marker.kwargs)


def _apply_seed_markers(server: WandbServer, request: pytest.FixtureRequest) -> None:
    # Closest marker last, so a test's own seed lands after its module's.
    for marker in reversed(list(request.node.iter_markers(name="wandb_seed"))):
        for path in marker.args:
            server.seed_file(path)
        if marker.kwargs:
            server.seed(**marker.kwargs)


@pytest.fixture
def wandb_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WandbServer]:
    """The local W&B server on a loopback port with a temporary database, for one test; the
    official SDK (``wandb.init()``) writes to it while the test runs."""
    try:
        from wandbkit.server import Store
        from wandbkit.server.sdk_env import official_sdk_pointed_at
        from wandbkit.server.testing import running_server
    except ImportError as exc:
        pytest.fail(
            f"the wandb_server fixture needs wandbkit's 'server' extra ({exc.name} is "
            "missing): pip install 'wandbkit[server]'",
            pytrace=False,
        )
    store = Store(tmp_path_factory.mktemp("wandb-server") / "server.db")
    try:
        # running_server seeds the account (seed_basic); a store passed in stays open.
        with (
            running_server(store) as handle,
            official_sdk_pointed_at(
                handle.base_url, handle.api_key, tmp_path_factory.mktemp("wandb-sdk")
            ),
        ):
            server = WandbServer(handle, base_dir=Path(request.path).parent)
            _apply_seed_markers(server, request)
            _apply_fault_markers(server, request)  # after seeding, which must not fail
            yield server
    finally:
        store.close()


def _api_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    if is_replaying(request):
        # Retries would only wait: a request the cassette lacks fails the same every time.
        return {"api_key": REPLAY_API_KEY, "base_url": REPLAY_BASE_URL, "max_retries": 0}
    server: WandbServer = request.getfixturevalue("wandb_server")
    return {"api_key": server.api_key, "base_url": server.base_url}


@pytest.fixture
def wandb_replaying(request: pytest.FixtureRequest) -> bool:
    """Whether this test replays a cassette (no server runs then); see :func:`is_replaying`."""
    return is_replaying(request)


@pytest.fixture
def wandb_api(request: pytest.FixtureRequest) -> Iterator[Api]:
    """A ``wandbkit.Api`` bound to ``wandb_server`` (to nothing when replaying a cassette)."""
    import wandbkit

    api = wandbkit.Api(**_api_settings(request))
    try:
        yield api
    finally:
        api.close()


if _HAVE_PYTEST_ASYNCIO:

    @pytest_asyncio.fixture
    async def wandb_async_api(request: pytest.FixtureRequest) -> AsyncIterator[AsyncApi]:
        """A ``wandbkit.AsyncApi`` bound to ``wandb_server`` (closed after the test)."""
        import wandbkit

        async with wandbkit.AsyncApi(**_api_settings(request)) as api:
            yield api

else:  # pragma: no cover - exercised only without pytest-asyncio

    @pytest.fixture
    def wandb_async_api() -> AsyncApi:
        """Needs pytest-asyncio (``pip install pytest-asyncio``)."""
        pytest.fail(
            "the wandb_async_api fixture needs pytest-asyncio: pip install pytest-asyncio "
            "(or build wandbkit.AsyncApi(api_key=wandb_server.api_key, "
            "base_url=wandb_server.base_url) in your own async fixture)",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def wandb_vcr_config() -> dict[str, Any]:
    """pytest-recording settings for W&B traffic (see :func:`wandbkit.cassettes.vcr_config`).

    Use it as the ``vcr_config``::

        @pytest.fixture
        def vcr_config(wandb_vcr_config):
            return wandb_vcr_config
    """
    from wandbkit.cassettes import vcr_config

    return vcr_config()
