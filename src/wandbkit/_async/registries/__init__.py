"""Registries: an organization's published models and datasets (``Registry``), their search
(``Registries``, ``Collections``, ``Versions``), members and roles. A registry is the project
``wandb-registry-<name>`` of the organization's own entity; its collections are portfolios and
its versions are links to artifact versions."""
