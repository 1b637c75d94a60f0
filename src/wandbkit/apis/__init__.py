"""``wandb.apis``'s import paths, so ``from wandb.apis.public import Api`` becomes
``from wandbkit.apis.public import Api``: see :mod:`wandbkit.apis.public`."""
