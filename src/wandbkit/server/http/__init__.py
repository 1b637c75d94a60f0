"""The server's HTTP layer: the GraphQL endpoint, API-key authentication and the run file
routes. :mod:`wandbkit.server.app` wires them into one ASGI app.
"""
