"""The household planning standard (2,400 / 4,000 households) is a planning measure, not a
check of a quarterly return: the seeded warning "户数超过规划标准" goes (the old-area
committees tripped it every quarter), and so does the name ``planning_households`` in the
rules language. A rule an administrator wrote with that name is switched off (it would
never apply again), not deleted. The yearly ``planning`` report sets each committee's
households against the standard instead."""

from django.db import migrations

SEEDED = ("户数超过规划标准", "households <= planning_households")


def drop(apps, schema_editor):
    ValidationRule = apps.get_model("returns", "ValidationRule")
    name, expression = SEEDED
    ValidationRule.objects.filter(name=name, expression=expression).delete()
    ValidationRule.objects.filter(expression__contains="planning_households").update(active=False)


def restore(apps, schema_editor):
    ValidationRule = apps.get_model("returns", "ValidationRule")
    name, expression = SEEDED
    ValidationRule.objects.get_or_create(
        name=name,
        defaults={
            "order": 90,
            "expression": expression,
            "severity": "warning",
            "message": "户数超过社区规划标准。",
            "active": True,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("returns", "0003_figure_bounds")]

    operations = [migrations.RunPython(drop, restore)]
