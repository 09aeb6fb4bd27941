"""Run by ``test_external_contact_wechatpy2.py`` in a subprocess with wechatpy 2.x first on
``sys.path`` (it shares its package name with the 1.8 line the test process imports).

wechatpy 2.x's ``batch_get_by_user`` still sends the older one-member body
(``{"userid": ..., "cursor": ..., "limit": ...}``); its own ``gen_all_by_user`` must page
through every customer of the member. ``python wechatpy2_crm_scenario.py`` prints ``OK``.
"""

from __future__ import annotations

import wechatpy
from wechatpy.work import WeChatClient

from mock_server import Emulator

CORPID = "wwdemo0000000000001"
SECRET = "DEMO-app-1000003-secret-not-real"  # the demo sales app (customer contact)


def main() -> int:
    emu = Emulator()
    with emu.intercept():
        client = WeChatClient(CORPID, SECRET)
        ext = client.external_contact
        mine = ext.list("xuqiang")["external_userid"]
        rows = list(ext.gen_all_by_user("xuqiang", limit=7))
        assert [r["external_contact"]["external_userid"] for r in rows] == mine, rows
        assert {r["follow_info"]["userid"] for r in rows} == {"xuqiang"}
        first = ext.batch_get_by_user("xuqiang", limit=7)
        assert len(first["external_contact_list"]) == 7 and first["next_cursor"]
    sent = [e["body"] for e in emu.journal.entries(path="externalcontact/batch/get_by_user")]
    assert sent and all("userid" in b and "userid_list" not in b for b in sent), sent
    print("OK", wechatpy.__version__)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
