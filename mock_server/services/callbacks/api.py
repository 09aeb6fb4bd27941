"""Python API of Callbacks: crypto, URL verification, event delivery, mixed into ``Emulator``."""

from __future__ import annotations


class CallbacksAPI:
    pass
