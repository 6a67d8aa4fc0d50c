"""People get the pinyin sort key of their names (scoping.sorting), filled for the rows
already stored and indexed for the people's list; a training class's title is 名称 in
Chinese (its msgid no longer shared with the communities' titles, 称号)."""

import scoping.sorting
from django.db import migrations, models


def fill(apps, schema_editor):
    scoping.sorting.fill_sort_keys(apps.get_model("staffing", "Person"))


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0006_name_pinyin'),
        ('staffing', '0006_position_posts_per_committee_qualification'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='attendance',
            options={'ordering': ['-training_class__date', 'person__name_pinyin'], 'verbose_name': 'attendance', 'verbose_name_plural': 'attendances'},
        ),
        migrations.AlterModelOptions(
            name='examresult',
            options={'ordering': ['-passed_on', 'person__name_pinyin'], 'verbose_name': 'exam result', 'verbose_name_plural': 'exam results'},
        ),
        migrations.AlterModelOptions(
            name='person',
            options={'ordering': ['street__sort_order', 'name_pinyin', 'pk'], 'verbose_name': 'person', 'verbose_name_plural': 'people'},
        ),
        migrations.AddField(
            model_name='person',
            name='name_pinyin',
            field=scoping.sorting.PinyinSortKeyField(source='name', verbose_name='full name in pinyin'),
        ),
        migrations.AlterField(
            model_name='trainingclass',
            name='title',
            field=models.CharField(max_length=100, verbose_name='class title'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['name_pinyin', 'id'], name='person_pinyin_order'),
        ),
    ]
