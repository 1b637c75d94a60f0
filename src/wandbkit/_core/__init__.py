"""I/O-free transport core: settings, errors, retry decisions and the GraphQL wire protocol."""
