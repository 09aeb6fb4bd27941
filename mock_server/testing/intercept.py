"""``intercept()``: like moto's ``mock_aws``, a fresh emulator with ``requests`` routed into it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mock_server.core.inprocess import DEFAULT_BASES, Interceptor
from mock_server.emulator import Emulator

__all__ = ["DEFAULT_BASES", "Interceptor", "intercept"]


def intercept(
    fixtures: Sequence[Any] | None = None, *, base_urls: Sequence[str] | None = None, **kwargs: Any
) -> Interceptor[Emulator]:
    """Like moto's ``mock_aws``: a fresh emulator, with ``requests`` routed into it.

    >>> with intercept() as wecom:
    ...     requests.get("https://qyapi.weixin.qq.com/cgi-bin/gettoken", params=...)
    """
    return Interceptor(Emulator(fixtures, **kwargs), base_urls=base_urls)
