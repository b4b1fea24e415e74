"""Rolecall's engine: AWS profiles, STS, the session vault and the CLI. Never imports Qt."""

__version__ = "0.1.0"
