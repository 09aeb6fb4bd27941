"""The import files of ``batch/syncuser``, ``batch/replaceuser`` and ``batch/replaceparty``.

Columns are matched by header text, not position (the docs say absent columns are left
unchanged and extra columns may follow); the member file's trailing header cell is the
console template's note on the 禁用 column, not a data column. A file that cannot be read
at all is refused at submit time with 40092; content problems are judged when the job runs.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from mock_server.core.errors import WeComError

# Member file: header text -> the user/create field it fills.
MEMBER_COLUMNS = {
    "姓名": "name",
    "帐号": "userid",
    "账号": "userid",
    "手机号": "mobile",
    "邮箱": "email",
    "所在部门": "department",
    "职位": "position",
    "性别": "gender",
    "是否部门内领导": "is_leader_in_dept",
    "排序": "order",
    "别名": "alias",
    "地址": "address",
    "座机": "telephone",
    "禁用": "enable",
    "微信号": "",  # the retired WeChat-id column of the 企业号 era: read and ignored
}
MEMBER_HEADER = (
    "姓名,帐号,手机号,邮箱,所在部门,职位,性别,是否部门内领导,排序,别名,地址,座机,禁用,"
    "禁用项说明：(0-启用;1-禁用)"
)
NOTE_PREFIX = "禁用项说明"
DEPARTMENT_COLUMNS = {"部门名称": "name", "部门ID": "id", "父部门ID": "parentid", "排序": "order"}
DEPARTMENT_HEADER = "部门名称,部门ID,父部门ID,排序"
GENDERS = {"男": "1", "女": "2", "1": "1", "2": "2", "0": "0"}


class RowError(Exception):
    """A cell the member file cannot express; reported in that row's result."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(errmsg)
        self.errcode = errcode
        self.errmsg = errmsg


def _rows(data: bytes) -> list[list[str]]:
    """The file's records as cell lists (UTF-8, optional BOM, \\n or \\r\\n)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # The docs require UTF-8; whether a GBK file is accepted is unknown, so it is not.
        raise WeComError(40092, "file must be utf-8.") from None
    if "\x00" in text:
        raise WeComError(40092, "file is not a csv text.")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise WeComError(40092, "file is not a valid csv.") from None
    return [[c.strip() for c in r] for r in rows if any(c.strip() for c in r)]


def _header(cells: list[str], columns: dict[str, str]) -> dict[int, str]:
    out: dict[int, str] = {}
    for i, cell in enumerate(cells):
        field = columns.get(cell)
        if field:
            if field in out.values():
                raise WeComError(40092, f"column {cell} duplicated.")
            out[i] = field
    return out


def parse_member_file(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """(fields present in the file, rows as {field: raw cell}); 40092 if unreadable."""
    rows = _rows(data)
    if not rows:
        raise WeComError(40092, "file is empty.")
    header = _header(rows[0], MEMBER_COLUMNS)
    if "userid" not in header.values() or "name" not in header.values():
        raise WeComError(40092, "file lacks the 姓名 or 帐号 column.")
    records = []
    for cells in rows[1:]:
        rec = {f: cells[i] if i < len(cells) else "" for i, f in header.items()}
        if not rec["userid"]:
            raise WeComError(40092, "a row has an empty 帐号.")
        records.append(rec)
    if not records:
        raise WeComError(40092, "file has no member rows.")
    return list(header.values()), records


def parse_department_file(data: bytes) -> list[dict[str, str]]:
    """Department rows as {field: raw cell}; 40092 if unreadable."""
    rows = _rows(data)
    if not rows:
        raise WeComError(40092, "file is empty.")
    header = _header(rows[0], DEPARTMENT_COLUMNS)
    if not {"name", "id", "parentid"} <= set(header.values()):
        raise WeComError(40092, "file lacks the 部门名称, 部门ID or 父部门ID column.")
    records = [
        {f: cells[i] if i < len(cells) else "" for i, f in header.items()} for cells in rows[1:]
    ]
    if not records:
        raise WeComError(40092, "file has no department rows.")
    return records


def _int_cells(raw: str, field: str) -> list[int]:
    parts = [p.strip() for p in raw.replace("；", ";").split(";")]
    try:
        return [int(p) for p in parts]
    except ValueError:
        code = 60123 if field == "department" else 40058
        raise RowError(code, f"{field} invalid: {raw}") from None


def member_body(rec: dict[str, str]) -> dict[str, Any]:
    """A member row as a ``user/create``/``user/update`` body; empty cells are left out."""
    body: dict[str, Any] = {}
    for field, raw in rec.items():
        if raw == "":
            continue
        if field in ("department", "is_leader_in_dept", "order"):
            body[field] = _int_cells(raw, field)
        elif field == "gender":
            if raw not in GENDERS:
                raise RowError(40058, f"gender invalid: {raw}")
            body["gender"] = GENDERS[raw]
        elif field == "enable":
            # 禁用: 0 = enabled, 1 = disabled (the template's note), the JSON field inverted.
            if raw not in ("0", "1"):
                raise RowError(40058, f"disable invalid: {raw}")
            body["enable"] = 1 - int(raw)
        else:
            body[field] = raw
    return body


def render_member_file(users: list[dict[str, Any]]) -> bytes:
    """A member file in the console template's layout (test data, the worked example)."""
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(MEMBER_HEADER.split(","))
    for u in users:
        depts = u.get("department", [1])
        w.writerow(
            [
                u["name"],
                u["userid"],
                u.get("mobile", ""),
                u.get("email", ""),
                ";".join(str(d) for d in depts),
                u.get("position", ""),
                {"1": "男", "2": "女"}.get(str(u.get("gender", "")), ""),
                ";".join(str(x) for x in u.get("is_leader_in_dept", [0] * len(depts))),
                ";".join(str(x) for x in u.get("order", [0] * len(depts))),
                u.get("alias", ""),
                u.get("address", ""),
                u.get("telephone", ""),
                "1" if u.get("enable", 1) == 0 else "0",
            ]
        )
    return out.getvalue().encode("utf-8")


def render_department_file(departments: list[dict[str, Any]]) -> bytes:
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(DEPARTMENT_HEADER.split(","))
    for d in departments:
        w.writerow([d["name"], d["id"], d["parentid"], d.get("order", "")])
    return out.getvalue().encode("utf-8")
