"""Registries for the seeds: an organization's model and dataset registries with collections
of linked versions, aliases and tags, and a restricted registry with one member.

* :func:`seed_basic_registries`: for tests, over the versions of
  :func:`~wandbkit.server.seed.artifacts.seed_basic_artifacts` (run it first).
* :func:`seed_demo_registries`: the demo step, over the demo's artifacts.
* :func:`seed_registries_benchmark`: 20 registries x 50 collections x 10 versions, bulk-loaded.

Versions are linked into registry collections (portfolios) as ``artifact.link()`` does; their
sources stay where they were logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from wandbkit._lang.artifact_digest import artifact_digest
from wandbkit.server.seed.catalog import DemoContext, SeedResult
from wandbkit.server.store import NewArtifact, NewEntry, ProjectRow, Store, StoreError, UserRow
from wandbkit.server.store.artifact_collections import PORTFOLIO

__all__ = [
    "DEMO_REGISTRIES",
    "RegistryBenchmarkSeed",
    "RegistrySeed",
    "seed_basic_registries",
    "seed_demo_registries",
    "seed_registries_benchmark",
]

#: The registries the basic and demo seeds make (names without the prefix).
DEMO_REGISTRIES = ("model", "dataset", "restricted")
#: A member of the organization who is no member of the restricted registry.
READER = "reader"


@dataclass(frozen=True)
class RegistrySeed:
    """What the registry seed made (registry names without the ``wandb-registry-`` prefix).

    Attributes:
        organization: the organization.
        org_entity: its own entity, where the registries live.
        model: the model registry (collection ``classifier``, every model version linked,
            the last with alias ``production``; collection tags ``vision``, ``prod``).
        dataset: the dataset registry (collection ``images``, every dataset version linked,
            the first with alias ``golden``; collection tag ``vision``).
        restricted: a restricted registry whose only member is the seed's user (its admin),
            holding collection ``secret-classifier``.
        reader: an organization member who is not in the restricted registry.
    """

    organization: str
    org_entity: str
    model: str = "model"
    dataset: str = "dataset"
    restricted: str = "restricted"
    reader: str = READER


def _link(store: Store, registry: ProjectRow, type_name: str, name: str, pks: list[int]) -> int:
    collection = store.artifact_collections.ensure(registry.pk, type_name, name, kind=PORTFOLIO)
    for pk in pks:
        store.artifact_memberships.add(collection.pk, pk)
    return collection.pk


def _sequence_versions(store: Store, project: ProjectRow, name: str) -> list[int]:
    sequence = store.artifact_collections.get(project.pk, name)
    if sequence is None:
        raise StoreError(f"no artifact collection {name!r} in the source project; seed it first")
    rows = store.artifact_memberships.versions(sequence.pk, order="+versionIndex", limit=1000)
    return [row.artifact_pk for row in rows]


def _registry(
    store: Store,
    org_entity_pk: int,
    name: str,
    creator: UserRow,
    *,
    access: str = "PRIVATE",
    description: str | None = None,
    allow_all_artifact_types: bool = True,
    artifact_types: tuple[str, ...] = (),
) -> tuple[ProjectRow, bool]:
    entity = store.entities.get_by_pk(org_entity_pk)
    assert entity is not None
    found = store.projects.get(entity.pk, f"wandb-registry-{name}")
    if found is not None:
        return found, False
    created = store.registries.create(
        entity,
        f"wandb-registry-{name}",
        creator=creator,
        access=access,
        description=description,
        allow_all_artifact_types=allow_all_artifact_types,
        artifact_types=artifact_types,
    )
    return created, True


def seed_registries(
    store: Store, seed: SeedResult, source: ProjectRow, *, model: str, dataset: str
) -> RegistrySeed:
    """The registries over the versions of the sequences ``model`` and ``dataset`` in
    ``source``; registries that exist are left alone."""
    org = store.entities.get_organization(seed.organization)
    user = store.accounts.get_user(seed.username)
    assert org is not None and user is not None
    org_entity = store.entities.get_by_pk(org.entity_pk)
    assert org_entity is not None
    result = RegistrySeed(org.name, org_entity.name)
    reader = store.accounts.get_user(READER) or store.accounts.create_user(
        READER, name="Registry Reader", email="reader@example.com"
    )
    store.entities.add_organization_member(org.pk, reader.pk, role="member")
    models = _sequence_versions(store, source, model)
    datasets = _sequence_versions(store, source, dataset)
    registry, made = _registry(
        store,
        org_entity.pk,
        result.model,
        user,
        description="Models the organization ships.",
        allow_all_artifact_types=False,
        artifact_types=("model",),
    )
    if made:
        pk = _link(store, registry, "model", "classifier", models)
        store.artifact_memberships.set_aliases(pk, models[-1], ["production"])
        store.artifact_collections.add_tags(pk, ["vision", "prod"])
        store.artifact_collections.update(pk, description="The image classifier, released.")
    registry, made = _registry(
        store, org_entity.pk, result.dataset, user, description="Curated datasets."
    )
    if made:
        pk = _link(store, registry, "dataset", "images", datasets)
        store.artifact_memberships.set_aliases(pk, datasets[0], ["golden"])
        store.artifact_collections.add_tags(pk, ["vision"])
        _link(store, registry, "dataset", "images-holdout", datasets[-1:])
    registry, made = _registry(
        store,
        org_entity.pk,
        result.restricted,
        user,
        access="RESTRICTED",
        description="Release candidates, members only.",
    )
    if made:
        pk = _link(store, registry, "model", "secret-classifier", models[:1])
        store.artifact_memberships.set_aliases(pk, models[0], ["candidate"])
    return result


def seed_basic_registries(
    store: Store, seed: SeedResult, *, project: str = "artifacts"
) -> RegistrySeed:
    """The tests' registries, over the versions of ``<seed.entity>/<project>`` made by
    :func:`~wandbkit.server.seed.artifacts.seed_basic_artifacts`.

    Raises:
        StoreError: that project or its ``classifier``/``images`` collections are missing.
    """
    source = store.projects.find(seed.entity, project)
    if source is None:
        raise StoreError(f"no project {seed.entity}/{project}; run seed_basic_artifacts first")
    return seed_registries(store, seed, source, model="classifier", dataset="images")


def seed_demo_registries(ctx: DemoContext) -> None:
    """The demo step: the registries over the demo's artifacts (skipped without them)."""
    source = ctx.store.projects.get(ctx.user.entity_pk, "cifar10-augment")
    if source is None or ctx.store.artifact_collections.get(source.pk, "classifier") is None:
        return
    seed_registries(ctx.store, ctx.seed, source, model="classifier", dataset="images")


