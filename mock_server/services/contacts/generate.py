"""A large synthetic corp (``wecom-mock fixture generate``): departments and members."""

from __future__ import annotations

from typing import Any

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉飞斌浩凯健俊帆宇欣怡晨阳雪梅琳瑶婷博文轩然"
PINYIN_SURNAMES = [
    "wang",
    "li",
    "zhang",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "wu",
    "zhou",
    "xu",
    "sun",
]
DEPT_NAMES = [
    "研发部",
    "产品部",
    "销售部",
    "市场部",
    "客服部",
    "财务部",
    "人事部",
    "行政部",
    "法务部",
    "运营部",
]


def generate(
    users: int, departments: int, seed: int, corpid: str = "wwgen0000000000001"
) -> dict[str, Any]:
    """A large synthetic corp: ``departments`` under root, ``users`` spread over them."""
    import random

    rng = random.Random(seed)
    depts = [
        {
            "id": i + 2,
            "name": f"{DEPT_NAMES[i % len(DEPT_NAMES)]}{i // len(DEPT_NAMES) + 1}",
            "parentid": 1,
            "order": 1000 - i,
        }
        for i in range(departments)
    ]
    user_rows = []
    for i in range(users):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        userid = f"{PINYIN_SURNAMES[i % len(PINYIN_SURNAMES)]}{i:05d}"
        dept = depts[i % len(depts)]["id"] if depts else 1
        user_rows.append(
            {
                "userid": userid,
                "name": name,
                "department": [dept],
                "mobile": f"139{i:08d}",
                "email": f"{userid}@example.com",
                "position": "员工",
                "gender": rng.choice(["1", "2"]),
            }
        )
    return {
        "corpid": corpid,
        "name": "生成科技",
        "secrets": {
            "contacts": "FAKE-gen-contacts-secret",
            "external": "FAKE-gen-external-secret",
            "approval": "FAKE-gen-approval-secret",
        },
        "agents": [
            {
                "agentid": 1000002,
                "name": "生成应用",
                "secret": "FAKE-gen-app-secret",
                "allow_party": [1],
                "permissions": ["externalcontact", "approval", "appchat"],
            }
        ],
        "contacts": {"root_name": "生成科技", "departments": depts, "users": user_rows},
    }
