"""The ``checkin`` fixture section: rules (groups) and shift assignments.

A rule is written in the ``getcorpcheckinoption`` shape; omitted fields get the defaults a
rule created in the admin console shows. Short forms: ``workdays`` + ``checkintime`` at the
top level of a fixed or free rule become its single ``checkindate`` entry; ``wifi`` and
``locations`` stand for ``wifimac_infos`` and ``loc_infos``.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from mock_server.core.plugin import FixtureSection
from mock_server.core.state import Corp
from mock_server.services.oa.checkin import models as m

if TYPE_CHECKING:
    from mock_server.core.pipeline import Host as Emulator

SECTION: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "Check-in rules (打卡规则) and shift assignments (排班).",
    "properties": {
        "rules": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["groupid", "groupname", "grouptype", "range"],
                "properties": {
                    "groupid": {"type": "integer", "minimum": 1},
                    "groupname": {"type": "string", "minLength": 1, "maxLength": 40},
                    "grouptype": {"enum": [1, 2, 3], "description": "1 fixed, 2 shifts, 3 free"},
                    "workdays": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 6}},
                    "checkintime": {"type": "array", "items": {"type": "object", "required": ["work_sec", "off_work_sec"]}},
                    "flex_on_duty_time": {"type": "integer"},
                    "flex_off_duty_time": {"type": "integer"},
                    "wifi": {"type": "array", "items": {"type": "object", "required": ["wifiname", "wifimac"]}},
                    "locations": {"type": "array", "items": {"type": "object", "required": ["lat", "lng", "distance"]}},
                    "range": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "party_id": {"type": "array", "items": {"type": "string"}},
                            "userid": {"type": "array", "items": {"type": "string"}},
                            "tagid": {"type": "array", "items": {"type": "integer"}},
                        },
                    },
                    "white_users": {"type": "array", "items": {"type": "string"}},
                    "schedulelist": {"type": "array", "items": {"type": "object", "required": ["schedule_id", "schedule_name"]}},
                },
            },
        },
        "schedules": {
            "type": "array",
            "description": "排班: a shift of the member's rule on a day (YYYY-MM-DD)",
            "items": {
                "type": "object",
                "required": ["userid", "date", "schedule_id"],
                "additionalProperties": False,
                "properties": {
                    "userid": {"type": "string"},
                    "date": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"},
                    "schedule_id": {"type": "integer", "minimum": 0},
                },
            },
        },
    },
}  # fmt: skip

DEFAULTS: dict[str, Any] = {
    "spe_workdays": [], "spe_offdays": [], "sync_holidays": True, "need_photo": False,
    "note_can_use_local_pic": True, "allow_checkin_offworkday": False,
    "allow_apply_offworkday": True, "wifimac_infos": [], "loc_infos": [],
    "white_users": [], "type": 0, "reporterinfo": {"reporters": [], "updatetime": 0},
    "ot_info": {"type": 1, "allow_ot_workingday": False, "allow_ot_nonworkingday": False,
                "otcheckinfo": {"ot_workingday_time_start": 1800, "ot_workingday_time_min": 1800,
                                "ot_workingday_time_max": 14400, "ot_nonworkingday_time_min": 1800,
                                "ot_nonworkingday_time_max": 14400, "ot_nonworkingday_spanday_time": 0,
                                "ot_workingday_restinfo": {"type": 0},
                                "ot_nonworkingday_restinfo": {"type": 0}},
                "uptime": 0},
    "allow_apply_bk_cnt": -1, "option_out_range": 0, "create_userid": "", "use_face_detect": False,
    "allow_apply_bk_day_limit": -1, "update_userid": "", "schedulelist": [],
    "offwork_interval_time": 300, "open_sp_checkin": True, "checkin_method_type": 0,
    "buka_restriction": 0,
}  # fmt: skip


def build_rule(spec: dict[str, Any], created: int) -> dict[str, Any]:
    """A fixture rule as getcorpcheckinoption returns it."""
    spec = copy.deepcopy(spec)
    rule: dict[str, Any] = {"grouptype": spec.pop("grouptype"), "groupid": spec.pop("groupid")}
    rule["groupname"] = spec.pop("groupname")
    flex_on, flex_off = spec.pop("flex_on_duty_time", 0), spec.pop("flex_off_duty_time", 0)
    workdays, times = spec.pop("workdays", None), spec.pop("checkintime", None)
    if "checkindate" not in spec:
        rule["checkindate"] = []
        if rule["grouptype"] != m.SHIFT and workdays is not None:
            rule["checkindate"] = [
                {
                    "workdays": workdays,
                    "checkintime": [
                        {"time_id": i + 1, "remind_work_sec": t["work_sec"] - 600,
                         "remind_off_work_sec": t["off_work_sec"], **t}
                        for i, t in enumerate(times or [])
                    ],
                    "noneed_offwork": False, "limit_aheadtime": 7200000,
                    "flex_on_duty_time": flex_on, "flex_off_duty_time": flex_off,
                }
            ]  # fmt: skip
    if "wifi" in spec:
        spec["wifimac_infos"] = spec.pop("wifi")
    if "locations" in spec:
        spec["loc_infos"] = [
            {"loc_title": "", "loc_detail": "", **loc} for loc in spec.pop("locations")
        ]
    rng = spec.pop("range")
    rule.update(copy.deepcopy(DEFAULTS))
    rule.update(spec)
    rule["range"] = {
        "party_id": list(rng.get("party_id", [])),
        "userid": list(rng.get("userid", [])),
        "tagid": list(rng.get("tagid", [])),
    }
    rule.setdefault("create_time", created)
    if rule["grouptype"] == m.SHIFT and not any(
        s["schedule_id"] == 0 for s in rule["schedulelist"]
    ):
        rule["schedulelist"].insert(
            0, {"schedule_id": 0, "schedule_name": "休息", "time_section": []}
        )
    return rule


# create_time of fixture rules: a fixed date, so a reset rebuilds identical state.
FIXTURE_CREATED = 1704067200  # 2024-01-01


def load_checkin(emu: Emulator, corp: Corp, section: dict[str, Any] | None) -> None:
    store = m.checkin(corp)
    created = FIXTURE_CREATED
    seen: dict[str, int] = {}
    for i, spec in enumerate((section or {}).get("rules", [])):
        rule = build_rule(spec, created)
        if rule["groupid"] in store.rules:
            raise ValueError(f"checkin.rules[{i}]: duplicate groupid {rule['groupid']}")
        for u in rule["range"]["userid"] + rule["white_users"]:
            if m.user_of(corp, u) is None:
                raise ValueError(f"checkin.rules[{i}]: unknown user {u!r}")
        for key in m.rule_members(corp, rule):
            if key in seen:  # the API refuses overlapping ranges (301091)
                raise ValueError(
                    f"checkin.rules[{i}]: {key} is already in rule {seen[key]} (ranges overlap)"
                )
            seen[key] = rule["groupid"]
        store.rules[rule["groupid"]] = rule
    for i, row in enumerate((section or {}).get("schedules", [])):
        user = m.user_of(corp, row["userid"])
        gid = seen.get(user.key) if user else None
        shift_rule = store.rules.get(gid) if gid is not None else None
        if user is None or shift_rule is None or shift_rule["grouptype"] != m.SHIFT:
            raise ValueError(f"checkin.schedules[{i}]: {row['userid']!r} has no shift rule")
        if not any(s["schedule_id"] == row["schedule_id"] for s in shift_rule["schedulelist"]):
            raise ValueError(f"checkin.schedules[{i}]: unknown schedule_id {row['schedule_id']}")
        store.schedules.setdefault(user.key, {})[row["date"].replace("-", "")] = row["schedule_id"]


section = FixtureSection("checkin", SECTION, load_checkin, order=45)


def generated_rules(doc: dict[str, Any], args: Any = None, rng: Any = None) -> None:
    """``fixture generate``: one fixed rule for the whole corp (09:00-18:00, Mon-Fri, 5
    minutes' grace, office Wi-Fi and location), and the generated app may read check-in."""
    doc["checkin"] = {
        "rules": [
            {
                "groupid": 1,
                "groupname": "固定班",
                "grouptype": 1,
                "workdays": [1, 2, 3, 4, 5],
                "checkintime": [{"work_sec": 32400, "off_work_sec": 64800}],
                "flex_on_duty_time": 300,
                "wifi": [{"wifiname": "GEN-Office", "wifimac": "a4:5e:60:00:00:99"}],
                "locations": [
                    {"lat": 31230416, "lng": 121473701, "loc_title": "总部", "distance": 300}
                ],
                "range": {"party_id": ["1"]},
                "ot_info": {
                    "type": 1,
                    "allow_ot_workingday": True,
                    "allow_ot_nonworkingday": False,
                    "otcheckinfo": {
                        "ot_workingday_time_start": 1800,
                        "ot_workingday_time_min": 1800,
                        "ot_workingday_time_max": 14400,
                    },
                },
            }
        ]
    }
    for agent in doc.get("agents", []):
        if "checkin" not in agent.setdefault("permissions", []):
            agent["permissions"].append("checkin")
