"""The staffing reference data of the brief (loaded by ``manage.py loaddemo``).

Positions and the 2006 pay standards (director 850, deputy 800, social worker 750 yuan a
month; the full-time party-affairs worker is paid as a social worker; volunteers unpaid), and
a roster in post all of 2006 in the 34 operating committees: 34 directors, 33 deputies and
152 paid social workers, 34 of them full-time party-affairs workers, plus volunteers. The
staff funds are never written here: the budgets compute them from these rows.

What the streets pay beyond the standard (``PayComponent``), from which the average income
of about 12,600 yuan a year of the brief comes (``staffing.income``; never written here): a
monthly street allowance per position in every street (南湖 raises its own from July), a
year-end bonus per position, and a monthly qualification subsidy for the people who passed
the skills exam, from the month after the exam.

Also 24 training classes in 2006 with their attendance (240 trainee-times, 6 of the classes
on information systems), 16 earlier information-system classes (2002-2005: with 2006's, 22
such classes and 200+ trainee-times since 2002, the brief's "20+ classes, 200+
trainee-times"), the 10 social workers who passed the skills exam, and 2-3 qualified
information system operators (持证上岗, a recorded qualification) in every operating
committee. Every committee has one director, one deputy and one party-affairs worker post.
Everything is generated from a fixed seed, and
rows are keyed by natural keys (ID-card number, class title and date), so a second run finds
every row and changes nothing.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction

from communities.models import CommitteeKind, CommitteeStatus

from .idcards import make_id_number
from .models import (
    Attendance,
    Education,
    ExamResult,
    Gender,
    PayBasis,
    PayComponent,
    PayComponentKind,
    PayStandard,
    Person,
    Position,
    Posting,
    Qualification,
    QualificationKind,
    Subject,
    TrainingClass,
)

# code, name, paid, paid as (code), order
POSITIONS = [
    ("director", "主任", True, None, 10),
    ("deputy", "副主任", True, None, 20),
    ("social-worker", "社工", True, None, 30),
    ("party-worker", "专职党务工作者", True, "social-worker", 40),
    ("volunteer", "义工", False, None, 50),
]
# Posts every operating committee should have (the rest have no fixed number).
POSTS_PER_COMMITTEE = {"director": 1, "deputy": 1, "party-worker": 1}
STANDARDS_2006 = {"director": Decimal("850"), "deputy": Decimal("800"), "social-worker": Decimal("750")}
STANDARD_DATE = datetime.date(2006, 1, 1)

# The one operating committee whose deputy post was vacant in 2006 (33 deputies for 34).
DEPUTY_VACANT = "双闸社区"
# Social workers (besides the party-affairs worker) per committee: 118 = 34 × 3 + 16.
EXTRA_SOCIAL_WORKERS = 16  # the first 16 committees (in code order) have a fourth

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹"
GIVEN_MALE = "伟强军平刚勇明辉健峰建国志华斌宏波鹏俊杰林涛海文国庆东兵成龙"
GIVEN_FEMALE = "芳娟敏静丽艳霞秀英玲燕红梅琴萍洁婷雪慧兰娜琳凤莉云珍桂蓉"
# Nanjing area codes for where the ID card was issued (建邺 most often).
AREAS = ["320105", "320105", "320105", "320104", "320106", "320102", "320111", "320103"]

CLASSES_2006 = [
    ("社区信息系统操作培训（第一期）", Subject.INFORMATION, 16),
    ("社区信息系统操作培训（第二期）", Subject.INFORMATION, 16),
    ("社区信息系统操作培训（第三期）", Subject.INFORMATION, 16),
    ("人口信息系统数据录入培训", Subject.INFORMATION, 8),
    ("计算机基础与办公软件培训", Subject.INFORMATION, 24),
    ("社区网站维护培训", Subject.INFORMATION, 8),
    ("社会工作基础知识", Subject.SOCIAL_WORK, 12),
    ("社会工作方法与个案工作", Subject.SOCIAL_WORK, 12),
    ("社区矛盾调解实务", Subject.SOCIAL_WORK, 8),
    ("社工职业水平考试辅导", Subject.SOCIAL_WORK, 24),
    ("社区党建工作实务", Subject.PARTY, 8),
    ("党员先进性教育专题辅导", Subject.PARTY, 6),
    ("党务工作者业务培训", Subject.PARTY, 8),
    ("《居民委员会组织法》学习", Subject.POLICY, 4),
    ("社区劳动保障政策培训", Subject.POLICY, 6),
    ("城市低保政策与操作", Subject.POLICY, 6),
    ("计划生育政策与服务", Subject.POLICY, 4),
    ("社区卫生服务知识", Subject.SERVICE, 6),
    ("一站式服务窗口规范", Subject.SERVICE, 8),
    ("社区文化活动组织", Subject.SERVICE, 6),
    ("社区治安与安全防范", Subject.SERVICE, 4),
    ("社区科普工作培训", Subject.SERVICE, 4),
    ("社区志愿服务管理", Subject.SERVICE, 4),
    ("社区工作手册宣讲", Subject.OTHER, 4),
]
TRAINEES_PER_CLASS = 10  # 24 classes × 10 = 240 trainee-times
EXAM_PASSES = 10
# Information-system classes before 2006, four a year from the system's start in 2002.
EARLIER_IT_CLASSES = [
    (year, f"社区信息系统操作培训（{year}年第{number}期）", datetime.date(year, 4 + 2 * number, 15))
    for year in (2002, 2003, 2004, 2005)
    for number in (1, 2, 3, 4)
]
QUALIFIED_ON = datetime.date(2006, 4, 20)  # the operators' certificates, before mid-year


class _People:
    """Deterministic names, birth dates and valid ID-card numbers."""

    def __init__(self, seed=2006):
        self.random = random.Random(seed)
        self.sequence = 0

    def make(self, *, born_between, male_share, education_weights, party_share):
        rng = self.random
        self.sequence += 1
        male = rng.random() < male_share
        first, last = born_between
        birth = datetime.date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))
        given = GIVEN_MALE if male else GIVEN_FEMALE
        name = rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))
        # Sequence digits: unique per person, odd for men and even for women.
        sequence = self.sequence * 2 + (1 if male else 0)
        educations, weights = zip(*education_weights, strict=True)
        return {
            "name": name,
            "gender": Gender.MALE if male else Gender.FEMALE,
            "birth_date": birth,
            "education": rng.choices(educations, weights)[0],
            "party_member": rng.random() < party_share,
            "phone": f"1{rng.choice('358')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
            "id_number": make_id_number(rng.choice(AREAS), birth, sequence),
        }


E = Education
PROFILES = {
    "director": dict(
        born_between=(1950, 1966), male_share=0.4, party_share=0.95,
        education_weights=[(E.SENIOR, 3), (E.COLLEGE, 5), (E.BACHELOR, 2)],
    ),
    "deputy": dict(
        born_between=(1955, 1975), male_share=0.35, party_share=0.7,
        education_weights=[(E.SENIOR, 4), (E.COLLEGE, 4), (E.BACHELOR, 2)],
    ),
    "party-worker": dict(
        born_between=(1958, 1980), male_share=0.3, party_share=1.0,
        education_weights=[(E.SENIOR, 2), (E.COLLEGE, 5), (E.BACHELOR, 3)],
    ),
    "social-worker": dict(
        born_between=(1958, 1984), male_share=0.25, party_share=0.3,
        education_weights=[(E.JUNIOR, 1), (E.SENIOR, 5), (E.COLLEGE, 4), (E.BACHELOR, 2)],
    ),
    "volunteer": dict(
        born_between=(1936, 1956), male_share=0.45, party_share=0.5,
        education_weights=[(E.JUNIOR, 5), (E.SENIOR, 4), (E.COLLEGE, 1)],
    ),
}


def operating_committees(committees):
    return sorted(
        (
            c
            for c in committees.values()
            if c.kind == CommitteeKind.URBAN and c.status == CommitteeStatus.OPERATING
        ),
        key=lambda c: c.code,
    )


def roster_plan(committees):
    """(committee, position code, person fields, start date, earlier committee or None)."""
    people = _People()
    rng = random.Random(1)
    plan = []
    ordered = operating_committees(committees)
    for index, committee in enumerate(ordered):
        posts = ["director"]
        if committee.name != DEPUTY_VACANT:
            posts.append("deputy")
        posts.append("party-worker")
        posts += ["social-worker"] * (3 + (1 if index < EXTRA_SOCIAL_WORKERS else 0))
        posts += ["volunteer"] * (2 + index % 3)
        for code in posts:
            start = datetime.date(rng.choice((2002, 2003, 2004, 2005)), rng.randint(1, 12), 1)
            if code == "volunteer":
                start = datetime.date(2005, rng.randint(1, 12), 1)
            plan.append((committee, code, people.make(**PROFILES[code]), start))
    return plan


# A few social workers moved between committees of a street; their first posting is history.
MOVES = 4


@transaction.atomic
def load(context):
    committees = context["committees"]

    positions = {}
    for code, name, paid, _paid_as, order in POSITIONS:
        positions[code], _ = Position.objects.get_or_create(
            code=code, defaults={"name": name, "is_paid": paid, "sort_order": order}
        )
    for code, _name, _paid, paid_as, _order in POSITIONS:
        if paid_as and positions[code].paid_as_id is None:
            positions[code].paid_as = positions[paid_as]
            positions[code].save(update_fields=["paid_as"])
    for code, posts in POSTS_PER_COMMITTEE.items():
        if positions[code].posts_per_committee is None:
            positions[code].posts_per_committee = posts
            positions[code].save(update_fields=["posts_per_committee"])
    for code, amount in STANDARDS_2006.items():
        PayStandard.objects.get_or_create(
            position=positions[code],
            effective_from=STANDARD_DATE,
            defaults={"monthly_amount": amount, "note": "2006年标准"},
        )

    plan = roster_plan(committees)
    wanted = [fields["id_number"] for _c, _p, fields, _s in plan]
    existing = set(Person.objects.filter(id_number__in=wanted).values_list("id_number", flat=True))
    Person.objects.bulk_create(
        [
            Person(street_id=committee.street_id, **fields)
            for committee, _code, fields, _start in plan
            if fields["id_number"] not in existing
        ]
    )
    people = dict(Person.objects.filter(id_number__in=wanted).values_list("id_number", "pk"))

    # Earlier postings of the people who moved (in the same street, ended before 2006).
    by_street = {}
    for committee in operating_committees(committees):
        by_street.setdefault(committee.street_id, []).append(committee)
    postings = []
    moved = 0
    for committee, code, fields, start in plan:
        person_id = people[fields["id_number"]]
        if code == "social-worker" and moved < MOVES and start.year >= 2004:
            siblings = [c for c in by_street[committee.street_id] if c.pk != committee.pk]
            if siblings:
                moved += 1
                earlier = siblings[moved % len(siblings)]
                postings.append(
                    Posting(
                        person_id=person_id,
                        committee=earlier,
                        position=positions[code],
                        start_date=datetime.date(2002, 3, 1),
                        end_date=start - datetime.timedelta(days=1),
                    )
                )
        postings.append(
            Posting(
                person_id=person_id, committee=committee, position=positions[code], start_date=start
            )
        )
    have = set(
        Posting.objects.filter(person_id__in=people.values()).values_list(
            "person_id", "committee_id", "start_date"
        )
    )
    Posting.objects.bulk_create(
        [p for p in postings if (p.person_id, p.committee_id, p.start_date) not in have]
    )

    load_training(plan, people)
    load_pay_components(context["streets"], positions)
    load_earlier_training()
    load_qualifications(plan, people)
    return {"positions": positions}


def load_earlier_training():
    """The information-system classes of 2002-2005, each attended by ten staff in post on
    the day (so that each trainee-time counts under a committee)."""
    rng = random.Random(2002)
    rows, classes = [], []
    for _year, title, day in EARLIER_IT_CLASSES:
        training_class, _ = TrainingClass.objects.get_or_create(
            title=title, date=day, defaults={"subject": Subject.INFORMATION, "hours": Decimal(16)}
        )
        classes.append(training_class)
        pool = sorted(
            set(
                Posting.objects.in_post_on(day)
                .filter(position__is_paid=True)
                .values_list("person_id", flat=True)
            )
        )
        for person_id in rng.sample(pool, min(TRAINEES_PER_CLASS, len(pool))):
            rows.append(Attendance(training_class=training_class, person_id=person_id))
    have = set(
        Attendance.objects.filter(training_class__in=classes).values_list(
            "training_class_id", "person_id"
        )
    )
    Attendance.objects.bulk_create(
        [r for r in rows if (r.training_class.pk, r.person_id) not in have]
    )


def load_qualifications(plan, people):
    """2-3 qualified information system operators in every operating committee (3 in every
    third), among its paid staff other than the director."""
    wanted: dict[int, list[int]] = {}
    for committee, code, fields, _start in plan:
        if code in ("deputy", "party-worker", "social-worker"):
            wanted.setdefault(committee.pk, []).append(people[fields["id_number"]])
    rows = []
    for index, committee_id in enumerate(sorted(wanted)):
        for person_id in wanted[committee_id][: 3 if index % 3 == 0 else 2]:
            rows.append(
                Qualification(
                    person_id=person_id,
                    kind=QualificationKind.IT_OPERATOR,
                    qualified_on=QUALIFIED_ON,
                    certificate_number=f"JYIT-{person_id:05d}",
                )
            )
    have = set(
        Qualification.objects.filter(person_id__in=[r.person_id for r in rows]).values_list(
            "person_id", "kind", "qualified_on"
        )
    )
    Qualification.objects.bulk_create(
        [r for r in rows if (r.person_id, r.kind, r.qualified_on) not in have]
    )


def load_training(plan, people):
    rng = random.Random(3)
    staff = [
        (people[fields["id_number"]], code)
        for _committee, code, fields, _start in plan
        if code != "volunteer"
    ]
    classes = []
    for index, (title, subject, hours) in enumerate(CLASSES_2006):
        day = datetime.date(2006, 2 + index * 10 // len(CLASSES_2006), 5 + (index * 7) % 20)
        training_class, _ = TrainingClass.objects.get_or_create(
            title=title, date=day, defaults={"subject": subject, "hours": Decimal(hours)}
        )
        classes.append((training_class, subject))
    rows = []
    for training_class, subject in classes:
        pool = staff
        if subject == Subject.PARTY:
            pool = [s for s in staff if s[1] in ("party-worker", "director")]
        for person_id, _code in rng.sample(pool, TRAINEES_PER_CLASS):
            rows.append(Attendance(training_class=training_class, person_id=person_id))
    have = set(
        Attendance.objects.filter(training_class__in=[c for c, _s in classes]).values_list(
            "training_class_id", "person_id"
        )
    )
    Attendance.objects.bulk_create(
        [r for r in rows if (r.training_class.pk, r.person_id) not in have]
    )

    social_workers = [pid for pid, code in staff if code in ("social-worker", "party-worker")]
    passes = []
    for number, person_id in enumerate(rng.sample(social_workers, EXAM_PASSES), start=1):
        passes.append(
            ExamResult(
                person_id=person_id,
                passed_on=datetime.date(2006, 11, 18),
                score=Decimal(rng.randint(62, 95)),
                certificate_number=f"JY2006-{number:03d}",
            )
        )
    have = set(
        ExamResult.objects.filter(person_id__in=[p.person_id for p in passes]).values_list(
            "person_id", "passed_on"
        )
    )
    ExamResult.objects.bulk_create([p for p in passes if (p.person_id, p.passed_on) not in have])


# What the streets pay beyond the standard, yuan a month per position (director, deputy,
# social worker, full-time party-affairs worker), from 1 January 2006.
STREET_ALLOWANCES_2006 = {
    "南湖": (290, 270, 240, 240),
    "滨湖": (280, 260, 230, 230),
    "南苑": (280, 260, 230, 230),
    "兴隆": (260, 240, 210, 210),
    "双闸": (240, 220, 200, 200),
}
ALLOWANCE_POSITIONS = ("director", "deputy", "social-worker", "party-worker")
# 南湖 raised its allowance by 40 yuan a month from 1 July 2006 (half a year of it).
NANHU_RISE = (datetime.date(2006, 7, 1), 40)
# A year-end bonus per position, yuan a year, in every street.
YEAR_END_BONUS_2006 = 360
# Who passed the skills exam gets this a month from the month after the exam.
QUALIFICATION_SUBSIDY = 50


def load_pay_components(streets, positions):
    """The streets' additional pay of 2006 (``streets`` by short name; rows keyed by street,
    kind, position or person and date, so that a second run finds every row)."""
    wanted = []
    for short_name, amounts in STREET_ALLOWANCES_2006.items():
        street = streets.get(short_name)
        if street is None:
            continue
        for code, amount in zip(ALLOWANCE_POSITIONS, amounts, strict=True):
            common = {"street": street, "position": positions[code], "person": None}
            wanted.append(
                (common | {"kind": PayComponentKind.STREET_ALLOWANCE, "effective_from": STANDARD_DATE},
                 {"basis": PayBasis.MONTHLY, "amount": Decimal(amount), "note": "街道岗位补贴"})
            )
            if short_name == "南湖":
                day, rise = NANHU_RISE
                wanted.append(
                    (common | {"kind": PayComponentKind.STREET_ALLOWANCE, "effective_from": day},
                     {"basis": PayBasis.MONTHLY, "amount": Decimal(amount + rise),
                      "note": "街道岗位补贴（下半年调整）"})
                )
            wanted.append(
                (common | {"kind": PayComponentKind.BONUS, "effective_from": STANDARD_DATE},
                 {"basis": PayBasis.YEARLY, "amount": Decimal(YEAR_END_BONUS_2006),
                  "note": "年终考核奖"})
            )
    demo_passes = ExamResult.objects.filter(certificate_number__startswith="JY2006-")
    for result in demo_passes.select_related("person__street").order_by("pk"):
        passed = result.passed_on
        month_after = datetime.date(passed.year + passed.month // 12, passed.month % 12 + 1, 1)
        wanted.append(
            ({"street": result.person.street, "position": None, "person": result.person,
              "kind": PayComponentKind.SUBSIDY, "effective_from": month_after},
             {"basis": PayBasis.MONTHLY, "amount": Decimal(QUALIFICATION_SUBSIDY),
              "note": "职业资格补贴"})
        )
    for key, defaults in wanted:
        PayComponent.objects.get_or_create(**key, defaults=defaults)
