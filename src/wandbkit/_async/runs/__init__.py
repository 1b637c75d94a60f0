"""Runs: the typed ``Run`` (``run.py``), its value types (``fields.py``) and the lazy listing
of a project's runs (``listing.py``)."""
