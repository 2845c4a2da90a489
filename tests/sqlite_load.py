"""Many people autosaving at once against one SQLite file; prints what happened as JSON.

Run by tests/assessments/test_sqlite_concurrency.py in its own process, so that it
uses a real database file with one connection per thread, as a server would.
Usage: python -m tests.sqlite_load DATABASE_FILE PEOPLE SAVES_EACH
"""

import json
import os
import sys
import threading


def main(path: str, people: int, saves: int) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("SECRET_KEY", "load")
    os.environ["DJANGO_SETTINGS_MODULE"] = "ladder.site.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from assessments.models import Rating
    from assessments.services import save_rating, start_assessment
    from ladder.models import User
    from tests.assessments.conftest import make_cycle
    from tests.factories import level_doc, make_framework

    call_command("migrate", verbosity=0)
    framework = make_framework(level_doc("IC5", behaviours=3, responsibilities=2), name="Load")
    level = framework.levels.get()
    cycle = make_cycle(framework)
    engineers = [
        User.objects.create(username=f"load{n}", track=level.track, level_code="IC5")
        for n in range(people)
    ]
    assessments = [start_assessment(cycle=cycle, engineer=e) for e in engineers]
    with connection.cursor() as cursor:
        journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    connection.close()

    errors: list[str] = []
    start = threading.Barrier(people)

    def person(assessment_id: int) -> None:
        from django.db import connection as own

        try:
            ratings = list(Rating.objects.filter(assessment_id=assessment_id))
            start.wait()
            for n in range(saves):
                rating = ratings[n % len(ratings)]
                result = save_rating(
                    rating=rating, score=n % 5, evidence=f"save {n}", base_version=rating.version
                )
                if result.conflict:
                    errors.append("unexpected conflict")
        except Exception as error:  # every failure is reported, none hidden
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            own.close()

    threads = [threading.Thread(target=person, args=(a.pk,)) for a in assessments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = sum(Rating.objects.filter(assessment__cycle=cycle).values_list("version", flat=True))
    print(json.dumps({"journal_mode": journal, "errors": errors, "saved": saved}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
