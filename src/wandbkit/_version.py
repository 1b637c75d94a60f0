"""The installed wandbkit version (kept equal to pyproject.toml's)."""

__version__ = "0.1.0"

#: The User-Agent header wandbkit sends.
USER_AGENT = f"wandbkit/{__version__}"
