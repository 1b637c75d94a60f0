"""Runs: the typed ``Run`` (``run.py``), its value types (``fields.py``), the lazy listing
of a project's runs (``listing.py``), and writing runs (``writer.py``, over the ``file_stream``
sender of ``stream.py``)."""
