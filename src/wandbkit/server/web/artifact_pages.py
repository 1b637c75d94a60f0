"""The pages of artifacts and registries (W&B's app URLs).

* ``/{entity}/{project}/artifacts``: the project's collections by type.
* ``/{entity}/{project}/artifacts/{type}/{collection}``: a collection's versions, newest first.
* ``/{entity}/{project}/artifacts/{type}/{collection}/{version}``: a version (``v3`` or an
  alias): aliases, metadata, the run that logged it, its files with download links;
  ``.../files/{path}`` is one file's bytes.
* ``/orgs/{org}/registry``: the organization's registries the viewer may read;
  ``/orgs/{org}/registry/{registry}``: a registry's collections. With W&B's
  ``?selectionPath=entity/project/collection[&version=v1]`` (what ``Artifact.url`` hands out
  for a linked version), and on the legacy ``/{entity}/registry/model``, a redirect to that
  collection or version's page.

A restricted registry is readable only by its members; to anyone else every one of these
pages answers 404, exactly as for a registry that does not exist.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from starlette.responses import RedirectResponse, Response

from wandbkit.server.store import ArtifactCollectionRow, ProjectRow
from wandbkit.server.store.registries import REGISTRY_PREFIX
from wandbkit.server.web.access import entity_projects, readable_project
from wandbkit.server.web.render import Page, file_download, paging, path_of, project_crumbs

__all__ = [
    "artifact_file",
    "artifacts_page",
    "collection_page",
    "legacy_model_registry",
    "registries_page",
    "registry_page",
    "version_page",
]

#: Collections a project's artifacts page lists, versions and files per page.
MAX_COLLECTIONS, VERSIONS_PAGE, FILES_PAGE = 500, 50, 100


def _crumbs(page: Page, project: ProjectRow, entity: str) -> list[tuple[str, str]]:
    """Breadcrumbs to a project: its registry's page for a registry, else entity/project."""
    if project.name.startswith(REGISTRY_PREFIX):
        row = page.store.entities.get(entity)
        org = (
            page.store.entities.get_organization_by_pk(row.organization_pk)
            if row is not None and row.organization_pk is not None
            else None
        )
        if org is not None:
            registry = project.name[len(REGISTRY_PREFIX) :]
            return [
                ("registries", path_of("orgs", org.name, "registry")),
                (registry, path_of("orgs", org.name, "registry", registry)),
            ]
    return project_crumbs(entity, project.name)


def _collection(
    page: Page, entity: str, project: str, type_name: str, name: str
) -> tuple[ProjectRow, ArtifactCollectionRow] | None:
    row = readable_project(page, entity, project)
    found = page.store.artifact_collections.get(row.pk, name) if row is not None else None
    if row is None or found is None:
        return None
    kind = page.store.artifact_collections.get_type_by_pk(found.type_pk)
    return (row, found) if kind is not None and kind.name == type_name else None


def artifacts_page(page: Page, entity: str, project: str) -> Response:
    """``/{entity}/{project}/artifacts``: the project's collections, by type."""
    row = readable_project(page, entity, project)
    if row is None:
        return page.not_found(f"project {entity}/{project}")
    collections = page.store.artifact_collections
    types = collections.list_types(row.pk, after_pk=0, limit=100)
    listed = [
        (kind, collections.listing(row.pk, type_pk=kind.pk, order="name", limit=MAX_COLLECTIONS))
        for kind in types
    ]
    return page.render(
        "artifacts.html.j2",
        title=f"{entity}/{project} artifacts",
        crumbs=[*_crumbs(page, row, entity), ("artifacts", path_of(entity, project, "artifacts"))],
        entity_name=entity,
        project_name=project,
        types=listed,
    )


