"""Corp customer tags (企业客户标签): groups of tags with ids ``et...`` and an order."""

from __future__ import annotations

from typing import Any

from mock_server.core.errors import WeComError, param_error
from mock_server.core.events import SOURCE_API
from mock_server.core.state import Corp
from mock_server.services.external_contact.models import (
    CORP_TAG_LIMIT,
    NAME_MAX,
    CorpTag,
    ExternalStore,
    TagGroup,
    external_contact,
    external_tag_event,
    new_tag_id,
)

ORDER_MAX = 2**32 - 1


def _sorted_tags(st: ExternalStore, group: TagGroup, ids: list[str]) -> list[CorpTag]:
    tags = [st.tags[t] for t in ids]
    # Larger order first; ties keep creation order.
    return sorted(tags, key=lambda t: -t.order)


def group_dict(
    st: ExternalStore, group: TagGroup, tag_ids: list[str] | None, with_deleted: bool
) -> dict[str, Any]:
    ids = group.tag_ids if tag_ids is None else tag_ids
    tags = []
    for t in _sorted_tags(st, group, ids):
        if t.deleted and not with_deleted:
            continue
        row: dict[str, Any] = {
            "id": t.id,
            "name": t.name,
            "create_time": t.create_time,
            "order": t.order,
        }
        if with_deleted:
            row["deleted"] = t.deleted
        tags.append(row)
    out: dict[str, Any] = {
        "group_id": group.group_id,
        "group_name": group.group_name,
        "create_time": group.create_time,
        "order": group.order,
    }
    if with_deleted:
        out["deleted"] = group.deleted
    out["tag"] = tags
    return out


def _ordered_groups(st: ExternalStore) -> list[TagGroup]:
    return sorted(st.tag_groups.values(), key=lambda g: -g.order)


def corp_tag_list(corp: Corp, tag_ids: list[str], group_ids: list[str]) -> list[dict[str, Any]]:
    """Everything, or the given groups (group_id wins), or the given tags with their groups."""
    st = external_contact(corp)
    if group_ids:
        wanted = set(group_ids)
        return [group_dict(st, g, None, True) for g in _ordered_groups(st) if g.group_id in wanted]
    if tag_ids:
        wanted = set(tag_ids)
        out = []
        for g in _ordered_groups(st):
            ids = [t for t in g.tag_ids if t in wanted]
            if ids:
                out.append(group_dict(st, g, ids, True))
        return out
    return [group_dict(st, g, None, False) for g in _ordered_groups(st) if not g.deleted]


