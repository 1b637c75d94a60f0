# Generated from src/wandbkit/_async/registries/__init__.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Registries: an organization's published models and datasets (``Registry``), their search
(``Registries``, ``Collections``, ``Versions``), members and roles. A registry is the project
``wandb-registry-<name>`` of the organization's own entity; its collections are portfolios and
its versions are links to artifact versions."""
