# Generated from src/wandbkit/_async/launch/jobs.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""``Job``: a launch job, the ``job`` artifact whose ``wandb-job.json`` says what to run and
which config it takes; ``call()`` enqueues a run of it. ``list_jobs`` lists a project's jobs as
``wandb`` does (raw dicts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit._html import Explorable, HtmlSummary
from wandbkit._lang.launch import LAUNCH_DEFAULT_PROJECT, check_resource_type
from wandbkit._sync.launch.queues import check_push, push_to_queue
from wandbkit._values.launch import check_job_config, checked, job_launch_spec
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from wandbkit._sync.artifacts.artifact import Artifact
    from wandbkit._sync.context import ClientContext
    from wandbkit._sync.launch.queued_run import QueuedRun

#: The file of a job artifact that describes the job.
JOB_FILE = "wandb-job.json"


class Job(Explorable):
    """A launch job, read from its artifact (``entity/project/name:alias``).

    Attributes:
        entity: the job's entity.
        project: the job's project.
        source_type: ``"artifact"``, ``"repo"`` or ``"image"``.
        input_types: the W&B types of the config it takes (as the job file has them).
        path: where its files were downloaded.
    """

    def __init__(
        self,
        ctx: ClientContext,
        name: str,
        artifact: Artifact,
        info: dict[str, Any],
        path: str,
    ) -> None:
        self._ctx = ctx
        self._name = name
        self._artifact = artifact
        self._info = info
        self.path = path
        self.entity, self.project = name.split("/")[:2]
        source = info.get("source") if isinstance(info.get("source"), dict) else {}
        self.source_type: str | None = info.get("source_type")
        self.input_types: Any = info.get("input_types")
        self._partial = bool(info.get("_partial", False))
        entrypoint = source.get("entrypoint") if isinstance(source, dict) else None
        self._entrypoint: list[str] | None = list(entrypoint) if entrypoint else None
        self._entrypoint_set = False

    @property
    def name(self) -> str:
        """The job's name, as it was fetched (``entity/project/name:alias``)."""
        return self._name

    @property
    def entrypoint(self) -> list[str] | None:
        """The command the job runs (its own, or what ``set_entrypoint`` set)."""
        return None if self._entrypoint is None else list(self._entrypoint)

    @property
    def artifact(self) -> Artifact:
        """The job's artifact version."""
        return self._artifact

    def set_entrypoint(self, entrypoint: list[str]) -> None:
        """Run this command instead of the job's own; runs enqueued by ``call()`` after this
        carry it as their ``overrides.entry_point``.

        Raises:
            UsageError: not a non-empty list of strings.
        """
        if (
            not isinstance(entrypoint, list)
            or not entrypoint
            or not all(isinstance(part, str) for part in entrypoint)
        ):
            raise UsageError(f"entrypoint must be a non-empty list of strings, got {entrypoint!r}")
        self._entrypoint = list(entrypoint)
        self._entrypoint_set = True

    def call(
        self,
        config: dict[str, Any],
        project: str | None = None,
        entity: str | None = None,
        queue: str | None = None,
        resource: str = "local-container",
        resource_args: dict[str, Any] | None = None,
        template_variables: dict[str, Any] | None = None,
        project_queue: str | None = None,
        priority: int | None = None,
    ) -> QueuedRun:
        """Enqueue a run of the job with ``config``; returns the queued run.

        Args:
            config: the run's config; it must fit the job's input types.
            project: where the run logs (default: the job's project).
            entity: the run's entity (default: ``WANDB_ENTITY``, then the viewer's, as
                ``wandb``).
            queue: the queue (default: ``"default"``, created if the entity has none).
            resource: the resource the spec asks for (the queue's config decides).
            resource_args: resource arguments that override the queue's.
            template_variables: values for the queue's template variables.
            project_queue: the project that holds the queue (default ``"model-registry"``).
            priority: 0 (most urgent) to 3, on a prioritized queue.

        Raises:
            JobConfigError: the config does not fit the job's input types (a ``TypeError``).
            UsageError: a bad argument (before any request).
        """
        if not isinstance(config, dict):
            raise UsageError(f"config must be a dict, got {type(config).__name__}")
        if not self._partial:
            check_job_config(self.input_types, config)
        checked(check_resource_type, resource, "resource")
        if resource_args is not None and not isinstance(resource_args, dict):
            raise UsageError(f"resource_args must be a dict, got {type(resource_args).__name__}")
        for value, argument in ((project, "project"), (entity, "entity")):
            if value is not None:
                check_name(value, argument)
        queue_name, holder = queue or "default", project_queue or LAUNCH_DEFAULT_PROJECT
        check_push(queue_name, holder, template_variables, priority)
        spec = job_launch_spec(
            self._name,
            entity=self._ctx.resolve_entity(entity),
            project=project or self.project,
            resource=resource,
            resource_args=resource_args,
            run_config=config,
            entrypoint=self._entrypoint if self._entrypoint_set else None,
        )
        return push_to_queue(
            self._ctx,
            spec,
            queue_name=queue_name,
            project_queue=holder,
            template_variables_=template_variables,
            priority=priority,
        )

    def __repr__(self) -> str:
        kind = f" ({self.source_type})" if self.source_type else ""
        return f"<Job {self._name}{kind}>"

    def _html_summary(self) -> HtmlSummary:
        types = self.input_types if isinstance(self.input_types, dict) else {}
        params = types.get("params") if isinstance(types.get("params"), dict) else {}
        inputs = params.get("type_map") if isinstance(params, dict) else None
        fields = {
            "source": self.source_type,
            "entrypoint": " ".join(self._entrypoint) if self._entrypoint else None,
            "config keys": sorted(inputs) if isinstance(inputs, dict) else None,
            "version": self._artifact.version,
            "path": self.path,
        }
        return HtmlSummary("Job", self._name, fields, self._artifact.url)


def check_job_name(name: object) -> str:
    """A job's full name, ``entity/project/job-name:alias``."""
    if name is None:
        raise UsageError("You must specify name= to fetch a job.")
    if not isinstance(name, str) or name.count("/") != 2 or ":" not in name:
        raise UsageError(
            "name must be of the form <entity>/<project>/<job-name>:<alias-or-version>, "
            f"got {name!r}"
        )
    return name


def fetch_job(ctx: ClientContext, name: str | None, path: str | None) -> Job:
    """``Api.job``: the job artifact, downloaded (under ``path``), and its job file read."""
    from wandbkit._sync.artifacts.artifact import fetch_artifact_by_name

    checked_name = check_job_name(name)
    artifact = fetch_artifact_by_name(ctx, checked_name, "job")
    root = artifact.download(root=path)
    job_file = Path(root) / JOB_FILE
    if not job_file.is_file():
        raise NotFoundError(f"job artifact {checked_name!r} has no {JOB_FILE}")
    try:
        info = json.loads(job_file.read_text())
    except ValueError:
        raise UsageError(f"the {JOB_FILE} of job {checked_name!r} is not JSON") from None
    if not isinstance(info, dict):
        raise UsageError(f"the {JOB_FILE} of job {checked_name!r} is not a JSON object")
    return Job(ctx, checked_name, artifact, info, str(root))


def list_jobs(ctx: ClientContext, entity: str, project: str) -> list[dict[str, Any]]:
    """``Api.list_jobs``: per job collection, its versions as ``wandb`` returns them:
    ``{"edges": [{"node": {"id", "state", "aliases": [{"alias"}], "artifactSequence":
    {"name"}}}]}``; ``[]`` when the project does not exist or has no jobs."""
    if entity is None:
        raise UsageError("Specify an entity when listing jobs")
    if project is None:
        raise UsageError("Specify a project when listing jobs")
    check_name(entity, "entity")
    check_name(project, "project")
    result = ctx.client.get_artifacts_of_type(entity=entity, project=project, type_="job")
    kind = result.project.artifact_type if result.project is not None else None
    if kind is None or kind.artifact_collections is None:
        return []
    return [
        edge.node.artifacts.model_dump(by_alias=True, mode="json")
        for edge in kind.artifact_collections.edges
        if edge.node is not None and edge.node.artifacts is not None
    ]
