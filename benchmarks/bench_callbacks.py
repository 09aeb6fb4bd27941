"""Callback crypto throughput: encrypt+sign and verify+decrypt operations per second.

Baseline: Tencent's official ``weworkapi`` WXBizMsgCrypt3 (same pycryptodome AES), measured
in the same run, so the ratio says how our implementation compares on this machine.

    python benchmarks/bench_callbacks.py [--seconds 0.5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from weworkapi.WXBizMsgCrypt3 import WXBizMsgCrypt

from mock_server.core import crypto

TOKEN = "QDG6eK"
KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORPID = "wx5823bf96d3bd56c7"
SMALL = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n"
    "<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n"
    "<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n"
    "<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>"
)
LARGE = SMALL.replace("hello", "审批通过 " * 400)


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``fn`` over about ``seconds`` (after a short warm-up)."""
    for _ in range(50):
        fn()
    n, started = 0, time.perf_counter()
    deadline = started + seconds
    while True:
        for _ in range(100):
            fn()
        n += 100
        now = time.perf_counter()
        if now >= deadline:
            return n / (now - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="time per measurement")
    args = parser.parse_args()

    ours = crypto.WeComCrypto(TOKEN, KEY, CORPID)
    official = WXBizMsgCrypt(TOKEN, KEY, CORPID)
    ts, nonce = "1409659813", "1372623149"
    print(f"{'operation':<28}{'size':>7}{'ours ops/s':>14}{'weworkapi ops/s':>18}{'ratio':>8}")
    for label, msg in (("small", SMALL), ("large", LARGE)):
        size = len(msg.encode())

        def ours_encrypt(msg: str = msg) -> object:
            text = ours.encrypt(msg)
            return ours.sign(ts, nonce, text)

        def official_encrypt(msg: str = msg) -> object:
            return official.EncryptMsg(msg, nonce, ts)

        encrypt_text = ours.encrypt(msg)
        body = crypto.callback_xml(encrypt_text, CORPID, 218)
        sig = ours.sign(ts, nonce, encrypt_text)
        assert official.DecryptMsg(body, sig, ts, nonce)[0] == 0

        def ours_decrypt(body: str = body, sig: str = sig) -> object:
            return ours.decrypt_message(body, sig, ts, nonce)

        def official_decrypt(body: str = body, sig: str = sig) -> object:
            return official.DecryptMsg(body, sig, ts, nonce)

        for op, mine, theirs in (
            ("encrypt+sign", ours_encrypt, official_encrypt),
            ("verify+decrypt", ours_decrypt, official_decrypt),
        ):
            a, b = rate(mine, args.seconds), rate(theirs, args.seconds)
            print(f"{op + ' (' + label + ')':<28}{size:>7}{a:>14,.0f}{b:>18,.0f}{a / b:>8.2f}")


if __name__ == "__main__":
    main()
