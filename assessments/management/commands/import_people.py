"""manage.py import_people FILE: the org chart from an HR system's CSV export.

A dry run by default: it prints who is new, who changes and how, who is deactivated,
and every problem by row. `--apply` applies it (refused while there are problems);
`--confirm` is needed as well when the file crosses a guardrail (many people
deactivated, many employee ids changed). `--as USERNAME` is whose hand the changes
are recorded by (an admin's); nobody's change may hand themselves a review to read.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import org_chart
from ladder.models import User


class Command(BaseCommand):
    help = "Plan (and with --apply, apply) the org chart from an HR system's CSV export."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="actor", required=True, help="Whose hand: a username.")
        parser.add_argument("--apply", action="store_true", help="Apply the plan.")
        parser.add_argument(
            "--confirm", action="store_true", help="Apply even past a guardrail (with --apply)."
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="A column the header doesn't name clearly, such as email=Courriel.",
        )

    def handle(self, *args, file, actor, apply, confirm, map, **options):
        by = User.objects.filter(username=actor, is_active=True).first()
        if by is None:
            raise CommandError(f"Nobody active is called {actor}.")
        mapping = dict(item.split("=", 1) for item in map if "=" in item)
        try:
            with file.open("rb") as handle:
                data = handle.read(org_chart.MOST_BYTES + 1)
            sheet = org_chart.read(org_chart.decode(data), mapping)
        except (OSError, org_chart.FileProblem) as error:
            raise CommandError(str(error)) from None
        result = org_chart.plan(sheet, by=by)
        self.report(result)
        if result.errors:
            raise CommandError(f"{len(result.errors)} problems; nothing was changed.")
        if not apply:
            self.stdout.write("A dry run: nothing was changed. Add --apply to apply it.")
            return
        try:
            org_chart.apply(sheet, by=by, confirmed=confirm)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS("Applied."))

    def report(self, result: org_chart.Plan) -> None:
        write = self.stdout.write
        write(
            f"{len(result.new)} new, {len(result.changed)} changed, "
            f"{len(result.deactivated)} deactivated, {result.unchanged} unchanged."
        )
        for change in result.new:
            write(f"  new: {change.name} <{change.row.email}>")
        for change in result.changed:
            parts = [f"{k} {old!s} → {new!s}" for k, (old, new) in change.fields.items()]
            if change.manager is not None:
                parts.append(
                    f"manager {change.manager[0] or 'nobody'} → {_name(change.manager[1])}"
                )
            write(f"  changes: {change.name}: " + "; ".join(parts))
        for change in result.deactivated:
            write(f"  deactivated: {change.name}")
        for line in result.needs_confirming:
            write(self.style.WARNING(f"  needs --confirm: {line}"))
        for error in result.errors:
            write(self.style.ERROR(f"  {error}"))


def _name(target) -> str:
    if target is None:
        return "nobody"
    if isinstance(target, org_chart.Row):
        return f"{target.first_name} {target.last_name}".strip() or target.email
    return str(target)
