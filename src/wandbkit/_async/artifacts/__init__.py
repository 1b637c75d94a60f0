"""Artifacts: versions, collections, types, manifests, downloads and publishing.

Modules, lowest first (a module imports only those before it; the Api wires the way back up):
``place`` (where a version was fetched from), ``resolve`` (names to the server's keys),
``files`` (``ArtifactFiles``), ``contents`` (manifest, entries, download, verify, checkout;
the transfer engine is ``transfer``), ``lineage`` (links, deletion, runs), ``artifact``
(``Artifact``), ``versions`` (``Artifacts``, ``RunArtifacts``), ``collection``
(``ArtifactCollection``), ``artifact_types`` (``ArtifactType`` and the listings of types and
collections), ``links`` (the loaders wired into runs and projects) and ``_api`` (the Api's
methods).
"""
