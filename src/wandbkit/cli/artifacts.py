"""``wandbkit artifact ls|get|publish|verify`` and the artifact half of ``wandbkit download``.

Every command calls the library: ``Project.collections`` and ``ArtifactCollection.artifacts``
to list, ``Api.artifact`` to read a version, ``Api.create_artifact`` (the publishing draft) to
publish, and ``Artifact.verify`` / ``Artifact.download`` for local copies.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from wandbkit.cli._common import (
    connection_options,
    handle_errors,
    json_object,
    limited,
    out_console,
    session,
    split_path,
)
from wandbkit.cli.render import (
    FORMATS,
    jsonable,
    print_fields,
    write_json,
    write_listing,
    write_records,
)

if TYPE_CHECKING:
    import wandbkit

__all__ = ["COMMANDS", "artifact", "download_artifact", "is_artifact_name", "version_row"]

#: The columns of a listing of collections, and of versions (json/csv add the rest).
COLLECTION_COLUMNS = ("type", "name", "description", "tags", "created_at")
VERSION_COLUMNS = ("name", "version", "aliases", "tags", "size", "files", "created_at")
_VERSION_EXTRA = ("type", "state", "digest", "description", "metadata", "url")


def is_artifact_name(text: str) -> bool:
    """Whether ``text`` names an artifact version (``[entity/[project/]]name:alias``) rather
    than a run or a run's file (``entity/project/run_id[/file]``, whose run id has no colon)."""
    parts = [part for part in text.strip("/").split("/") if part]
    return 0 < len(parts) <= 3 and ":" in parts[-1]


def version_row(art: wandbkit.Artifact) -> dict[str, Any]:
    """The fields of one version as a listing shows them."""
    return {
        "name": art.qualified_name,
        "version": art.version,
        "aliases": art.aliases,
        "tags": art.tags,
        "size": art.size,
        "files": art.file_count,
        "created_at": art.created_at,
        "type": art.type,
        "state": art.state,
        "digest": art.digest,
        "description": art.description,
        "metadata": art.metadata,
        "url": art.url,
    }


def _collection_row(collection: wandbkit.ArtifactCollection) -> dict[str, Any]:
    return {
        "type": collection.type,
        "name": collection.name,
        "description": collection.description,
        "tags": collection.tags,
        "created_at": collection.created_at,
        "entity": collection.entity,
        "project": collection.project,
        "id": collection.id,
    }


def _find_collection(
    api: wandbkit.Api, entity: str, project: str, name: str, type_name: str | None
) -> wandbkit.ArtifactCollection:
    from wandbkit.errors import NotFoundError

    path = f"{entity}/{project}/{name}"
    if type_name is not None:
        return api.artifact_collection(type_name, path)
    for found in api.project(project, entity=entity).collections(filters={"name": name}):
        if found.name == name:
            return found  # type: ignore[no-any-return]
    raise NotFoundError(f"artifact collection {path!r} not found")


@click.group(
    "artifact",
    epilog="""\b
Examples:
  wandbkit artifact ls demo/cifar10-augment
  wandbkit artifact get demo/cifar10-augment/classifier:latest
  wandbkit artifact publish demo/mnist/dataset data/ --type dataset --alias best
  wandbkit artifact verify demo/cifar10-augment/classifier:v1 --root ./model
""",
)
def artifact() -> None:
    """List, show, publish and verify artifact versions."""


LS_EPILOG = """\b
Examples:
  wandbkit artifact ls demo/cifar10-augment                    # its collections
  wandbkit artifact ls demo/cifar10-augment --type model
  wandbkit artifact ls demo/cifar10-augment/classifier         # a collection's versions
  wandbkit artifact ls demo/cifar10-augment/images --format json
"""


