"""Subcommands of this package (added by its issue)."""
