from django.db import migrations, models
from django.utils import timezone


def fail_all_but_one_unfinished_job(apps, schema_editor):
    """Before the constraint: of a person's unfinished jobs of one scope, the one furthest
    along stays (the running one, else the first asked); the others are failed, with a
    reason on their page. Their tasks, when they run, find them failed and skip them."""
    PacketJob = apps.get_model("assessments", "PacketJob")
    unfinished = PacketJob.objects.filter(status__in=["queued", "running"])
    jobs = sorted(unfinished, key=lambda job: (job.status != "running", job.created_at, job.pk))
    kept, dropped = set(), []
    for job in jobs:
        key = (job.requested_by_id, job.scope)
        if key in kept:
            dropped.append(job.pk)
        kept.add(key)
    PacketJob.objects.filter(pk__in=dropped).update(
        status="failed",
        finished_at=timezone.now(),
        error="Not written: you had asked for several downloads of this kind at once, and "
        "Ladder now writes one at a time for each person. Ask again once the other is ready.",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_reviewers_fixed_and_packet_contents"),
    ]

    operations = [
        migrations.RunPython(fail_all_but_one_unfinished_job, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="packetjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["queued", "running"])),
                fields=("requested_by", "scope"),
                name="packetjob_one_unfinished_per_person_and_scope",
                violation_error_message=(
                    "This person already has packets of this scope being written."
                ),
            ),
        ),
    ]
