# Generated from src/wandbkit/_async/artifacts/bundles.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Small files in bundles: many files of wandbkit's own server in one request
(:mod:`wandbkit._lang.artifact_bundle`), a part of :mod:`wandbkit._async.artifacts.transfer`.

Whatever a bundle does not deliver intact (a failed request, a refused or damaged item) is
fetched on its own through :func:`~wandbkit._async.artifacts.download_jobs.fetch_one`, so
bundles change only the speed.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from wandbkit._core.transfer import Tally, md5_digest_of
from wandbkit._lang.artifact_bundle import (
    BundleDecoder,
    BundleError,
    bundle_target,
    encode_request,
)
from wandbkit._sync.artifacts.download_jobs import (
    Batch,
    Download,
    fetch_one,
    in_parts,
    settled,
)

__all__ = ["BUNDLE_MAX_FILES", "BUNDLE_MAX_FILE_BYTES", "Bundle", "download_bundle", "group"]


#: Files up to this size are asked for in bundles when the server offers them
#: (:mod:`wandbkit._lang.artifact_bundle`); bigger ones stream on their own.
BUNDLE_MAX_FILE_BYTES = 256 * 1024
#: At most this many files per bundle: enough that the per-request cost vanishes, few enough
#: that the workers share the files evenly.
BUNDLE_MAX_FILES = 64


@dataclass(frozen=True)
class Bundle:
    """Small files fetched in one request to the server's bundle route."""

    url: str
    jobs: tuple[Download, ...]
    tokens: tuple[str, ...]


def group(
    jobs: Sequence[Download], workers: int, multipart: bool | None = None
) -> list[Download | Bundle]:
    """The jobs, with the small files of a bundling server grouped into bundles (spread over
    at least ``workers`` bundles when there are enough files, so that all workers help)."""
    singles: list[Download | Bundle] = []
    by_url: dict[str, list[tuple[Download, str]]] = {}
    for job in jobs:
        target = None
        if (
            job.kind == "http"
            and not job.file.is_reference
            and not job.file.authenticate
            and job.file.size <= BUNDLE_MAX_FILE_BYTES
            and not in_parts(multipart, job.file.size)
        ):
            target = bundle_target(job.file.url)
        if target is None:
            singles.append(job)
        else:
            by_url.setdefault(target[0], []).append((job, target[1]))
    bundles: list[Download | Bundle] = []
    for url, members in by_url.items():
        if len(members) == 1:
            singles.append(members[0][0])
            continue
        # At least 1: a bundle has two members or more.
        count = max(math.ceil(len(members) / BUNDLE_MAX_FILES), min(workers, len(members) // 8))
        for i in range(count):
            part = members[i::count]
            bundles.append(
                Bundle(url, tuple(job for job, _ in part), tuple(token for _, token in part))
            )
    # Big files first: they take longest, and the bundles then fill the gaps.
    return singles + bundles


class BundleItem:
    """One file of a bundle while its bytes arrive: a temporary file beside its destination."""

    def __init__(self, job: Download) -> None:
        self.job = job
        handle, self.temp = tempfile.mkstemp(prefix=".wk-", suffix=".part", dir=job.dest.parent)
        self.sink = os.fdopen(handle, "wb")
        self.tally = Tally()

    def write(self, data: bytes) -> None:
        self.tally.add(data)
        self.sink.write(data)

    def discard(self) -> None:
        self.sink.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.temp)


def finish_item(batch: Batch, item: BundleItem) -> bool:
    """Put a fully received file in place if it is intact; False (and no file) if not."""
    item.sink.close()
    job, got = item.job, item.tally.result()
    if got.size != job.file.size or md5_digest_of(got.md5) != job.digest:
        item.discard()  # fetched again on its own, which raises if it is still wrong
        return False
    try:
        batch.add_to_cache(job, Path(item.temp))
        os.replace(item.temp, job.dest)
    except BaseException:
        item.discard()
        raise
    batch.totals.count(transferred=got.size)
    return True


def fetch_bundle(batch: Batch, bundle: Bundle, jobs: list[int]) -> set[int]:
    """Ask for the files ``jobs`` (indices into ``bundle.jobs``) in one request; the indices
    of those now in place. Anything else (a failed request, a refused or damaged item) is
    left to the caller, which fetches it on its own."""
    done: set[int] = set()
    current: BundleItem | None = None
    body = encode_request([bundle.tokens[i] for i in jobs])
    client = batch.transport.http_client
    try:
        # No key: every token authorizes its own file, as its signed URL would.
        with client.stream(
            "POST", bundle.url, content=body, headers={"Content-Type": "application/json"}
        ) as response:
            if response.status_code != 200:
                return done
            decoder = BundleDecoder(len(jobs))
            for chunk in response.iter_bytes():
                for part in decoder.feed(chunk):
                    index = jobs[part.index]
                    if part.status != 200:
                        continue
                    if current is None:
                        current = BundleItem(bundle.jobs[index])
                    current.write(part.data)
                    if part.last:
                        item, current = current, None
                        if finish_item(batch, item):
                            done.add(index)
    except (httpx.HTTPError, BundleError):
        pass  # the files not yet in place are fetched on their own
    finally:
        if current is not None:
            current.discard()
    return done


def download_bundle(batch: Batch, bundle: Bundle) -> None:
    """The files of a bundle: those present or cached as usual, the rest in one request, and
    whatever that did not deliver one by one."""
    wanted = [index for index, job in enumerate(bundle.jobs) if not settled(batch, job)]
    done = fetch_bundle(batch, bundle, wanted) if len(wanted) > 1 else set()
    for index in wanted:
        if index not in done:
            fetch_one(batch, bundle.jobs[index])