@dataclass(frozen=True)
class RegistryBenchmarkSeed:
    """The benchmark's registries: ``registries`` x ``collections`` x ``versions`` links in
    ``organization``; every ``tag_every``-th version of a collection carries tag ``tag``."""

    organization: str
    registries: int
    collections: int
    versions: int
    tag: str = "gold"
    tag_every: int = 10

    @property
    def tagged(self) -> int:
        """How many linked versions carry the tag."""
        per_collection = len(range(0, self.versions, self.tag_every))
        return self.registries * self.collections * per_collection


def seed_registries_benchmark(
    store: Store,
    seed: SeedResult,
    *,
    registries: int = 20,
    collections: int = 50,
    versions: int = 10,
) -> RegistryBenchmarkSeed:
    """Bulk-load registries for the benchmark (store calls and bulk inserts, no GraphQL): the
    source versions live in ``<seed.entity>/registry-bench-source``, one sequence per
    collection index, each linked into that collection of every registry."""
    bench = RegistryBenchmarkSeed(seed.organization, registries, collections, versions)
    org = store.entities.get_organization(seed.organization)
    user = store.accounts.get_user(seed.username)
    entity = store.entities.get(seed.entity)
    assert org is not None and user is not None and entity is not None
    source, _ = store.projects.upsert(entity.pk, "registry-bench-source", creator_pk=user.pk)
    blob = store.artifact_manifests.put_blob(b"weights", fsync=False)
    entries = [NewEntry("weights.bin", blob.md5, 7)]
    sequences: list[list[int]] = []
    for c in range(collections):
        batch = [
            NewArtifact(
                digest=artifact_digest([("weights.bin", blob.md5), ("seq", f"{c}-{v}")]),
                entries=entries,
                metadata={"collection": c, "version": v},
                tags=(bench.tag,) if v % bench.tag_every == 0 else (),
            )
            for v in range(versions)
        ]
        sequences.append(store.artifacts.bulk_create(source.pk, "model", f"seq-{c:03d}", batch))
    for r in range(registries):
        registry, made = _registry(store, org.entity_pk, f"bench-{r:02d}", user)
        if not made:
            continue
        for c, pks in enumerate(sequences):
            portfolio = store.artifact_collections.ensure(
                registry.pk, "model", f"collection-{c:03d}", kind=PORTFOLIO
            )
            store.artifact_memberships.bulk_add(portfolio.pk, pks)
    return bench