def _name(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise param_error(field, "exceed min utf8 words 1")
    if len(value) > NAME_MAX:
        raise param_error(field, f"exceed max length {NAME_MAX}")
    return value


def _order(value: Any, field: str = "order") -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise WeComError(40058, f"{field} expect int.", json_warning=True)
    if not 0 <= value <= ORDER_MAX:
        raise param_error(field, "out of range")
    return value


def _live_tag_count(st: ExternalStore) -> int:
    return sum(1 for t in st.tags.values() if not t.deleted)


def _check_owner(group: TagGroup, agentid: int | None) -> None:
    # Apps may only edit/delete tags they created (81011 for corp tags is unconfirmed).
    if agentid is not None and group.owner != agentid:
        raise WeComError(81011)


def add_corp_tag(
    corp: Corp,
    body: dict[str, Any],
    *,
    agentid: int | None,
    source: str = SOURCE_API,
    actor_scope: str | None = None,
) -> dict[str, Any]:
    st = external_contact(corp)
    now = corp.clock.time()
    raw_tags = body.get("tag")
    if raw_tags is not None and not isinstance(raw_tags, list):
        raise WeComError(40058, "tag expect array.", json_warning=True)
    if not raw_tags or len(raw_tags) > 1000:
        raise WeComError(41111)
    rows: list[tuple[str, int]] = []
    for i, t in enumerate(raw_tags):
        if not isinstance(t, dict):
            raise WeComError(40058, "tag expect array of object.", json_warning=True)
        name = _name(t.get("name"), "tag.name")
        if name not in {r[0] for r in rows}:  # duplicates in one call are created once
            rows.append((name, _order(t.get("order"), f"tag[{i}].order")))
    group_id = body.get("group_id")
    group: TagGroup | None = None
    if group_id not in (None, ""):
        group = st.tag_groups.get(group_id) if isinstance(group_id, str) else None
        if group is None or group.deleted:
            raise WeComError(40068)
    else:
        group_name = _name(body.get("group_name"), "group_name")
        group_order = _order(body.get("order"))
        for g in st.tag_groups.values():
            if not g.deleted and g.group_name == group_name:
                group = g  # an existing group of that name receives the tags
                break
    if group is not None:
        existing = {st.tags[t].name for t in group.tag_ids if not st.tags[t].deleted}
        if any(name in existing for name, _ in rows):
            raise WeComError(40071)  # (unconfirmed code for corp tags)
        _check_owner(group, agentid)
    if _live_tag_count(st) + len(rows) > CORP_TAG_LIMIT:
        raise WeComError(40126)
    # mutate
    kw = {"source": source, "actor_scope": actor_scope, "actor_agentid": agentid}
    if group is None:
        gid = new_tag_id(corp)
        group = TagGroup(gid, group_name, now, group_order, agentid)
        st.tag_groups[gid] = group
        corp.emit(external_tag_event(corp, gid, "tag_group", "create", **kw))
    created = []
    for name, order in rows:
        tid = new_tag_id(corp)
        st.tags[tid] = CorpTag(tid, name, group.group_id, now, order)
        group.tag_ids.append(tid)
        created.append(tid)
        corp.emit(external_tag_event(corp, tid, "tag", "create", **kw))
    return group_dict(st, group, created, False)


def edit_corp_tag(
    corp: Corp,
    body: dict[str, Any],
    *,
    agentid: int | None,
    source: str = SOURCE_API,
    actor_scope: str | None = None,
) -> None:
    st = external_contact(corp)
    tid = body.get("id")
    if not isinstance(tid, str) or not tid:
        raise WeComError(40068)
    name = body.get("name")
    new_name = None if name in (None, "") else _name(name, "name")
    new_order = None if body.get("order") is None else _order(body.get("order"))
    kw = {"source": source, "actor_scope": actor_scope, "actor_agentid": agentid}
    group = st.tag_groups.get(tid)
    if group is not None and not group.deleted:
        _check_owner(group, agentid)
        if new_name is not None and any(
            g.group_name == new_name and g is not group and not g.deleted
            for g in st.tag_groups.values()
        ):
            raise WeComError(40071)
        if new_name is not None:
            group.group_name = new_name
        if new_order is not None:
            group.order = new_order
        corp.emit(external_tag_event(corp, tid, "tag_group", "update", **kw))
        return
    tag = st.tags.get(tid)
    if tag is None or tag.deleted:
        raise WeComError(40068)
    parent = st.tag_groups[tag.group_id]
    _check_owner(parent, agentid)
    if new_name is not None and any(
        st.tags[t].name == new_name and t != tid and not st.tags[t].deleted for t in parent.tag_ids
    ):
        raise WeComError(40071)
    if new_name is not None:
        tag.name = new_name
    if new_order is not None:
        tag.order = new_order
    corp.emit(external_tag_event(corp, tid, "tag", "update", **kw))


def del_corp_tag(
    corp: Corp,
    tag_ids: list[str],
    group_ids: list[str],
    *,
    agentid: int | None,
    source: str = SOURCE_API,
    actor_scope: str | None = None,
) -> None:
    st = external_contact(corp)
    if not tag_ids and not group_ids:
        raise param_error("tag_id", "and group_id both empty")
    groups: list[TagGroup] = []
    for gid in group_ids:
        g = st.tag_groups.get(gid)
        if g is None or g.deleted:
            raise WeComError(40068)
        _check_owner(g, agentid)
        groups.append(g)
    tags: list[CorpTag] = []
    for tid in tag_ids:
        t = st.tags.get(tid)
        if t is None or t.deleted:
            raise WeComError(40068)
        _check_owner(st.tag_groups[t.group_id], agentid)
        tags.append(t)
    # mutate: deleted ids stay as tombstones (get_corp_tag_list by id shows deleted=true)
    kw = {"source": source, "actor_scope": actor_scope, "actor_agentid": agentid}
    gone: set[str] = set()
    for g in groups:
        g.deleted = True
        for tid in g.tag_ids:
            st.tags[tid].deleted = True
            gone.add(tid)
        corp.emit(external_tag_event(corp, g.group_id, "tag_group", "delete", **kw))
    for t in tags:
        if t.deleted:
            continue
        t.deleted = True
        gone.add(t.id)
        corp.emit(external_tag_event(corp, t.id, "tag", "delete", **kw))
        g = st.tag_groups[t.group_id]
        if all(st.tags[x].deleted for x in g.tag_ids) and not g.deleted:
            g.deleted = True  # a group whose last tag goes disappears
    if gone:
        for rels in st.by_user.values():
            for f in rels:
                if f.tag_ids and gone.intersection(f.tag_ids):
                    f.tag_ids = [x for x in f.tag_ids if x not in gone]
