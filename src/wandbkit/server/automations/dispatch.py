"""The automations dispatcher: hears the store's committed facts, finds the enabled triggers
they match, records each firing and runs its action.

It listens to :mod:`wandbkit.server.store.events`, so every write path fires automations alike
(``upsertBucket``, ``file_stream``, the crash watcher, ``commitArtifact``, ``linkArtifact``,
alias and tag mutations). Facts become W&B events here:

===========================  ==================================================================
fact                         event (scopes it is looked for in)
===========================  ==================================================================
a run's summary or history   ``RUN_METRIC``, ``RUN_METRIC_CHANGE``, ``RUN_METRIC_ZSCORE``
                             (its project, its entity): fire when the condition *becomes* true
a run's state changed        ``RUN_STATE`` (its project, its entity)
a version committed          ``CREATE_ARTIFACT`` (its sequence)
a member of a portfolio      ``LINK_MODEL`` / ``UNLINK_ARTIFACT`` (the portfolio, its project
                             (a registry is one), its entity)
aliases given                ``ADD_ARTIFACT_ALIAS``, once per alias (the collection, ...)
tags of a version            ``ADD_ARTIFACT_TAG`` / ``REMOVE_ARTIFACT_TAG``, once per tag (the
                             version's collections, their projects, the entity)
tags of a collection         ``ADD_COLLECTION_TAG`` / ``REMOVE_COLLECTION_TAG``
===========================  ==================================================================

The work runs in the writer's thread right after its commit, but costs one indexed query when
no trigger is enabled; webhook requests go out on the sender's threads.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from wandbkit.server.actor import current_actor
from wandbkit.server.automations.conditions import (
    matches_mutation_filter,
    parse_metric_condition,
    run_filter_of,
)
from wandbkit.server.automations.payload import fill_template
from wandbkit.server.automations.spec import RUN_METRIC_EVENTS
from wandbkit.server.automations.webhook import WebhookPolicy, WebhookSender
from wandbkit.server.store import ArtifactCollectionRow, ProjectRow, RunRow, Store, TriggerRow
from wandbkit.server.store.automations import PENDING, RECORDED
from wandbkit.server.store.events import (
    AliasesAdded,
    ArtifactCommitted,
    ArtifactTagsChanged,
    CollectionTagsChanged,
    MembershipChanged,
    RunChanged,
    StoreEvent,
)

__all__ = ["Dispatcher", "WebhookPolicy"]

_log = logging.getLogger("wandbkit.server.automations")
#: The key the dispatcher subscribes to the store's events under.
LISTENER_KEY = "automations"
#: W&B's coarse run states, as run state filters name them.
COARSE_STATES = {
    "running": "RUNNING",
    "finished": "FINISHED",
    "failed": "FAILED",
    "crashed": "FAILED",
    "killed": "FAILED",
}


@dataclass
class _Occasion:
    """One W&B event: its type, the scopes it is looked for in, the values its filter tests
    (``alias``, ``tag``) and the payload variables."""

    event_type: str
    scopes: list[tuple[str, int]]
    variables: dict[str, Any]
    values: dict[str, list[str]] = field(default_factory=dict)


class Dispatcher:
    """Evaluates triggers on the store's committed writes and runs their actions.

    Args:
        store: the server's store.
        policy: how webhooks are retried (:class:`WebhookPolicy`).
    """

    def __init__(self, store: Store, policy: WebhookPolicy | None = None) -> None:
        self.store = store
        self.sender = WebhookSender(store, policy)

    def attach(self) -> Dispatcher:
        """Start listening to the store (replacing an earlier dispatcher of the same store)."""
        self.store.db.events.subscribe(LISTENER_KEY, self.handle)
        return self

    def detach(self) -> None:
        """Stop listening and wait for the webhooks under way."""
        self.store.db.events.unsubscribe(LISTENER_KEY)
        self.sender.close()

    def handle(self, events: Sequence[StoreEvent]) -> None:
        """Evaluate one committed batch of facts."""
        if not self.store.automations.any_enabled():
            return
        runs: dict[int, RunChanged] = {}
        for event in events:
            if isinstance(event, RunChanged):
                # One write may touch a run several times: keep its first state, its last,
                # and whether any touch changed its metrics.
                seen = runs.get(event.run_pk)
                runs[event.run_pk] = (
                    event
                    if seen is None
                    else RunChanged(
                        event.run_pk, seen.old_state, event.new_state, seen.metrics or event.metrics
                    )
                )
            else:
                for occasion in self._occasions(event):
                    self._fire_matching(occasion)
        for change in runs.values():
            self._on_run(change)

    # -- runs ----------------------------------------------------------------------------

    def _on_run(self, change: RunChanged) -> None:
        run = self.store.runs.get_by_pk(change.run_pk)
        project = self.store.projects.get_by_pk(run.project_pk) if run else None
        if run is None or project is None:
            return
        types: tuple[str, ...] = RUN_METRIC_EVENTS if change.metrics else ()
        if change.old_state != change.new_state:
            types += ("RUN_STATE",)
        scopes = [("PROJECT", project.pk), ("ENTITY", project.entity_pk)]
        for trigger in self.store.automations.enabled_for(scopes, types):
            event_filter = json.loads(trigger.event_filter)
            if not self._run_matches(project, run, event_filter):
                continue
            # The payload variables cost queries: they are made only for a firing.
            if trigger.event_type == "RUN_STATE":
                states = {s.upper() for s in event_filter["run_state_filter"]["states"]}
                coarse = COARSE_STATES.get(run.state)
                if coarse in states and COARSE_STATES.get(change.old_state) != coarse:
                    self._fire(trigger, self._run_variables(trigger.event_type, project, run))
                continue
            condition = parse_metric_condition(trigger.event_type, event_filter)
            values = self._series(trigger, run, condition.name, condition.needed)
            holds = condition.holds(values)
            held = self.store.automations.swap_mark(trigger.pk, run.pk, holds)
            if holds and not held:
                variables = self._run_variables(trigger.event_type, project, run) | {
                    "metric_name": condition.name,
                    "metric_value": condition.measure(values),
                }
                self._fire(trigger, variables)

    def _run_matches(self, project: ProjectRow, run: RunRow, event_filter: dict[str, Any]) -> bool:
        run_filter = run_filter_of(event_filter)
        if not run_filter or run_filter == {"$and": []}:
            return True
        return self.store.run_listing.count(project.pk, filters=run_filter, names=[run.name]) > 0

    def _series(self, trigger: TriggerRow, run: RunRow, name: str, needed: int) -> list[float]:
        """The metric's last ``needed`` values, oldest first.

        A run that logs the metric: its logged values, then the summary's value when it
        differs from the last logged one (an ``upsertBucket`` summary write). A run that only
        writes its summary (``run.summary.update``, ``upsertBucket`` without history): the
        values its summary writes gave the metric while this automation watched, each write
        that changed it counting as one value, so change and z-score filters work on them too.
        """
        values: list[float] = []
        for text in self.store.history.tail(run.pk, needed * 4 + 10):
            value = json.loads(text).get(name)
            if _is_number(value):
                values.append(float(value))
        summary = json.loads(run.summary).get(name)
        if not values:
            if not _is_number(summary):
                return []
            return self.store.automations.push_summary_value(
                trigger.pk, run.pk, float(summary), keep=needed
            )
        if _is_number(summary) and values[-1] != float(summary):
            values.append(float(summary))
        return values[-needed:]

    def _author(self, fallback_pk: int | None) -> str | None:
        """``${event_author}``: the user whose request made the write, else (a write outside
        a request, such as the crash watcher's) ``fallback_pk``'s."""
        author_pk = current_actor() or fallback_pk
        author = self.store.accounts.get_user_by_pk(author_pk) if author_pk else None
        return author.username if author else None

    def _run_variables(self, event_type: str, project: ProjectRow, run: RunRow) -> dict[str, Any]:
        return {
            **self._project_variables(event_type, project),
            "event_author": self._author(run.user_pk),
            "run_name": run.display_name or run.name,
            "run_id": run.name,
            "run_state": run.state,
        }

    def _project_variables(self, event_type: str, project: ProjectRow) -> dict[str, Any]:
        entity = self.store.entities.get_by_pk(project.entity_pk)
        return {
            "event_type": event_type,
            "entity_name": entity.name if entity else None,
            "project_name": project.name,
        }

    # -- artifacts -----------------------------------------------------------------------

    def _occasions(self, event: StoreEvent) -> Iterator[_Occasion]:
        if isinstance(event, ArtifactCommitted):
            aliases = [
                a.alias
                for a in self.store.artifact_memberships.aliases(
                    event.sequence_pk, event.artifact_pk
                )
            ]
            created = self._artifact_occasion(
                "CREATE_ARTIFACT",
                event.sequence_pk,
                event.artifact_pk,
                alias=aliases,
                scopes_up=False,
            )
            if created is not None:
                yield created
        elif isinstance(event, MembershipChanged):
            collection = self.store.artifact_collections.get_by_pk(
                event.collection_pk, include_deleted=True
            )
            if collection is not None and not collection.is_sequence:
                kind = "LINK_MODEL" if event.added else "UNLINK_ARTIFACT"
                aliases = [
                    a.alias
                    for a in self.store.artifact_memberships.aliases(
                        event.collection_pk, event.artifact_pk
                    )
                ]
                linked = self._artifact_occasion(
                    kind, event.collection_pk, event.artifact_pk, alias=aliases
                )
                if linked is not None:
                    yield linked
        elif isinstance(event, AliasesAdded):
            for alias in event.aliases:
                aliased = self._artifact_occasion(
                    "ADD_ARTIFACT_ALIAS", event.collection_pk, event.artifact_pk, alias=[alias]
                )
                if aliased is not None:
                    yield aliased
        elif isinstance(event, ArtifactTagsChanged):
            kind = "ADD_ARTIFACT_TAG" if event.added else "REMOVE_ARTIFACT_TAG"
            artifact = self.store.artifacts.get_by_pk(event.artifact_pk)
            if artifact is None or artifact.state != "COMMITTED":
                return
            # One event per tag, looked for in every collection the version is in (its
            # variables are those of its sequence): the collections are looked up once.
            memberships = self.store.artifact_memberships.of_artifact(event.artifact_pk)
            occasions = [
                occasion
                for m in memberships
                if (occasion := self._artifact_occasion(kind, m.collection_pk, m.artifact_pk))
                is not None
            ]
            if not occasions:
                return
            first = next(
                (
                    o
                    for o in occasions
                    if o.scopes[0] == ("ARTIFACT_COLLECTION", artifact.sequence_pk)
                ),
                occasions[0],
            )
            scopes = list(dict.fromkeys(scope for o in occasions for scope in o.scopes))
            for tag in event.tags:
                yield _Occasion(
                    kind, scopes, first.variables | {"tag": tag}, first.values | {"tag": [tag]}
                )
        elif isinstance(event, CollectionTagsChanged):
            kind = "ADD_COLLECTION_TAG" if event.added else "REMOVE_COLLECTION_TAG"
            collection = self.store.artifact_collections.get_by_pk(event.collection_pk)
            project = self.store.projects.get_by_pk(collection.project_pk) if collection else None
            if collection is None or project is None:
                return
            for tag in event.tags:
                variables = self._project_variables(kind, project) | {
                    "event_author": self._author(None),
                    "artifact_collection_name": collection.name,
                    "tag": tag,
                }
                yield _Occasion(kind, self._scopes(collection, project), variables, {"tag": [tag]})

    def _scopes(
        self, collection: ArtifactCollectionRow, project: ProjectRow
    ) -> list[tuple[str, int]]:
        return [
            ("ARTIFACT_COLLECTION", collection.pk),
            ("PROJECT", project.pk),
            ("ENTITY", project.entity_pk),
        ]

    def _artifact_occasion(
        self,
        event_type: str,
        collection_pk: int,
        artifact_pk: int,
        *,
        alias: list[str] | None = None,
        scopes_up: bool = True,
    ) -> _Occasion | None:
        collection = self.store.artifact_collections.get_by_pk(collection_pk, include_deleted=True)
        artifact = self.store.artifacts.get_by_pk(artifact_pk)
        project = self.store.projects.get_by_pk(collection.project_pk) if collection else None
        if collection is None or artifact is None or project is None:
            return None
        membership = self.store.artifact_memberships.get(collection_pk, artifact_pk)
        variables = self._project_variables(event_type, project)
        version = f"v{membership.version_index}" if membership else None
        type_row = self.store.artifact_collections.get_type_by_pk(artifact.type_pk)
        author_pk = artifact.created_by_user_pk
        if author_pk is None and artifact.created_by_run_pk is not None:
            run = self.store.runs.get_by_pk(artifact.created_by_run_pk)
            author_pk = run.user_pk if run else None
        metadata = json.loads(artifact.metadata or "{}")
        version_string = f"{variables['entity_name']}/{project.name}/{collection.name}:{version}"
        variables |= {
            "event_author": self._author(author_pk),
            "artifact_collection_name": collection.name,
            "artifact_version_string": version_string,
            "artifact_metadata": metadata,
            "artifact_version": {
                "name": f"{collection.name}:{version}",
                "version": version,
                "type": type_row.name if type_row else None,
                "digest": artifact.digest,
                "entity": variables["entity_name"],
                "project": project.name,
                "aliases": sorted(alias or []),
                "metadata": metadata,
            },
        }
        values: dict[str, list[str]] = {}
        if alias is not None:
            values["alias"] = alias
            if len(alias) == 1 or event_type == "ADD_ARTIFACT_ALIAS":
                variables["alias"] = alias[0] if alias else None
        scopes = (
            self._scopes(collection, project)
            if scopes_up
            else [("ARTIFACT_COLLECTION", collection.pk)]
        )
        return _Occasion(event_type, scopes, variables, values)

    def _fire_matching(self, occasion: _Occasion) -> None:
        for trigger in self.store.automations.enabled_for(occasion.scopes, (occasion.event_type,)):
            if matches_mutation_filter(json.loads(trigger.event_filter), occasion.values):
                self._fire(trigger, occasion.variables)

    # -- actions -------------------------------------------------------------------------

    def _fire(self, trigger: TriggerRow, variables: dict[str, Any]) -> None:
        config = json.loads(trigger.action_config)
        event = json.dumps(variables, separators=(",", ":"), default=str)
        integration = (
            self.store.automations.integration(trigger.integration_pk)
            if trigger.integration_pk is not None
            else None
        )
        automations = self.store.automations
        if (
            trigger.action_type == "GENERIC_WEBHOOK"
            and integration is not None
            and integration.url_endpoint
        ):
            template = config.get("request_payload")
            body = fill_template(template, variables) if template is not None else variables
            text = json.dumps(body, separators=(",", ":"), default=str)
            firing = automations.record_firing(
                trigger, event=event, payload=text, url=integration.url_endpoint, status=PENDING
            )
            self.sender.submit(firing.pk, integration.url_endpoint, text.encode())
            return
        payload: dict[str, Any] | None = None
        if trigger.action_type == "NOTIFICATION":
            payload = {
                "team_name": integration.team_name if integration else None,
                "channel_name": integration.channel_name if integration else None,
                "title": fill_template(config.get("title", ""), variables),
                "message": fill_template(config.get("message", ""), variables),
                "severity": config.get("severity"),
            }
        elif trigger.action_type == "ARIA":
            payload = {"prompt": config.get("prompt")}
        automations.record_firing(
            trigger,
            event=event,
            payload=json.dumps(payload, default=str) if payload is not None else None,
            url=None,
            status=RECORDED,
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
