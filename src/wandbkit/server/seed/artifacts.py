"""Artifacts for the seeds: a dataset and a model with several versions, aliases, tags,
lineage and a portfolio link, at three sizes.

* :func:`seed_basic_artifacts`: small (tens of small files) for tests, on top of
  :func:`~wandbkit.server.seed.basic.seed_basic`.
* :func:`seed_demo_artifacts`: the demo step (a dataset of hundreds of 1-20 KB files, a model
  of a few files of a few MB).
* :func:`seed_artifacts_benchmark`: 1,000 small files, 5 files of 50 MB, and a collection of
  1,000 versions, loaded with bulk inserts.

File bytes are generated deterministically from a seed and stored once by md5
(:meth:`~wandbkit.server.store.artifact_manifests.ArtifactManifests.put_blob`), so the same
content in two versions costs its bytes once.
"""

from __future__ import annotations

import functools
import json
import random
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from wandbkit.server.seed.catalog import DemoContext, SeedResult, store_files, version
from wandbkit.server.store import ProjectRow, RunRow, Store
from wandbkit.server.store.artifact_collections import PORTFOLIO


@dataclass(frozen=True)
class ArtifactSeed:
    """What an artifact seed made: ``entity/project``, the collections and the runs.

    Attributes:
        entity: the entity.
        project: the project.
        dataset: the dataset sequence (type ``dataset``).
        model: the model sequence (type ``model``).
        portfolio: a portfolio the latest model version is linked into.
        producer: the run that logged every version.
        consumer: the run that used ``dataset:latest`` and ``model:production``.
        dataset_versions: how many versions the dataset has.
        model_versions: how many versions the model has.
    """

    entity: str
    project: str
    dataset: str
    model: str
    portfolio: str
    producer: str
    consumer: str
    dataset_versions: int
    model_versions: int


#: Files larger than this are tiled from one random block (generating 250 MB of random bytes
#: would take longer than everything else the benchmark seed does).
_TILE = 1 << 20


@functools.lru_cache(maxsize=1)
def _tile() -> bytes:
    return random.Random(0).randbytes(_TILE)


