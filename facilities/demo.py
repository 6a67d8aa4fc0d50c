"""Facilities reference data of the brief (loaded by ``manage.py loaddemo``), idempotently.

Premises: the 34 operating committees have 51 premises in use, 14,680 m² in all (about 432 m²
per committee); the two committees of Xinglong that work from another committee's office have
none. Nine committees, in old estates, make do with one small rented or borrowed room and fall
under the area standard (about 25 % of the committees, as the brief says). A few premises are
kept that are only planned, were never built, or were diverted by a developer after
acceptance; they are not among the 51. The totals are never written here: the report computes
them from these rows.

The area standard (our choice, the brief gives none): from 1 January 2006 a committee needs
the larger of 300 m² and 15 m² for every 100 households.

The function standard 一校两站三栏四室六有六统一 (the brief names the groups; the items of the
"six haves" and "six uniforms" are our reading of the bureau's usual wording):

- 一校: 社区学校 (community school);
- 两站: 劳动保障工作站 (labour-security station), 社区卫生服务站 (health-service station);
- 三栏: 党务公开栏, 居务公开栏, 财务公开栏 (party, residents' and finance affairs boards);
- 四室: 办公室, 活动室, 阅览室, 调解室 (office, activity, reading and mediation rooms);
- 六有: fixed premises, a full-time staff, steady funds, written rules, kept records
  (台账), a networked computer;
- 六统一: the same name plate, rules posted on the wall, staff badges, office hours, records
  filing, and a published service pledge.

2006 compliance: the committees with poor premises lack an activity and a reading room (and
some the school or the mediation room); the new Xinglong committees have no health-service
station yet; every fifth committee has not issued staff badges.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from communities.models import CommitteeKind, CommitteeStatus

from .models import (
    AreaStandard,
    Compliance,
    FunctionStandardGroup,
    FunctionStandardItem,
    Premises,
    PremisesStatus,
    PremisesUse,
    Tenure,
)

COMPLIANCE_YEAR = 2006

AREA_STANDARD = {
    "effective_from": datetime.date(2006, 1, 1),
    "floor_area": Decimal("300.00"),
    "area_per_100_households": Decimal("15.00"),
    "note": "区定标准：不少于300平方米，且每百户不少于15平方米，取其大者",
}

OFFICE, ACTIVITY, BOTH = PremisesUse.OFFICE, PremisesUse.ACTIVITY, PremisesUse.BOTH
OWNED, RENTED, ESTATE, BORROWED = Tenure.OWNED, Tenure.RENTED, Tenure.ESTATE, Tenure.BORROWED

# Premises in use in 2006: committee -> [(name, use, area m², tenure, in use since)].
IN_USE = {
    # 南湖
    "南湖东路社区": [
        ("社区办公用房", OFFICE, "265.50", OWNED, datetime.date(2002, 3, 1)),
        ("居民活动室", ACTIVITY, "277.50", ESTATE, datetime.date(2003, 5, 1)),
    ],
    "南湖西路社区": [("办公活动用房", BOTH, "410.00", OWNED, datetime.date(2002, 3, 1))],
    "沿河社区": [("办公活动用房", BOTH, "180.00", RENTED, datetime.date(2002, 6, 1))],
    "凤栖苑社区": [
        ("社区办公用房", OFFICE, "301.00", ESTATE, datetime.date(2003, 9, 1)),
        ("居民活动中心", ACTIVITY, "339.00", ESTATE, datetime.date(2004, 4, 1)),
    ],
    "文体社区": [
        ("社区办公用房", OFFICE, "258.00", OWNED, datetime.date(2002, 3, 1)),
        ("文体活动室", ACTIVITY, "289.00", OWNED, datetime.date(2004, 10, 1)),
    ],
    "长虹社区": [("办公活动用房", BOTH, "150.00", BORROWED, datetime.date(2002, 3, 1))],
    "广电社区": [
        ("社区办公用房", OFFICE, "278.00", OWNED, datetime.date(2002, 3, 1)),
        ("老年活动室", ACTIVITY, "232.00", RENTED, datetime.date(2005, 3, 1)),
    ],
    "贵都社区": [("办公活动用房", BOTH, "449.00", ESTATE, datetime.date(2003, 1, 1))],
    "南湖新村社区": [("办公活动用房", BOTH, "260.00", RENTED, datetime.date(2002, 3, 1))],
    # 滨湖
    "滨湖社区": [
        ("社区办公用房", OFFICE, "273.00", ESTATE, datetime.date(2002, 8, 1)),
        ("居民活动室", ACTIVITY, "216.00", ESTATE, datetime.date(2004, 6, 1)),
    ],
    "白鹭社区": [("办公活动用房", BOTH, "449.00", ESTATE, datetime.date(2003, 3, 1))],
    "江东社区": [("办公活动用房", BOTH, "280.00", RENTED, datetime.date(2002, 3, 1))],
    "恒山社区": [("办公活动用房", BOTH, "415.00", OWNED, datetime.date(2002, 10, 1))],
    "泰山社区": [
        ("社区办公用房", OFFICE, "261.00", OWNED, datetime.date(2002, 3, 1)),
        ("居民活动室", ACTIVITY, "233.00", ESTATE, datetime.date(2005, 1, 1)),
    ],
    "庐山社区": [
        ("社区办公用房", OFFICE, "330.00", ESTATE, datetime.date(2003, 6, 1)),
        ("居民活动室", ACTIVITY, "248.00", ESTATE, datetime.date(2003, 6, 1)),
    ],
    "莫愁社区": [("办公活动用房", BOTH, "424.00", OWNED, datetime.date(2002, 3, 1))],
    "清江社区": [
        ("社区办公用房", OFFICE, "288.00", OWNED, datetime.date(2002, 3, 1)),
        ("居民活动室", ACTIVITY, "230.00", RENTED, datetime.date(2005, 7, 1)),
    ],
    "金庐社区": [("办公活动用房", BOTH, "411.00", ESTATE, datetime.date(2004, 2, 1))],
    # 南苑
    "南苑社区": [
        ("社区办公用房", OFFICE, "311.00", OWNED, datetime.date(2002, 3, 1)),
        ("居民活动室", ACTIVITY, "181.00", OWNED, datetime.date(2002, 3, 1)),
    ],
    "吉庆社区": [
        ("社区办公用房", OFFICE, "329.00", OWNED, datetime.date(2002, 3, 1)),
        ("居民活动中心", ACTIVITY, "233.00", ESTATE, datetime.date(2004, 9, 1)),
    ],
    "所街社区": [("办公活动用房", BOTH, "220.00", RENTED, datetime.date(2002, 3, 1))],
    "茶亭社区": [("办公活动用房", BOTH, "165.00", BORROWED, datetime.date(2002, 3, 1))],
    "积善社区": [("办公活动用房", BOTH, "240.00", RENTED, datetime.date(2002, 3, 1))],
    "西城社区": [
        ("社区办公用房", OFFICE, "283.00", OWNED, datetime.date(2002, 3, 1)),
        ("居民活动室", ACTIVITY, "239.00", RENTED, datetime.date(2005, 5, 1)),
    ],
    "怡康社区": [
        ("社区办公用房", OFFICE, "310.00", ESTATE, datetime.date(2003, 4, 1)),
        ("居民活动室", ACTIVITY, "233.00", ESTATE, datetime.date(2003, 4, 1)),
    ],
    "新河社区": [("办公活动用房", BOTH, "440.00", OWNED, datetime.date(2002, 3, 1))],
    "水西门社区": [("办公活动用房", BOTH, "135.00", BORROWED, datetime.date(2002, 3, 1))],
    # 兴隆 (中和 and 楠溪江 work from 兴隆's and 奥体's offices)
    "兴隆社区": [
        ("社区办公用房", OFFICE, "330.00", ESTATE, datetime.date(2003, 3, 1)),
        ("居民活动室", ACTIVITY, "245.00", ESTATE, datetime.date(2003, 3, 1)),
    ],
    "奥体社区": [("办公活动用房", BOTH, "422.00", ESTATE, datetime.date(2004, 8, 1))],
    "新城社区": [
        ("社区办公用房", OFFICE, "308.00", ESTATE, datetime.date(2003, 10, 1)),
        ("居民活动室", ACTIVITY, "256.00", ESTATE, datetime.date(2004, 5, 1)),
    ],
    "嘉陵江社区": [
        ("社区办公用房", OFFICE, "356.00", ESTATE, datetime.date(2004, 1, 1)),
        ("居民活动室", ACTIVITY, "205.00", RENTED, datetime.date(2005, 9, 1)),
    ],
    "雨润社区": [
        ("社区办公用房", OFFICE, "310.00", ESTATE, datetime.date(2004, 3, 1)),
        ("居民活动中心", ACTIVITY, "321.00", ESTATE, datetime.date(2005, 6, 1)),
    ],
    "河西社区": [("办公活动用房", BOTH, "210.00", RENTED, datetime.date(2002, 3, 1))],
    # 双闸
    "双闸社区": [
        ("社区办公用房", OFFICE, "421.00", OWNED, datetime.date(2002, 3, 1)),
        ("居民活动中心", ACTIVITY, "230.00", OWNED, datetime.date(2005, 10, 1)),
    ],
}

# Premises not in use: committee -> [(name, use, area, status, since, note)].
NOT_IN_USE = {
    "新城社区": [
        (
            "新城花园二期配套用房",
            BOTH,
            "300.00",
            PremisesStatus.PLANNED,
            datetime.date(2006, 4, 1),
            "规划已批，尚未开工",
        ),
    ],
    "雨润社区": [
        (
            "雨润星雨华府配套用房",
            BOTH,
            "350.00",
            PremisesStatus.PLANNED,
            datetime.date(2006, 5, 1),
            "随小区二期建设",
        ),
    ],
    "嘉陵江社区": [
        (
            "嘉陵江东街小区配套用房",
            BOTH,
            "200.00",
            PremisesStatus.NEVER_BUILT,
            datetime.date(2005, 9, 1),
            "规划图上有，小区交付时未建",
        ),
    ],
    "奥体社区": [
        (
            "奥体新城配套用房",
            ACTIVITY,
            "250.00",
            PremisesStatus.NEVER_BUILT,
            datetime.date(2005, 12, 1),
            "规划图上有，小区交付时未建",
        ),
    ],
    "江东社区": [
        (
            "江东小区公建用房",
            BOTH,
            "180.00",
            PremisesStatus.DIVERTED,
            datetime.date(2004, 11, 1),
            "验收后被开发商改作商铺出租",
        ),
    ],
    "白鹭社区": [
        (
            "白鹭花园公建用房",
            ACTIVITY,
            "220.00",
            PremisesStatus.DIVERTED,
            datetime.date(2005, 6, 1),
            "验收后被开发商挪作售楼处",
        ),
    ],
}

# The function standard: (group, code, name, description).
G = FunctionStandardGroup
FUNCTION_STANDARD = [
    (G.SCHOOL, "school", "社区学校", "面向居民的社区教育阵地"),
    (G.STATIONS, "labour-security-station", "劳动保障工作站", "就业、社保等劳动保障事务"),
    (G.STATIONS, "health-service-station", "社区卫生服务站", "基本医疗、预防保健服务"),
    (G.BOARDS, "party-affairs-board", "党务公开栏", ""),
    (G.BOARDS, "residents-affairs-board", "居务公开栏", ""),
    (G.BOARDS, "finance-affairs-board", "财务公开栏", ""),
    (G.ROOMS, "office-room", "办公室", ""),
    (G.ROOMS, "activity-room", "活动室", ""),
    (G.ROOMS, "reading-room", "阅览室", ""),
    (G.ROOMS, "mediation-room", "调解室", ""),
    (G.HAVES, "have-premises", "有固定办公活动用房", ""),
    (G.HAVES, "have-staff", "有专职社区工作者队伍", ""),
    (G.HAVES, "have-funds", "有稳定的工作经费", ""),
    (G.HAVES, "have-rules", "有健全的规章制度", ""),
    (G.HAVES, "have-records", "有规范的工作台账", ""),
    (G.HAVES, "have-computer", "有联网的电脑设备", ""),
    (G.UNIFORMS, "uniform-sign", "统一社区标牌", ""),
    (G.UNIFORMS, "uniform-rules", "统一制度上墙", ""),
    (G.UNIFORMS, "uniform-badges", "统一工作人员胸牌", ""),
    (G.UNIFORMS, "uniform-hours", "统一办公时间", ""),
    (G.UNIFORMS, "uniform-filing", "统一档案管理", ""),
    (G.UNIFORMS, "uniform-pledge", "统一服务承诺公开", ""),
]

# Committees whose premises are too small (old estates): what they lack in 2006.
POOR_PREMISES = [
    "沿河社区",
    "长虹社区",
    "南湖新村社区",
    "所街社区",
    "茶亭社区",
    "积善社区",
    "水西门社区",
    "江东社区",
    "河西社区",
]


def missing_items(name: str, street_short: str, index: int) -> dict[str, str]:
    """The items a committee had not met in 2006, with the clerk's note."""
    missing = {}
    if name in POOR_PREMISES:
        missing["activity-room"] = "用房面积不足，无独立活动室"
        missing["reading-room"] = "用房面积不足，无独立阅览室"
        poor_index = POOR_PREMISES.index(name)
        if poor_index % 2 == 0:
            missing["school"] = "无教学场地"
        if poor_index % 3 == 0:
            missing["mediation-room"] = "与办公室合用"
    elif street_short == "兴隆":
        missing["health-service-station"] = "新建小区，卫生服务站在筹建中"
    if index % 5 == 4:
        missing["uniform-badges"] = "胸牌尚未发放"
    return missing


