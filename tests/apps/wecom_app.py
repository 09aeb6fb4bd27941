"""An app that knows nothing about the emulator: SDKs with their hard-coded WeCom host.

Run by the tests through each route (``wecom-mock run``, the HTTPS proxy); prints one JSON
line of what it saw. Exits non-zero on any unexpected answer.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import warnings

import aiohttp
import httpx
import requests
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException

with warnings.catch_warnings():  # the official sample has `is 0` (SyntaxWarning)
    warnings.simplefilter("ignore")
    from weworkapi.AbstractApi import ApiException
    from weworkapi.CorpApi import CORP_API_TYPE, CorpApi

CORPID = "wwdemo0000000000001"
CONTACTS_SECRET = "DEMO-contacts-secret-not-real"
APP_SECRET = "DEMO-app-1000002-secret-not-real"
API = "https://qyapi.weixin.qq.com/cgi-bin/"


def main() -> dict[str, object]:
    out: dict[str, object] = {}
    client = WeChatClient(CORPID, CONTACTS_SECRET)  # unmodified: gettoken hard-coded too
    client.user.create("xiaoming", "小明", department=[3], mobile="13912345678")
    out["wechatpy_get"] = WeChatClient(CORPID, APP_SECRET).user.get("xiaoming")["name"]
    try:
        client.user.get("ghost")
    except WeChatClientException as exc:
        out["wechatpy_error"] = exc.errcode

    api = CorpApi(CORPID, CONTACTS_SECRET)
    api.httpCall(
        CORP_API_TYPE["USER_CREATE"],
        {"userid": "xiaohong", "name": "小红", "department": [4], "mobile": "13912340000"},
    )
    out["weworkapi_get"] = api.httpCall(CORP_API_TYPE["USER_GET"], {"userid": "xiaohong"})["name"]
    try:
        api.httpCall(CORP_API_TYPE["USER_GET"], {"userid": "ghost"})
    except ApiException as exc:
        out["weworkapi_error"] = exc.err_code

    # the async libraries, same host
    params = {"corpid": CORPID, "corpsecret": APP_SECRET}
    out["httpx"] = httpx.get(API + "gettoken", params=params).json()["errcode"]

    async def aio() -> int:
        # trust_env: aiohttp reads HTTPS_PROXY only when asked to
        async with (
            aiohttp.ClientSession(trust_env=True) as session,
            session.get(API + "gettoken", params=params) as r,
        ):
            return int((await r.json())["errcode"])

    out["aiohttp"] = asyncio.run(aio())

    other = os.environ.get("APP_OTHER_URL")
    if other:
        out["other"] = requests.get(other, timeout=10).text
    return out


if __name__ == "__main__":
    result = main()
    print(json.dumps(result, ensure_ascii=False))
    sys.exit(0)
