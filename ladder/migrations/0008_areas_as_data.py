# Areas become the framework's own data: a key, a name, an optional group above and
# whether behaviours sit under sub-groups, in place of one of eight fixed kinds.
# Existing rows (the default framework's eight areas) keep their kind as their key, so
# every rating, review, export and comparison pairs them as before.

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import ladder.models.content

# The default framework's names and shape, as they were fixed in code until now.
NAMES = {
    "scope": "Scope",
    "reach": "Collaborative Reach",
    "levers": "Impact Levers",
    "results": "Results",
    "direction": "Direction",
    "talent": "Talent",
    "culture": "Culture",
    "craft": "Craft",
}
SUBGROUPED = {"results", "direction", "talent", "culture", "craft"}


def name_the_areas(apps, schema_editor):
    Area = apps.get_model("ladder", "Area")
    for key, name in NAMES.items():
        Area.objects.filter(key=key).update(name=name, subgrouped=key in SUBGROUPED)


def unname_the_areas(apps, schema_editor):
    Area = apps.get_model("ladder", "Area")
    unknown = Area.objects.exclude(key__in=NAMES).values_list("name", flat=True)[:5]
    if unknown:
        raise RuntimeError(
            "Areas of a company's own framework can't be turned back into the eight fixed "
            f"kinds: {', '.join(unknown)}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ladder", "0007_worker_queues"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="area", name="area_unique_kind_per_level"),
        migrations.RenameField(model_name="area", old_name="kind", new_name="key"),
        migrations.AlterField(
            model_name="area",
            name="key",
            field=models.CharField(
                help_text="Pairs the area with itself at other levels and in other versions; "
                "it stays when the area is renamed.",
                max_length=64,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[a-z0-9][a-z0-9.-]*\\Z",
                        "Lower-case letters, digits, dots and hyphens, starting with a letter "
                        "or digit.",
                    )
                ],
            ),
        ),
        migrations.AddField(
            model_name="area",
            name="name",
            field=models.CharField(default="", max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="area",
            name="subgrouped",
            field=models.BooleanField(
                default=False,
                help_text="Behaviours sit under named sub-groups (responsibilities), not "
                "directly under the area.",
            ),
        ),
        migrations.CreateModel(
            name="AreaGroup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200)),
                ("description", models.TextField(blank=True)),
                ("order", models.PositiveSmallIntegerField(default=0)),
                (
                    "level",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="area_groups",
                        to="ladder.level",
                    ),
                ),
            ],
            options={
                "ordering": ["level", "order", "pk"],
                "base_manager_name": "objects",
                "constraints": [
                    models.UniqueConstraint(fields=("level", "name"), name="area_group_unique_name")
                ],
            },
            bases=(ladder.models.content.FrameworkContent,),
        ),
        migrations.AddField(
            model_name="area",
            name="group",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="areas",
                to="ladder.areagroup",
            ),
        ),
        migrations.RunPython(name_the_areas, unname_the_areas),
        migrations.AlterField(
            model_name="area",
            name="order",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="area",
            name="description",
            field=models.TextField(
                blank=True,
                help_text="The area's description or intro text, paragraphs separated by a "
                "blank line.",
            ),
        ),
        migrations.AlterField(
            model_name="area",
            name="note",
            field=models.TextField(
                blank=True,
                help_text="Areas without sub-groups: text after the bullets, such as a "
                "footnote. With sub-groups, notes belong to a sub-group.",
            ),
        ),
        migrations.AlterModelOptions(
            name="area",
            options={"base_manager_name": "objects", "ordering": ["level", "order", "pk"]},
        ),
        migrations.AddConstraint(
            model_name="area",
            constraint=models.UniqueConstraint(
                fields=("level", "key"), name="area_unique_key_per_level"
            ),
        ),
        migrations.AddConstraint(
            model_name="area",
            constraint=models.UniqueConstraint(
                fields=("level", "name"), name="area_unique_name_per_level"
            ),
        ),
        migrations.AlterField(
            model_name="responsibility",
            name="name",
            field=models.CharField(max_length=200),
        ),
        migrations.AlterField(
            model_name="behaviour",
            name="responsibility",
            field=models.ForeignKey(
                blank=True,
                help_text="Required in an area with sub-groups; empty in the others.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="behaviours",
                to="ladder.responsibility",
            ),
        ),
    ]
