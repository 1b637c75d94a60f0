"""The languages wandbkit shares between its client and its local server: stdlib only, no I/O.

The client checks its arguments with these rules before a request leaves, and the server
enforces the same rules on what arrives, so the two cannot drift apart:

* :mod:`~wandbkit._lang.filters`: Mongo-style filters parsed once into a typed tree
  (:func:`~wandbkit._lang.filters.parse`), over a per-domain field table
  (:mod:`~wandbkit._lang.fields`; the runs table is :mod:`~wandbkit._lang.run_fields`).
* :mod:`~wandbkit._lang.order`: ``[+|-]<field>`` order strings over the same tables.
* :mod:`~wandbkit._lang.names`: the one rule for entity, project, user, run and sweep names.

Errors are neutral (:class:`~wandbkit._lang.filters.FilterSyntaxError`, plain messages); each
side re-raises them as its own error class with the same text.
"""