def collection_page(
    page: Page, entity: str, project: str, type_name: str, collection: str
) -> Response:
    """``.../artifacts/{type}/{collection}``: the collection's versions, newest first."""
    found = _collection(page, entity, project, type_name, collection)
    if found is None:
        return page.not_found(f"artifact collection {collection!r}")
    project_row, row = found
    memberships = page.store.artifact_memberships
    total = memberships.count_versions(row.pk)
    pages = paging(page.request, total, VERSIONS_PAGE)
    # Newest first: page n holds the version indexes below those of the pages before it.
    versions = memberships.versions(row.pk, limit=pages.offset + VERSIONS_PAGE)[pages.offset :]
    artifacts = page.store.artifacts.get_by_pks([m.artifact_pk for m in versions])
    aliases = memberships.aliases_of_artifacts([m.artifact_pk for m in versions])
    base = path_of(entity, project, "artifacts", type_name, collection)
    return page.render(
        "collection.html.j2",
        title=collection,
        crumbs=[*_crumbs(page, project_row, entity), (collection, base)],
        collection=row,
        type_name=type_name,
        tags=page.store.artifact_collections.tags(row.pk),
        base=base,
        versions=[
            (
                m,
                artifacts.get(m.artifact_pk),
                [a.alias for a in aliases.get(m.artifact_pk, []) if a.collection_pk == row.pk],
            )
            for m in versions
        ],
        paging=pages,
    )


def version_page(
    page: Page, entity: str, project: str, type_name: str, collection: str, version: str
) -> Response:
    """``.../artifacts/{type}/{collection}/{version}``: a version and its files."""
    found = _collection(page, entity, project, type_name, collection)
    membership = page.store.artifact_memberships.resolve(found[1].pk, version) if found else None
    artifact = page.store.artifacts.get_by_pk(membership.artifact_pk) if membership else None
    if found is None or membership is None or artifact is None or artifact.state == "DELETED":
        return page.not_found(f"artifact {collection}:{version}")
    project_row, row = found
    manifests = page.store.artifact_manifests
    after = page.request.query_params.get("after") or None
    entries = manifests.entries(artifact.pk, after_path=after, limit=FILES_PAGE + 1)
    more = len(entries) > FILES_PAGE
    entries = entries[:FILES_PAGE]
    base = path_of(entity, project, "artifacts", type_name, collection)
    here = f"{base}/v{membership.version_index}"
    run = page.ctx.run(artifact.created_by_run_pk) if artifact.created_by_run_pk else None
    run_project = page.ctx.readable(page.ctx.project(run.project_pk)) if run else None
    run_entity = page.ctx.entity(run_project.entity_pk) if run_project else None
    try:
        metadata = json.loads(artifact.metadata or "{}")
    except ValueError:
        metadata = {}
    file_count, total_size = manifests.totals(artifact.pk)
    return page.render(
        "version.html.j2",
        title=f"{collection}:v{membership.version_index}",
        crumbs=[
            *_crumbs(page, project_row, entity),
            (collection, base),
            (f"v{membership.version_index}", here),
        ],
        collection=row,
        type_name=type_name,
        membership=membership,
        artifact=artifact,
        aliases=[a.alias for a in page.store.artifact_memberships.aliases(row.pk, artifact.pk)],
        tags=page.store.artifacts.tags(artifact.pk),
        metadata=sorted(metadata.items()) if isinstance(metadata, dict) else [],
        run=run if run_project else None,
        run_link=path_of(run_entity.name, run_project.name, "runs", run.name)
        if run and run_entity and run_project
        else None,
        here=here,
        entries=entries,
        file_count=file_count,
        total_size=total_size,
        next_files=f"{here}?{urlencode({'after': entries[-1].path})}" if more else None,
    )


def artifact_file(
    page: Page,
    entity: str,
    project: str,
    type_name: str,
    collection: str,
    version: str,
    path: str,
) -> Response:
    """``.../artifacts/{type}/{collection}/{version}/files/{path}``: a stored file's bytes."""
    found = _collection(page, entity, project, type_name, collection)
    membership = page.store.artifact_memberships.resolve(found[1].pk, version) if found else None
    artifact = page.store.artifacts.get_by_pk(membership.artifact_pk) if membership else None
    entry = (
        page.store.artifact_manifests.entry(artifact.pk, path)
        if artifact is not None and artifact.state != "DELETED"
        else None
    )
    manifests = page.store.artifact_manifests
    blob = manifests.blob(entry.digest) if entry is not None and entry.ref is None else None
    file = manifests.blob_path(entry.digest) if entry is not None and blob and blob.stored else None
    if file is None or not file.is_file():
        return page.not_found(f"artifact file {path!r}")
    return file_download(file, path)


