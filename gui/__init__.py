"""Rolecall desktop app (PySide6). Imports core; core never imports this."""