def generated_bytes(seed: int, size: int) -> bytes:
    """``size`` pseudo-random bytes, the same for the same ``seed``: random up to 1 MiB;
    larger, 1 MiB random tiles each stamped with the seed and its position, so no two files
    and no two tiles of a file are alike."""
    if size <= _TILE:
        return random.Random(seed).randbytes(size)
    data = bytearray(_tile() * -(-size // _TILE))
    for offset in range(0, len(data), _TILE):
        data[offset : offset + 16] = struct.pack(">qq", seed, offset)
    del data[size:]
    return bytes(data)


def _dataset_files(count: int, revision: int, sizes: tuple[int, int]) -> dict[str, bytes]:
    # Each revision changes every fifth file and adds a few, as a dataset refresh would.
    rng = random.Random(1000 + count)
    files: dict[str, bytes] = {}
    for i in range(count + 3 * revision):
        split = "train" if i % 5 else "test"
        changed = revision if i % 5 == 0 else 0
        size = rng.randint(*sizes)
        files[f"{split}/sample_{i:04d}.bin"] = generated_bytes(i * 7919 + changed, size)
    files["labels.json"] = json.dumps(
        {"classes": ["cat", "dog", "bird"], "revision": revision}
    ).encode()
    return files


def _model_files(revision: int, weight_sizes: Sequence[int]) -> dict[str, bytes]:
    files = {
        f"weights/part-{i}.bin": generated_bytes(50_000 + 10 * revision + i, size)
        for i, size in enumerate(weight_sizes)
    }
    files["config.json"] = json.dumps({"layers": 4 + revision, "hidden": 256}).encode()
    return files


def seed_artifacts(
    store: Store,
    project: ProjectRow,
    producer: RunRow,
    consumer: RunRow,
    *,
    dataset_files: int,
    dataset_sizes: tuple[int, int],
    weight_sizes: Sequence[int],
    dataset_versions: int = 3,
    model_versions: int = 2,
) -> ArtifactSeed:
    """A dataset and a model in ``project``, logged by the ``producer`` run and used by the
    ``consumer`` run; aliases ``latest``, ``best`` and ``production``; tags; the latest model
    linked into a portfolio. Existing collections of the same names are left alone."""
    entity = store.entities.get_by_pk(project.entity_pk)
    assert entity is not None
    seed = ArtifactSeed(
        entity=entity.name,
        project=project.name,
        dataset="images",
        model="classifier",
        portfolio="classifier-releases",
        producer=producer.name,
        consumer=consumer.name,
        dataset_versions=dataset_versions,
        model_versions=model_versions,
    )
    collections = store.artifact_collections
    if collections.get(project.pk, seed.dataset) is not None:
        return seed
    artifacts = store.artifacts
    datasets = [
        version(
            store_files(store, _dataset_files(dataset_files, revision, dataset_sizes)),
            description=f"Image samples, refresh {revision}",
            metadata={"revision": revision, "source": "synthetic"},
            aliases=("best",) if revision == dataset_versions - 2 else (),
            tags=("raw",) if revision == 0 else ("clean",),
            created_by_run_pk=producer.pk,
            history_step=revision,
        )
        for revision in range(dataset_versions)
    ]
    dataset_pks = artifacts.bulk_create(project.pk, "dataset", seed.dataset, datasets)
    models = [
        version(
            store_files(store, _model_files(revision, weight_sizes)),
            description=f"Classifier checkpoint {revision}",
            metadata={"accuracy": round(0.8 + 0.05 * revision, 3), "epochs": 10 * (revision + 1)},
            aliases=("production",) if revision == model_versions - 1 else ("best",),
            tags=("candidate",),
            created_by_run_pk=producer.pk,
        )
        for revision in range(model_versions)
    ]
    model_pks = artifacts.bulk_create(project.pk, "model", seed.model, models)
    dataset = collections.get(project.pk, seed.dataset)
    model = collections.get(project.pk, seed.model)
    assert dataset is not None and model is not None
    collections.add_tags(dataset.pk, ["vision"])
    collections.update(dataset.pk, description="Synthetic image samples for the demo.")
    collections.update(model.pk, description="An image classifier.")
    portfolio = collections.ensure(project.pk, "model", seed.portfolio, kind=PORTFOLIO)
    store.artifact_memberships.add(portfolio.pk, model_pks[-1])
    store.artifact_memberships.set_aliases(portfolio.pk, model_pks[-1], ["staging"])
    artifacts.bulk_use([(dataset_pks[-1], consumer.pk), (model_pks[-1], consumer.pk)])
    return seed


def seed_basic_artifacts(
    store: Store, seed: SeedResult, *, project: str = "artifacts"
) -> ArtifactSeed:
    """The tests' artifacts, in ``<seed.entity>/<project>`` (created if missing): a dataset of
    about 20 small files in 3 versions and a model of 2 small files in 2 versions."""
    entity = store.entities.get(seed.entity)
    user = store.accounts.get_user(seed.username)
    assert entity is not None and user is not None
    row = store.projects.get(entity.pk, project)
    if row is None:
        row, _ = store.projects.upsert(entity.pk, project, creator_pk=user.pk)
    runs = store.runs
    producer = runs.get(row.pk, "producer") or runs.create(
        row.pk, "producer", user_pk=user.pk, job_type="dataset-build", state="finished"
    )
    consumer = runs.get(row.pk, "consumer") or runs.create(
        row.pk, "consumer", user_pk=user.pk, job_type="train", state="finished"
    )
    return seed_artifacts(
        store,
        row,
        producer,
        consumer,
        dataset_files=20,
        dataset_sizes=(64, 2048),
        weight_sizes=(4096, 1024),
    )


#: The demo project that holds the demo's artifacts.
DEMO_ARTIFACT_PROJECT = "cifar10-augment"


def seed_demo_artifacts(ctx: DemoContext) -> None:
    """The demo step: in ``<user>/cifar10-augment``, a dataset of 300 files of 1-20 KB and a
    model of three files of 1-3 MB, logged by the project's first run and used by its last."""
    project = ctx.store.projects.get(ctx.user.entity_pk, DEMO_ARTIFACT_PROJECT)
    runs = ctx.store.run_listing.list(project.pk, order="+created_at") if project else []
    if project is None or len(runs) < 2:
        return
    seed_artifacts(
        ctx.store,
        project,
        runs[0],
        runs[-1],
        dataset_files=300,
        dataset_sizes=(1024, 20 * 1024),
        weight_sizes=(3 << 20, 2 << 20, 1 << 20),
    )


@dataclass(frozen=True)
class ArtifactBenchmarkSeed:
    """The benchmark's artifacts, all in ``entity/project``: ``small`` (1,000 files of 1-20
    KB), ``large`` (5 files of 50 MB) and ``many`` (a collection of 1,000 versions)."""

    entity: str
    project: str
    small: str = "small-files"
    large: str = "large-files"
    many: str = "many-versions"
    small_files: int = 1000
    large_files: int = 5
    large_file_size: int = 50 << 20
    versions: int = 1000


def seed_artifacts_benchmark(
    store: Store,
    project: ProjectRow,
    *,
    small_files: int = 1000,
    large_files: int = 5,
    large_file_size: int = 50 << 20,
    versions: int = 1000,
) -> ArtifactBenchmarkSeed:
    """Bulk-load the benchmark's artifacts into ``project`` (bulk inserts, no GraphQL)."""
    entity = store.entities.get_by_pk(project.entity_pk)
    assert entity is not None
    bench = ArtifactBenchmarkSeed(
        entity.name,
        project.name,
        small_files=small_files,
        large_files=large_files,
        large_file_size=large_file_size,
        versions=versions,
    )
    rng = random.Random(7)
    small = {
        f"files/{i:04d}.bin": generated_bytes(10_000 + i, rng.randint(1024, 20 * 1024))
        for i in range(small_files)
    }
    store.artifacts.bulk_create(
        project.pk, "dataset", bench.small, [version(store_files(store, small))]
    )
    # One large file in memory at a time.
    large = [
        entry
        for i in range(large_files)
        for entry in store_files(
            store, {f"shard-{i}.bin": generated_bytes(90_000 + i, large_file_size)}
        )
    ]
    store.artifacts.bulk_create(project.pk, "model", bench.large, [version(large)])
    entries = store_files(store, {"value.txt": b"0"})
    many = [
        version(entries, metadata={"step": i}, description=f"version {i}") for i in range(versions)
    ]
    store.artifacts.bulk_create(project.pk, "model", bench.many, many)
    return bench
