"""Committees and centres get the pinyin sort key of their names (scoping.sorting), filled
for the rows already stored, and indexed where the committees' list sorts by it."""

import scoping.sorting
from django.db import migrations, models


def fill(apps, schema_editor):
    for name in ("Committee", "CommunityCentre"):
        scoping.sorting.fill_sort_keys(apps.get_model("communities", name))


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0005_district_centres_planned_max_and_more'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='communitycentre',
            options={'ordering': ['street__sort_order', 'name_pinyin', 'name'], 'verbose_name': 'community centre', 'verbose_name_plural': 'community centres'},
        ),
        migrations.AddField(
            model_name='committee',
            name='name_pinyin',
            field=scoping.sorting.PinyinSortKeyField(source='name', verbose_name='name in pinyin'),
        ),
        migrations.AddField(
            model_name='communitycentre',
            name='name_pinyin',
            field=scoping.sorting.PinyinSortKeyField(source='name', verbose_name='name in pinyin'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='committee',
            index=models.Index(fields=['name_pinyin', 'code'], name='committee_pinyin_order'),
        ),
    ]
