# Generated from src/wandbkit/_async/__init__.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""wandbkit's I/O layer: ``_async`` holds the hand-written sources, ``_sync`` their twins."""
