"""The URL paths the server answers on, shared by the HTTP routes that serve them and the
resolvers that build URLs to them (``File.url``, ``File.directUrl``, upload URLs).

They live here, below both, so neither the HTTP layer depends on a resolver nor a resolver on
the HTTP layer.
"""

from __future__ import annotations

from wandbkit._lang import artifact_bundle as _bundle

#: The GraphQL endpoint (``POST``).
GRAPHQL_PATH = "/graphql"
#: The readiness probe (``GET``, no API key).
HEALTH_PATH = "/healthz"

#: Paths of the run file endpoints (see :mod:`wandbkit.server.http.file_routes`).
FILES_PATH = "/files"
SIGNED_DOWNLOAD_PATH = "/signed/files"
SIGNED_UPLOAD_PATH = "/signed/upload"

#: Paths of the artifact file endpoints (see :mod:`wandbkit.server.http.artifact_routes`): signed
#: downloads of a file and of a version's manifest, signed uploads of content and of a manifest.
#: The file path and the bundle route (many files in one answer) are shared with the client,
#: which asks for bundles: they are defined in :mod:`wandbkit._lang.artifact_bundle`.
SIGNED_ARTIFACT_FILE_PATH = _bundle.SIGNED_ARTIFACT_FILE_PATH
SIGNED_ARTIFACT_BUNDLE_PATH = _bundle.SIGNED_ARTIFACT_BUNDLE_PATH
SIGNED_ARTIFACT_MANIFEST_PATH = "/signed/artifact-manifests"
SIGNED_ARTIFACT_UPLOAD_PATH = "/signed/artifact-upload"
SIGNED_ARTIFACT_MANIFEST_UPLOAD_PATH = "/signed/artifact-manifest-upload"
#: A run's parquet history exports: ``/signed/history-exports/{token}/{part}``.
SIGNED_HISTORY_EXPORT_PATH = "/signed/history-exports"
#: One part of a multipart upload (:mod:`wandbkit.server.multipart`).
SIGNED_ARTIFACT_UPLOAD_PART_PATH = "/signed/artifact-upload-part"
#: The official client's authenticated fallbacks when a signed URL fails: storage layout V2
#: (``/artifactsV2/{region}/{entity}/{project}/{collection}/{artifactId}/{birthId}/{md5hex}/
#: {name}``) and V1 (``/artifacts/{entity}/{md5hex}``).
ARTIFACTS_V2_PATH = "/artifactsV2"
ARTIFACTS_V1_PATH = "/artifacts"
#: The automations' firings of an entity (``GET ?entity=<name>``, API key; see
#: :mod:`wandbkit.server.http.automation_routes`).
AUTOMATION_FIRINGS_PATH = "/_wandbkit/automations/firings"
