"""Data shipped with the package: the default routing rules (default.toml)."""
