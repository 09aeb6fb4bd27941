"""Fault injection and modelled limits (filled in by its issue)."""
