"""The URL paths the server answers on, shared by the HTTP routes that serve them and the
resolvers that build URLs to them (``File.url``, ``File.directUrl``, upload URLs).

They live here, below both, so neither the HTTP layer depends on a resolver nor a resolver on
the HTTP layer.
"""

from __future__ import annotations

#: The GraphQL endpoint (``POST``).
GRAPHQL_PATH = "/graphql"
#: The readiness probe (``GET``, no API key).
HEALTH_PATH = "/healthz"

#: Paths of the run file endpoints (see :mod:`wandbkit.server.http.file_routes`).
FILES_PATH = "/files"
SIGNED_DOWNLOAD_PATH = "/signed/files"
SIGNED_UPLOAD_PATH = "/signed/upload"
