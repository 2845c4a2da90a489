"""The packet task moved: assessments.packet_tasks.write_packets is now
assessments.packets.jobs.write_packets.

django-tasks-db keeps each job's task as its import path (DBTaskResult.task_path). A
job queued before the move and not yet finished would name a module that is gone: a
worker could not import it, and a stopped worker's job would not find its abandoned
handler (ladder.site.workers.ON_ABANDONED). So the jobs still to run (READY) or running
(RUNNING: a running job whose worker dies is queued again) take the new path; finished
ones keep the path they ran under. The reverse writes the old path back, for the code
that has it.
"""

from django.db import migrations

OLD = "assessments.packet_tasks.write_packets"
NEW = "assessments.packets.jobs.write_packets"
# django-tasks-db's statuses (TaskResultStatus) of a job that is not finished.
UNFINISHED = ["READY", "RUNNING"]


def rename(apps, schema_editor, old=OLD, new=NEW):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    unfinished = DBTaskResult.objects.using(schema_editor.connection.alias).filter(
        task_path=old, status__in=UNFINISHED
    )
    unfinished.update(task_path=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0006_review_access_granted_on_the_record"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunPython(rename, rename_back),
    ]
