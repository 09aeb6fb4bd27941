"""Python API of Customer contact (外部联系人), mixed into ``Emulator``."""

from __future__ import annotations


class ExternalContactAPI:
    pass
