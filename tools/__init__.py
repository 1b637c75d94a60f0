"""Development tools for wandbkit (codegen, schema subset, demo). Not shipped."""
