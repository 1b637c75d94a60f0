# Generated from src/wandbkit/_async/artifacts/__init__.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Artifacts: versions, collections, types, manifests, downloads and publishing."""
