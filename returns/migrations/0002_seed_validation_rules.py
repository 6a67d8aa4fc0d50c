"""The validation rules of the issue, as data a district administrator may edit afterwards."""

from django.db import migrations

RULES = [
    # order, name, expression, severity, message
    (10, "户数不得为负", "households >= 0", "error", "户数不能为负数。"),
    (20, "户籍人口不得为负", "registered_population >= 0", "error", "户籍人口不能为负数。"),
    (30, "常住人口不得为负", "resident_population >= 0", "error", "常住人口不能小于零。"),
    (
        40,
        "其他计数不得为负",
        "volunteers >= 0 and activities >= 0 and one_stop_cases >= 0",
        "error",
        "义工人数、活动次数和一站式服务办件数不能为负数。",
    ),
    (50, "户数不得多于人口", "households <= registered_population", "error", "户数多于户籍人口。"),
    (
        60,
        "户数较上季度变动超过20%",
        "abs(households - prev_households) <= 0.2 * prev_households",
        "warning",
        "户数较上季度变动超过20%。",
    ),
    (
        70,
        "户籍人口较上季度变动超过20%",
        "abs(registered_population - prev_registered_population) <= 0.2 * prev_registered_population",
        "warning",
        "户籍人口较上季度变动超过20%。",
    ),
    (
        80,
        "常住人口较上季度变动超过20%",
        "abs(resident_population - prev_resident_population) <= 0.2 * prev_resident_population",
        "warning",
        "常住人口较上季度变动超过20%。",
    ),
    (
        90,
        "户数超过规划标准",
        "households <= planning_households",
        "warning",
        "户数超过社区规划标准。",
    ),
]


def seed(apps, schema_editor):
    ValidationRule = apps.get_model("returns", "ValidationRule")
    for order, name, expression, severity, message in RULES:
        ValidationRule.objects.get_or_create(
            name=name,
            defaults={
                "order": order,
                "expression": expression,
                "severity": severity,
                "message": message,
                "active": True,
            },
        )


def unseed(apps, schema_editor):
    ValidationRule = apps.get_model("returns", "ValidationRule")
    ValidationRule.objects.filter(name__in=[r[1] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("returns", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
