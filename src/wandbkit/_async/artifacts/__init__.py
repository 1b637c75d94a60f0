"""Artifacts: versions, collections, types, manifests, downloads and publishing."""
