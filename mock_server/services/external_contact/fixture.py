"""The ``external_contact`` fixture section and the ``fixture generate --customers`` generator.

The demo corp is rebuilt on every reset, so the loader builds records directly (the JSON
Schema already checked the types once, at load) and only resolves references.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mock_server.core.fixtures import FixtureError, load_yaml
from mock_server.core.plugin import FixtureSection
from mock_server.core.resources import demo_fixture
from mock_server.core.state import Corp
from mock_server.services.contacts import models as cm
from mock_server.services.contacts.generate import GIVEN, SURNAMES
from mock_server.services.external_contact.models import (
    ChatMember,
    CorpTag,
    Customer,
    Follow,
    GroupChat,
    TagGroup,
    external_contact,
    new_chat_id,
    new_external_userid,
    new_tag_id,
)
from mock_server.services.external_contact.sandbox import avatar_for

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host

_STR = {"type": "string"}
_INT = {"type": "integer", "minimum": 0}
_STRS = {"type": "array", "items": _STR}

FOLLOW = {
    "type": "object",
    "required": ["userid"],
    "additionalProperties": False,
    "properties": {
        "userid": _STR,
        "remark": {"type": "string", "maxLength": 20},
        "description": {"type": "string", "maxLength": 150},
        "createtime": _INT,
        "add_way": _INT,
        "state": {"type": "string", "maxLength": 30},
        "oper_userid": _STR,
        "remark_corp_name": _STR,
        "remark_mobiles": _STRS,
        "tags": {**_STRS, "description": "corp tag names (unique across groups) or ids"},
        "personal_tags": {**_STRS, "description": "the member's own tags (type 2, no id)"},
        "deleted_by_customer": {"type": "boolean"},
    },
}

CUSTOMER = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "external_userid": {"type": "string", "pattern": "^w[mo][0-9A-Za-z_-]{16,64}$"},
        "type": {"enum": [1, 2], "description": "1 WeChat user, 2 WeCom user"},
        "name": {"type": "string", "minLength": 1},
        "gender": {"enum": [0, 1, 2]},
        "avatar": _STR,
        "unionid": _STR,
        "position": _STR,
        "corp_name": _STR,
        "corp_full_name": _STR,
        "external_profile": {"type": "object"},
        "follow": {"type": "array", "items": FOLLOW},
    },
}

TAG_GROUP = {
    "type": "object",
    "required": ["name", "tags"],
    "additionalProperties": False,
    "properties": {
        "group_id": {"type": "string", "pattern": "^et"},
        "name": {"type": "string", "minLength": 1, "maxLength": 30},
        "order": _INT,
        "create_time": _INT,
        "owner": {"type": "integer", "description": "agentid of the app that created it"},
        "tags": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^et"},
                    "name": {"type": "string", "minLength": 1, "maxLength": 30},
                    "order": _INT,
                    "create_time": _INT,
                },
            },
        },
    },
}

MEMBER = {
    "type": "object",
    "required": ["userid"],
    "additionalProperties": False,
    "properties": {
        "userid": {"type": "string", "description": "a member's userid or an external_userid"},
        "join_time": _INT,
        "join_scene": {"enum": [1, 2, 3]},
        "invitor": _STR,
        "group_nickname": _STR,
    },
}

GROUP_CHAT = {
    "type": "object",
    "required": ["owner"],
    "additionalProperties": False,
    "properties": {
        "chat_id": {"type": "string", "pattern": "^wr[0-9A-Za-z]{10,40}$"},
        "name": _STR,
        "owner": _STR,
        "create_time": _INT,
        "notice": _STR,
        "status": {"enum": [0, 1, 2, 3]},
        "admin_list": _STRS,
        "members": {"type": "array", "items": MEMBER},
    },
}

SECTION = {
    "type": "object",
    "additionalProperties": False,
    "description": "Customer contact (客户联系): follow users, corp tags, customers, groups.",
    "properties": {
        "follow_users": {
            **_STRS,
            "description": "members with customer contact enabled (members with customers are "
            "added automatically)",
        },
        "tag_groups": {"type": "array", "items": TAG_GROUP},
        "customers": {"type": "array", "items": CUSTOMER},
        "group_chats": {"type": "array", "items": GROUP_CHAT},
    },
}


def _user_key(corp: Corp, userid: str, path: str) -> str:
    key = userid.lower()
    if key not in cm.contacts(corp).users:
        raise FixtureError("<fixture>", path, f"unknown member {userid!r}")
    return key


def load_external_contact(emu: Host, corp: Corp, section: dict[str, Any] | None) -> None:
    if not section:
        return
    st = external_contact(corp)
    now = corp.clock.time()
    base = "external_contact"
    for i, uid in enumerate(section.get("follow_users", ())):
        st.follow_users[_user_key(corp, uid, f"{base}.follow_users[{i}]")] = True
    by_name: dict[str, str | None] = {}
    for gi, grp in enumerate(section.get("tag_groups", ())):
        gid = grp.get("group_id") or new_tag_id(corp)
        if gid in st.tag_groups:
            raise FixtureError("<fixture>", f"{base}.tag_groups[{gi}]", f"duplicate id {gid}")
        ctime = grp.get("create_time", now)
        group = TagGroup(gid, grp["name"], ctime, grp.get("order", 0), grp.get("owner"))
        st.tag_groups[gid] = group
        for tg in grp["tags"]:
            tid = tg.get("id") or new_tag_id(corp)
            if tid in st.tags:
                raise FixtureError("<fixture>", f"{base}.tag_groups[{gi}]", f"duplicate id {tid}")
            st.tags[tid] = CorpTag(
                tid, tg["name"], gid, tg.get("create_time", ctime), tg.get("order", 0)
            )
            group.tag_ids.append(tid)
            name = tg["name"]
            by_name[name] = None if name in by_name else tid  # None: ambiguous
    users = cm.contacts(corp).users
    customers, follows, by_user = st.customers, st.follows, st.by_user
    for ci, c in enumerate(section.get("customers", ())):
        ctype = c.get("type", 1)
        eid = c.get("external_userid") or new_external_userid(corp, ctype)
        if eid in customers:
            raise FixtureError("<fixture>", f"{base}.customers[{ci}]", f"duplicate id {eid}")
        wechat = ctype == 1
        customers[eid] = Customer(
            eid,
            c["name"],
            ctype,
            c.get("gender", 0),
            c.get("avatar") or avatar_for(eid, ctype),
            c.get("unionid", "") if wechat else "",
            "" if wechat else c.get("position", ""),
            "" if wechat else c.get("corp_name", ""),
            "" if wechat else c.get("corp_full_name", ""),
            None if wechat else c.get("external_profile"),
        )
        rel: dict[str, Follow] = {}
        follows[eid] = rel
        for fi, f in enumerate(c.get("follow", ())):
            key = f["userid"].lower()
            if key not in users or key in rel:
                why = "unknown member" if key not in users else "duplicate follow user"
                raise FixtureError(
                    "<fixture>", f"{base}.customers[{ci}].follow[{fi}]", f"{why} {f['userid']!r}"
                )
            tag_ids = []
            for tname in f.get("tags", ()):
                tid = tname if tname in st.tags else by_name.get(tname)
                if tid is None:
                    raise FixtureError(
                        "<fixture>",
                        f"{base}.customers[{ci}].follow[{fi}].tags",
                        f"unknown or ambiguous tag {tname!r}",
                    )
                tag_ids.append(tid)
            st.seq += 1
            follow = Follow(
                key,
                eid,
                f.get("createtime", now),
                st.seq,
                f.get("remark", ""),
                f.get("description", ""),
                f.get("remark_corp_name", ""),
                list(f.get("remark_mobiles", ())),
                "",
                f.get("add_way", 0),
                f.get("state", ""),
                f.get("oper_userid") or users[key].userid,
                tag_ids,
                [{"group_name": "", "tag_name": p} for p in f.get("personal_tags", ())],
                f.get("deleted_by_customer", False),
            )
            rel[key] = follow
            lst = by_user.get(key)
            if lst is None:
                by_user[key] = lst = []
                st.follow_users.setdefault(key, True)
            lst.append(follow)
    for gi, chat in enumerate(section.get("group_chats", ())):
        _load_chat(corp, chat, f"{base}.group_chats[{gi}]", now)


def _load_chat(corp: Corp, row: dict[str, Any], path: str, now: int) -> None:
    st = external_contact(corp)
    users = cm.contacts(corp).users
    owner = _user_key(corp, row["owner"], path + ".owner")
    cid = row.get("chat_id") or new_chat_id(corp)
    if cid in st.chats:
        raise FixtureError("<fixture>", path, f"duplicate chat_id {cid}")
    ctime = row.get("create_time", now)
    st.seq += 1
    chat = GroupChat(cid, row.get("name", ""), owner, ctime, st.seq, row.get("notice", ""))
    chat.status = row.get("status", 0)
    seen: set[str] = set()
    rows = list(enumerate(row.get("members", [])))
    if not any(r["userid"].lower() == owner for _, r in rows):
        rows.insert(0, (-1, {"userid": row["owner"], "join_time": ctime}))  # the owner is a member
    for mi, r in rows:
        mid = r["userid"]
        if mid.lower() in users:
            mid, mtype = users[mid.lower()].userid, 1
        elif mid in st.customers:
            mtype = 2
        else:
            raise FixtureError("<fixture>", f"{path}.members[{mi}]", f"unknown member {mid!r}")
        if mid in seen:
            raise FixtureError("<fixture>", f"{path}.members[{mi}]", f"duplicate member {mid!r}")
        seen.add(mid)
        invitor = r.get("invitor", "")
        if invitor:
            invitor = users[_user_key(corp, invitor, f"{path}.members[{mi}].invitor")].userid
        chat.members.append(
            ChatMember(
                mid,
                mtype,
                r.get("join_time", ctime),
                r.get("join_scene", 1),
                invitor,
                r.get("group_nickname", ""),
            )
        )
    chat.admin_list = [
        _user_key(corp, a, f"{path}.admin_list[{i}]")
        for i, a in enumerate(row.get("admin_list", ()))
    ]
    st.chats[cid] = chat


section = FixtureSection("external_contact", SECTION, load_external_contact, order=20)


@lru_cache(maxsize=1)
def _section_validator() -> Callable[[Any], Any]:
    import fastjsonschema

    return fastjsonschema.compile(SECTION)


def validate_section(section: Any) -> None:
    """Check one ``external_contact`` section fast (for in-process bulk loads)."""
    import fastjsonschema

    try:
        _section_validator()(section)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise FixtureError("<external_contact>", str(exc.path or ""), exc.message) from None


def demo_follow_users() -> list[str]:
    """The shipped demo fixture's members with customer contact (its sales department), in
    its order: what tests and benchmarks of this family are written against."""
    doc = load_yaml(demo_fixture())
    return [str(u) for u in doc["external_contact"]["follow_users"]]


# ---------------------------------------------------------------------------------------
# ``wecom-mock fixture generate --customers N``
# ---------------------------------------------------------------------------------------
COMPANIES = ["腾飞", "华信", "远航", "博远", "金桥", "恒通", "瑞丰", "星辰", "鼎盛", "新禾"]
INDUSTRIES = ["科技", "贸易", "制造", "物流", "咨询", "医疗", "教育", "建设"]
TAG_GROUPS = [
    ("客户等级", ["A类客户", "B类客户", "C类客户"]),
    ("客户来源", ["展会", "官网", "转介绍", "电话营销"]),
    ("跟进阶段", ["初次接触", "需求确认", "方案报价", "已成交"]),
]


def generate_section(
    userids: list[str], customers: int, rng: random.Random, start: int = 1_600_000_000
) -> dict[str, Any]:
    """A synthetic CRM: ``customers`` customers over ``userids`` (1-2 follow users each)."""
    follow_users = userids[: max(1, min(len(userids), 100))]
    tag_names = [t for _, tags in TAG_GROUPS for t in tags]
    rows: list[dict[str, Any]] = []
    t = start
    for i in range(customers):
        ctype = 1 if rng.random() < 0.8 else 2
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if i % 2 else "")
        row: dict[str, Any] = {"name": name, "type": ctype, "gender": rng.choice((0, 1, 2))}
        if ctype == 2:
            co = rng.choice(COMPANIES) + rng.choice(INDUSTRIES)
            row["corp_name"] = co
            row["corp_full_name"] = f"{co}有限公司"
            row["position"] = rng.choice(["经理", "采购", "总监", "工程师"])
        n = 2 if rng.random() < 0.2 and len(follow_users) > 1 else 1
        follows = []
        for uid in rng.sample(follow_users, n):
            t += rng.randint(1, 600)
            f: dict[str, Any] = {"userid": uid, "createtime": t, "add_way": rng.choice((1, 2, 3))}
            if rng.random() < 0.5:
                f["tags"] = [rng.choice(tag_names)]
            follows.append(f)
        row["follow"] = follows
        rows.append(row)
    chats = []
    for i in range(min(200, customers // 50)):
        owner = rng.choice(follow_users)
        picks = rng.sample(range(customers), min(customers, 10))
        chats.append(
            {"name": f"客户群{i + 1}", "owner": owner, "create_time": start + i, "_m": picks}
        )
    return {
        "follow_users": follow_users,
        "tag_groups": [
            {"name": g, "order": 10 - gi, "tags": [{"name": n} for n in tags]}
            for gi, (g, tags) in enumerate(TAG_GROUPS)
        ],
        "customers": rows,
        "group_chats": chats,
    }


def generator(doc: dict[str, Any], args: argparse.Namespace, rng: random.Random) -> None:
    n = getattr(args, "customers", 0) or 0
    if n <= 0:
        return
    userids = [u["userid"] for u in doc.get("contacts", {}).get("users", [])]
    if not userids:
        return
    doc["external_contact"] = finish_section(generate_section(userids, n, rng), doc["corpid"], 0)


def finish_section(section: dict[str, Any], corpid: str, seed: int) -> dict[str, Any]:
    """Give generated customers their external_userids so group members can name them."""
    from mock_server.core.clock import Clock
    from mock_server.core.ids import IdGenerator
    from mock_server.services.external_contact.models import make_id

    probe = Corp(corpid, clock=Clock(), ids=IdGenerator(seed))
    for i, row in enumerate(section["customers"]):
        row["external_userid"] = make_id(
            probe, "customer", i, "wm" if row["type"] == 1 else "wo", 32
        )
    for chat in section["group_chats"]:
        picks = chat.pop("_m", [])
        chat["members"] = [
            {"userid": section["customers"][p]["external_userid"], "join_scene": 1 + p % 3}
            for p in picks
        ]
    return section