@artifact.command("ls", epilog=LS_EPILOG)
@click.argument("path", metavar="ENTITY/PROJECT[/COLLECTION]")
@click.option("--type", "type_name", metavar="TYPE", help="Only collections of this type.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Show at most N rows.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@connection_options
@handle_errors
def ls(path: str, type_name: str | None, limit: int | None, fmt: str) -> None:
    """List a project's artifact collections, or the versions of one collection."""
    parts = split_path(path, (2, 3), "ENTITY/PROJECT[/COLLECTION]")
    if ":" in parts[-1]:
        raise click.BadParameter(
            f"{path!r} names a version; use 'wandbkit artifact get {path}'",
            param_hint="ENTITY/PROJECT[/COLLECTION]",
        )
    api = session(click.get_current_context()).api()
    if len(parts) == 2:
        entity, project = parts
        collections: Iterable[wandbkit.ArtifactCollection] = (
            api.project(project, entity=entity).collections()
            if type_name is None
            else api.artifact_collections(path, type_name)
        )
        rows = (_collection_row(c) for c in limited(collections, limit))
        write_listing(fmt, COLLECTION_COLUMNS, rows, f"collections in {path}", extra=("id",))
        return
    entity, project, name = parts
    collection = _find_collection(api, entity, project, name, type_name)
    versions = (version_row(a) for a in limited(collection.artifacts(), limit))
    what = f"versions of {path} ({collection.type})"
    write_listing(fmt, VERSION_COLUMNS, versions, what, extra=_VERSION_EXTRA)


GET_EPILOG = """\b
Examples:
  wandbkit artifact get demo/cifar10-augment/classifier:latest
  wandbkit artifact get demo/cifar10-augment/images:v1 --type dataset --format json
  wandbkit artifact get demo-org/wandb-registry-model/classifier:v0
"""


@artifact.command("get", epilog=GET_EPILOG)
@click.argument("name", metavar="NAME")
@click.option("--type", "type_name", metavar="TYPE", help="Fail unless the version is this type.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@connection_options
@handle_errors
def get(name: str, type_name: str | None, fmt: str) -> None:
    """Show one artifact version: its fields, metadata and files.

    NAME is [entity/project/]collection:alias (alias a version like v3, or latest), or a
    registry name, [organization/]wandb-registry-REGISTRY/collection:alias.
    """
    api = session(click.get_current_context()).api()
    art = api.artifact(name, type=type_name)
    fields = version_row(art)
    entries = sorted(art.get_manifest().entries.values(), key=lambda e: e.path)
    files = [{"path": e.path, "size": e.size, "digest": e.digest, "ref": e.ref} for e in entries]
    if fmt == "json":
        write_json([jsonable({**fields, "files": files})], sys.stdout)
        return
    print_fields({k: v for k, v in fields.items() if k != "metadata"})
    if art.metadata:
        print_fields({f"metadata.{k}": v for k, v in sorted(art.metadata.items())})
    out_console().print()
    write_records("table", ["path", "size", "digest", "ref"], files, sys.stdout, title="files")


PUBLISH_EPILOG = """\b
Examples:
  wandbkit artifact publish demo/mnist/dataset data/ --type dataset
  wandbkit artifact publish demo/mnist/model model.pt config.yaml --type model \\
      --alias best --alias prod --metadata '{"accuracy": 0.98}'
"""


@artifact.command("publish", epilog=PUBLISH_EPILOG)
@click.argument("name", metavar="ENTITY/PROJECT/COLLECTION")
@click.argument(
    "paths",
    metavar="PATH...",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, path_type=Path),
)
@click.option("--type", "type_name", required=True, metavar="TYPE", help="The artifact type.")
@click.option("--alias", "aliases", multiple=True, metavar="ALIAS", help="An alias; repeatable.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="A tag; repeatable.")
@click.option("--metadata", metavar="JSON", help="A JSON object of metadata.")
@click.option("--description", metavar="TEXT", help="What the version holds.")
@connection_options
@handle_errors
def publish(
    name: str,
    paths: tuple[Path, ...],
    type_name: str,
    aliases: tuple[str, ...],
    tags: tuple[str, ...],
    metadata: str | None,
    description: str | None,
) -> None:
    """Publish files and directories as the next version of a collection.

    A directory's files keep their paths below it; a file goes to the top level. Files the
    server already holds are not uploaded again; the same contents as an existing version
    answer that version. Prints the new version's name.
    """
    meta = json_object(metadata, "--metadata", '{"accuracy": 0.98}')
    api = session(click.get_current_context()).api()
    draft = api.create_artifact(
        name,
        type_name,
        description=description,
        metadata=meta,
        aliases=list(aliases) or None,
        tags=list(tags) or None,
    )
    for path in paths:
        if path.is_dir():
            draft.add_dir(path)
        else:
            draft.add_file(path)
    published = draft.publish()
    click.echo(f"{published.entity}/{published.project}/{published.source_name}")
    click.echo(
        f"published {published.file_count} files ({published.size} bytes) as "
        f"{published.version}, aliases {', '.join(published.aliases)}",
        err=True,
    )


VERIFY_EPILOG = """\b
Examples:
  wandbkit download demo/cifar10-augment/classifier:v1 --root ./model
  wandbkit artifact verify demo/cifar10-augment/classifier:v1 --root ./model
"""


@artifact.command("verify", epilog=VERIFY_EPILOG)
@click.argument("name", metavar="NAME")
@click.option(
    "--root",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The directory that should hold exactly the version's files.",
)
@click.option("--type", "type_name", metavar="TYPE", help="Fail unless the version is this type.")
@connection_options
@handle_errors
def verify(name: str, root: Path, type_name: str | None) -> None:
    """Check that a directory holds exactly a version's files, each with its md5.

    Exit status 1, naming the first file that differs, is missing or is not in the version.
    """
    api = session(click.get_current_context()).api()
    art = api.artifact(name, type=type_name)
    art.verify(root)
    click.echo(f"{root}: the {art.file_count} files of {art.source_name} verified")


def download_artifact(api: wandbkit.Api, name: str, root: Path) -> None:
    """``wandbkit download NAME --root DIR`` for an artifact version (md5-checked, atomic;
    files already there with the right md5 stay, others are replaced)."""
    art = api.artifact(name)
    target = art.download(root)
    click.echo(target)
    click.echo(f"{art.file_count} files of {art.source_name} in {target}", err=True)


#: The commands of this module, in the order ``wandbkit --help`` lists them.
COMMANDS = (artifact,)
