"""The Jianye reference data of the brief, as records (loaded by ``manage.py loaddemo``).

Five streets; 36 urban residents' committees, of which 34 operate and 2 (in Xinglong) work
from another committee's office without being revoked; 2 village committees acting as
residents' committees; 85,100 households in the urban committees. The totals are never
written here: the reports compute them from these rows.
"""

import datetime

from django.db import transaction

from .models import (
    AreaType,
    CentreStatus,
    Committee,
    CommitteeKind,
    CommitteeStatus,
    CommunityCentre,
    District,
    OneStopService,
    PlanningStandard,
    Street,
    Title,
    TitleField,
    TitleKind,
)

# The plan of 8–10 community centres (社区中心) is recorded on the district.
DISTRICT = {
    "code": "320105",
    "name": "建邺区",
    "city": "南京市",
    "centres_planned_min": 8,
    "centres_planned_max": 10,
}

STREETS = [
    # code, name, short name, area type of its committees
    ("320105001", "南湖街道", "南湖", AreaType.OLD),
    ("320105002", "滨湖街道", "滨湖", AreaType.NEW),
    ("320105003", "南苑街道", "南苑", AreaType.OLD),
    ("320105004", "兴隆街道", "兴隆", AreaType.NEW),
    ("320105005", "双闸街道", "双闸", AreaType.NEW),
]

# Per street: (committee name, households). Households are the 2006 register figures.
COMMITTEES = {
    "南湖": [
        ("南湖东路社区", 2468), ("南湖西路社区", 2302), ("沿河社区", 1972),
        ("凤栖苑社区", 2564), ("文体社区", 2832), ("长虹社区", 1953),
        ("广电社区", 2230), ("贵都社区", 2568), ("南湖新村社区", 2475),
    ],
    "滨湖": [
        ("滨湖社区", 2566), ("白鹭社区", 1970), ("江东社区", 2562),
        ("恒山社区", 2152), ("泰山社区", 2118), ("庐山社区", 2353),
        ("莫愁社区", 2198), ("清江社区", 2095), ("金庐社区", 2096),
    ],
    "南苑": [
        ("南苑社区", 2474), ("吉庆社区", 2869), ("所街社区", 2696),
        ("茶亭社区", 2349), ("积善社区", 2105), ("西城社区", 2728),
        ("怡康社区", 2598), ("新河社区", 1972), ("水西门社区", 2116),
    ],
    "兴隆": [
        ("兴隆社区", 2296), ("奥体社区", 2225), ("新城社区", 2447),
        ("嘉陵江社区", 2274), ("雨润社区", 2867), ("河西社区", 2191),
        ("中和社区", 1928), ("楠溪江社区", 2375),
    ],
    "双闸": [("双闸社区", 3116)],
}

# Xinglong: because of demolition, 4 committees were merged into 2 offices (not revoked).
SHARING = {"中和社区": "兴隆社区", "楠溪江社区": "奥体社区"}

VILLAGES = [("双闸", "双和村", 1460), ("双闸", "林山村", 1215)]

# By the end of 2005: 4 star and 18 characteristic communities.
STAR_TITLES = [
    ("南湖东路社区", TitleField.SERVICE, "温馨社区"),
    ("滨湖社区", TitleField.CULTURE, "文化社区"),
    ("南苑社区", TitleField.HEALTH, "健康社区"),
    ("兴隆社区", TitleField.ENVIRONMENT, "绿色社区"),
]
CHARACTERISTIC_FIELDS = [
    (TitleField.SERVICE, "温馨社区"),
    (TitleField.HEALTH, "健康社区"),
    (TitleField.CULTURE, "文化社区"),
    (TitleField.SPORTS, "体育社区"),
    (TitleField.ENVIRONMENT, "绿色社区"),
    (TitleField.SECURITY, "平安社区"),
    (TitleField.SCIENCE, "科普社区"),
]

