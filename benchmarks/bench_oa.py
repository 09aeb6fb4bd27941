"""OA figures: applyevent and getapprovalinfo throughput in-process, against a bare baseline.

The baseline is ``getcallbackip`` through the same pipeline (token check, journal), measured
in the same run, so the ratio shows what the OA domain work costs on top of the plumbing.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mock_server import Emulator

GENERAL = "ZLqk8pcsAoXZ1eYa6vpAgfX28MPdYU3ayMaSPHaa"


def rate(n: int, fn: Callable[[int], object]) -> float:
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    return n / (time.perf_counter() - start)


def main() -> None:
    emu = Emulator(journal_size=100)
    token = emu.token("app", 1000004)
    q = {"access_token": token}

    def baseline(_: int) -> object:
        return emu.call("GET", "getcallbackip", params=q)

    def apply(i: int) -> object:
        body = {
            "creator_userid": "zhangsan",
            "template_id": GENERAL,
            "use_template_approver": 1,
            "apply_data": {
                "contents": [
                    {"control": "Text", "id": "Text-1580000000001", "value": {"text": f"事项{i}"}}
                ]
            },
            "summary_list": [{"summary_info": [{"text": "事项", "lang": "zh_CN"}]}],
        }
        res = emu.call("POST", "oa/applyevent", params=q, json=body)
        assert res["errcode"] == 0, res
        return res

    now = emu.clock.time()

    def listing(_: int) -> object:
        body = {"starttime": now - 10, "endtime": now + 10, "new_cursor": "", "size": 100}
        return emu.call("POST", "oa/getapprovalinfo", params=q, json=body)

    base = rate(2000, baseline)
    applied = rate(2000, apply)
    listed = rate(200, listing)  # over the 2,000 applications just stored
    print(f"baseline getcallbackip      {base:9.0f} calls/s")
    print(
        f"oa/applyevent               {applied:9.0f} calls/s  ({base / applied:.2f}x baseline cost)"
    )
    print(
        f"oa/getapprovalinfo (2000)   {listed:9.0f} calls/s  ({base / listed:.2f}x baseline cost)"
    )


if __name__ == "__main__":
    main()
