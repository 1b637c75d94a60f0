"""W&B Launch: run queues (``RunQueue``) with their default resource configs, the runs waiting
in them (``QueuedRun``) and jobs (``Job``, a ``job`` artifact that ``call()`` enqueues). An
entity's queues live in its ``model-registry`` project, as in ``wandb``."""