CENTRES = [
    ("南湖社区中心", "南湖", CentreStatus.BUILT, datetime.date(2005, 10, 1)),
    ("南苑社区中心", "南苑", CentreStatus.BUILT, datetime.date(2006, 3, 1)),
    ("滨湖社区中心", "滨湖", CentreStatus.APPROVED, datetime.date(2006, 5, 1)),
    ("兴隆社区中心", "兴隆", CentreStatus.APPROVED, datetime.date(2006, 6, 1)),
    ("奥体社区中心", "兴隆", CentreStatus.PLANNED, None),
    ("江东社区中心", "滨湖", CentreStatus.PLANNED, None),
    ("双闸社区中心", "双闸", CentreStatus.PLANNED, None),
    ("所街社区中心", "南苑", CentreStatus.PLANNED, None),
]

ESTABLISHED = datetime.date(2002, 1, 1)


@transaction.atomic
def load():
    """Create or update the reference rows; a second run changes nothing."""
    for area_type, households in ((AreaType.OLD, 2400), (AreaType.NEW, 4000)):
        PlanningStandard.objects.get_or_create(area_type=area_type, defaults={"households": households})
    district, _ = District.objects.update_or_create(code=DISTRICT["code"], defaults=DISTRICT)
    streets = {}
    area_types = {}
    for order, (code, name, short, area_type) in enumerate(STREETS, start=1):
        streets[short], _ = Street.objects.update_or_create(
            code=code,
            defaults={"district": district, "name": name, "short_name": short, "sort_order": order},
        )
        area_types[short] = area_type

    committees = {}
    # One-stop service: 12 committees piloting from March 2006 (the mid-year figure), 16
    # more in service from the second half, 28 by the end of the year.
    pilot_budget, rollout_budget = 12, 16
    for short, rows in COMMITTEES.items():
        street = streets[short]
        for index, (name, households) in enumerate(rows, start=1):
            is_host_only = name not in SHARING
            one_stop, since = OneStopService.NONE, None
            if is_host_only and pilot_budget > 0 and index <= 3:
                one_stop, pilot_budget = OneStopService.PILOT, pilot_budget - 1
                since = datetime.date(2006, 3, 1)
            elif is_host_only and rollout_budget > 0:
                one_stop, rollout_budget = OneStopService.IN_SERVICE, rollout_budget - 1
                since = datetime.date(2006, 8 + index % 4, 1)
            committees[name], _ = Committee.objects.update_or_create(
                code=f"{street.code}{index:03d}",
                defaults={
                    "name": name,
                    "street": street,
                    "kind": CommitteeKind.URBAN,
                    "status": CommitteeStatus.OPERATING,
                    "shares_office_with": None,
                    "area_type": area_types[short],
                    "households": households,
                    "population": round(households * 2.83),
                    "established_on": ESTABLISHED,
                    "revoked_on": None,
                    "one_stop_service": one_stop,
                    "one_stop_since": since,
                },
            )
    for guest, host in SHARING.items():
        committee = committees[guest]
        committee.status = CommitteeStatus.SHARING
        committee.shares_office_with = committees[host]
        committee.full_clean()
        committee.save()
    for offset, (short, name, households) in enumerate(VILLAGES, start=1):
        street = streets[short]
        committees[name], _ = Committee.objects.update_or_create(
            code=f"{street.code}{900 + offset}",
            defaults={
                "name": name,
                "street": street,
                "kind": CommitteeKind.VILLAGE,
                "status": CommitteeStatus.OPERATING,
                "area_type": AreaType.NEW,
                "households": households,
                "population": round(households * 3.1),
                "established_on": ESTABLISHED,
            },
        )

    for name, field, title in STAR_TITLES:
        Title.objects.update_or_create(
            committee=committees[name], kind=TitleKind.STAR, field=field, year=2005,
            defaults={"name": "明星" + title},
        )
    candidates = [c for c in committees.values() if c.kind == CommitteeKind.URBAN]
    for index in range(18):
        field, title = CHARACTERISTIC_FIELDS[index % len(CHARACTERISTIC_FIELDS)]
        Title.objects.update_or_create(
            committee=candidates[(index * 2 + 1) % len(candidates)],
            kind=TitleKind.CHARACTERISTIC, field=field, year=2005,
            defaults={"name": title},
        )

    for name, short, status, since in CENTRES:
        centre, _ = CommunityCentre.objects.update_or_create(
            street=streets[short], name=name, defaults={"status": status, "status_date": since}
        )
        served = [c for c in committees.values() if c.street_id == streets[short].pk][:4]
        centre.committees.set(served)
    return {"district": district, "streets": streets, "committees": committees}
