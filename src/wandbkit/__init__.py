"""wandbkit."""