def load_function_standard() -> dict[str, FunctionStandardItem]:
    items = {}
    for order, (group, code, name, description) in enumerate(FUNCTION_STANDARD, start=1):
        items[code], _ = FunctionStandardItem.objects.update_or_create(
            code=code,
            defaults={"group": group, "name": name, "description": description, "order": order},
        )
    return items


def load_compliance(committees, items) -> None:
    """2006 compliance of every operating committee, in bulk (748 rows)."""
    operating = [
        c
        for c in committees.values()
        if c.kind == CommitteeKind.URBAN and c.status == CommitteeStatus.OPERATING
    ]
    operating.sort(key=lambda c: c.code)
    existing = {
        (row.committee_id, row.item_id): row
        for row in Compliance.objects.filter(
            year=COMPLIANCE_YEAR, committee__in=operating, item__in=items.values()
        )
    }
    to_create, to_update = [], []
    for index, committee in enumerate(operating):
        missing = missing_items(committee.name, committee.street.short_name, index)
        for code, item in items.items():
            met, note = code not in missing, missing.get(code, "")
            row = existing.get((committee.pk, item.pk))
            if row is None:
                to_create.append(
                    Compliance(
                        committee=committee, year=COMPLIANCE_YEAR, item=item, met=met, note=note
                    )
                )
            elif (row.met, row.note) != (met, note):
                row.met, row.note = met, note
                to_update.append(row)
    Compliance.objects.bulk_create(to_create)
    Compliance.objects.bulk_update(to_update, ["met", "note"])


@transaction.atomic
def load(context):
    """Create or update the facilities reference rows; a second run changes nothing."""
    committees = context["committees"]
    AreaStandard.objects.update_or_create(
        effective_from=AREA_STANDARD["effective_from"], defaults=AREA_STANDARD
    )
    for committee_name, rows in IN_USE.items():
        for name, use, area, tenure, since in rows:
            Premises.objects.update_or_create(
                committee=committees[committee_name],
                name=name,
                defaults={
                    "use": use,
                    "area": Decimal(area),
                    "tenure": tenure,
                    "status": PremisesStatus.IN_USE,
                    "status_since": since,
                    "ended_on": None,
                },
            )
    for committee_name, rows in NOT_IN_USE.items():
        for name, use, area, status, since, note in rows:
            Premises.objects.update_or_create(
                committee=committees[committee_name],
                name=name,
                defaults={
                    "use": use,
                    "area": Decimal(area),
                    "tenure": Tenure.ESTATE,
                    "status": status,
                    "status_since": since,
                    "ended_on": None,
                    "note": note,
                },
            )
    items = load_function_standard()
    load_compliance(committees, items)
    return {"function_standard_items": items}
