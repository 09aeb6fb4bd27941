"""Cost of contract validation on the hot path, against bare baselines measured in this run.

Prints: compiled (fastjsonschema) vs jsonschema per valid user/create body; a full in-process
``user/create``-shaped call (``tag/list`` and ``user/get``) with and without the request
validator; the Flask/HTTP round trip for scale; and the import cost of jsonschema avoided.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

from mock_server import Emulator
from mock_server.contracts.schemas import default_store
from mock_server.emulator import default_registry

BODY = {
    "userid": "bench01",
    "name": "压测",
    "mobile": "13800000999",
    "department": [2],
    "gender": "1",
    "email": "bench01@example.com",
    "position": "工程师",
}


def per_call(fn: Callable[[], object], n: int) -> float:
    fn()
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n * 1e6


def main() -> None:
    store = default_store()
    ep = default_registry().resolve("/cgi-bin/user/create")
    assert ep is not None
    fast = store.check(ep, "request")
    assert fast is not None
    slow = store.validator_for_file(store.relpath(ep, "request"))
    fast_us = per_call(lambda: fast(BODY), 20000)
    slow_us = per_call(lambda: slow.validate(BODY), 1000)
    print(
        f"request schema, valid user/create body: fastjsonschema {fast_us:.1f} us, "
        f"jsonschema {slow_us:.1f} us ({slow_us / fast_us:.0f}x)"
    )

    emu = Emulator()
    token = emu.token("contacts")
    q = {"access_token": token, "userid": "zhangwei"}

    def user_get() -> object:
        return emu.call("GET", "user/get", params=q)

    # Alternate rounds and keep the best of each: the machine is shared, noise is large.
    saved = list(emu.hooks.validators)
    with_v = bare = float("inf")
    for _ in range(5):
        with_v = min(with_v, per_call(user_get, 2000))
        emu.hooks.validators.clear()
        bare = min(bare, per_call(user_get, 2000))
        emu.hooks.validators[:] = saved
    print(
        f"in-process user/get: {with_v:.1f} us with request validation, {bare:.1f} us without "
        f"(+{with_v - bare:.1f} us, {100 * (with_v - bare) / bare:.0f}%)"
    )

    from mock_server.web.app import create_app

    client = create_app(emu).test_client()
    http = per_call(lambda: client.get("/cgi-bin/user/get", query_string=q), 1000)
    print(
        f"Flask test-client user/get: {http:.1f} us; validation is "
        f"{100 * (with_v - bare) / http:.1f}% of it"
    )

    code = "import time; t=time.perf_counter(); import jsonschema; print(time.perf_counter()-t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    print(f"import jsonschema (avoided on the hot path): {float(out) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
