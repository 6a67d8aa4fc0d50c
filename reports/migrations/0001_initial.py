from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("reports", "DataVersion").objects.using(schema_editor.connection.alias).create(
        pk=1, value=0
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("value", models.BigIntegerField(default=0, verbose_name="version")),
            ],
            options={
                "verbose_name": "data version",
                "verbose_name_plural": "data versions",
            },
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
