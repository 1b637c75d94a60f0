# Generated from src/wandbkit/_async/runs/__init__.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Runs: the typed ``Run`` (``run.py``), its value types (``fields.py``), the lazy listing
of a project's runs (``listing.py``), and writing runs (``writer.py``, over the ``file_stream``
sender of ``stream.py``)."""