def _organization_entity(page: Page, org: str) -> Any:
    organization = page.store.entities.get_organization(org)
    return page.store.entities.get_by_pk(organization.entity_pk) if organization else None


def registries_page(page: Page, org: str) -> Response:
    """``/orgs/{org}/registry``: the organization's registries the viewer may read."""
    entity = _organization_entity(page, org)
    if entity is None:
        return page.not_found(f"organization {org!r}")
    registries = [
        p
        for p in entity_projects(page, entity)
        if p.name.startswith(REGISTRY_PREFIX) and page.ctx.readable(p) is not None
    ]
    return page.render(
        "registries.html.j2",
        title=f"{org} registries",
        crumbs=[("registries", path_of("orgs", org, "registry"))],
        org=org,
        registries=[
            (p, p.name[len(REGISTRY_PREFIX) :], page.store.artifact_collections.count(p.pk))
            for p in registries
        ],
    )


def _selection_redirect(page: Page) -> Response | None:
    """The redirect W&B's ``selectionPath`` (and ``version``) parameters ask for, if any."""
    selection = page.request.query_params.get("selectionPath")
    if not selection:
        return None
    parts = selection.split("/")
    if len(parts) != 3 or not all(parts):
        return page.bad_request("selectionPath must be entity/project/collection")
    entity, project, name = parts
    row = readable_project(page, entity, project)
    found = page.store.artifact_collections.get(row.pk, name) if row is not None else None
    kind = page.store.artifact_collections.get_type_by_pk(found.type_pk) if found else None
    if kind is None:
        return page.not_found(f"artifact collection {selection!r}")
    target = path_of(entity, project, "artifacts", kind.name, name)
    if version := page.request.query_params.get("version"):
        target += path_of(version)
    return RedirectResponse(target, status_code=303)


def registry_page(page: Page, org: str, registry: str) -> Response:
    """``/orgs/{org}/registry/{registry}``: the registry's collections (or, with a
    ``selectionPath``, a redirect to the collection or version it names)."""
    entity = _organization_entity(page, org)
    project = readable_project(page, entity.name, REGISTRY_PREFIX + registry) if entity else None
    if entity is None or project is None:
        return page.not_found(f"registry {registry!r}")
    redirect = _selection_redirect(page)
    if redirect is not None:
        return redirect
    collections = page.store.artifact_collections
    total = collections.count(project.pk)
    pages = paging(page.request, total, VERSIONS_PAGE)
    rows = collections.listing(project.pk, order="name", limit=pages.offset + VERSIONS_PAGE)
    shown = rows[pages.offset :]
    types: dict[int, str] = {}
    for row in shown:
        kind = collections.get_type_by_pk(row.type_pk)
        types[row.type_pk] = kind.name if kind is not None else ""
    settings = page.store.registries.settings(project.pk)
    return page.render(
        "registry.html.j2",
        title=f"{registry} registry",
        crumbs=[
            ("registries", path_of("orgs", org, "registry")),
            (registry, path_of("orgs", org, "registry", registry)),
        ],
        registry=registry,
        project=project,
        entity_name=entity.name,
        settings=settings,
        collections=[
            (
                row,
                types[row.type_pk],
                page.store.artifact_memberships.count_versions(row.pk),
                collections.tags(row.pk),
            )
            for row in shown
        ],
        paging=pages,
    )


def legacy_model_registry(page: Page, entity: str) -> Response:
    """``/{entity}/registry/model``: the legacy model registry's links (``selectionPath``)."""
    redirect = _selection_redirect(page)
    if redirect is not None:
        return redirect
    if readable_project(page, entity, "model-registry") is None:
        return page.not_found(f"the model registry of {entity!r}")
    return RedirectResponse(path_of(entity, "model-registry", "artifacts"), status_code=303)
