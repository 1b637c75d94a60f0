"""Pure client value logic, one module per domain: no I/O, no requests, no domain classes.

What the server sends is turned into what Python code wants here (and back), and arguments are
checked before any request: ``runs`` (states, config wrapping), ``history`` (rows, data
frames), ``console`` (log lines), ``checks`` (argument checkers shared by the domains). The
``_async`` domain modules (and their sync twins) import these; these import only ``_core``.
Nothing is imported here, so loading one module does not load the others.
"""
