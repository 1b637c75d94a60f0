# Generated from src/wandbkit/_async/launch/__init__.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""W&B Launch: run queues (``RunQueue``) with their default resource configs, the runs waiting
in them (``QueuedRun``) and jobs (``Job``, a ``job`` artifact that ``call()`` enqueues). An
entity's queues live in its ``model-registry`` project, as in ``wandb``."""
