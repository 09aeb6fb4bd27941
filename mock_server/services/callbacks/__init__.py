"""Callbacks: crypto, URL verification, event delivery (filled in by its issue)."""
