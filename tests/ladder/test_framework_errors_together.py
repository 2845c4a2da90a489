"""Bad frameworks get clear errors, in one run, with file:line (issue 17).

The files of frameworks/errors/ handed over together, as a person importing a folder
would: through the import page and through manage.py import_ladder, every one of their
errors comes back at once, each at its line, and nothing is written. Each file refused
on its own is tests/ladder/test_frameworks.py's.
"""

import re
from html import unescape
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from ladder.formats.document import LadderFormatError
from ladder.formats.files import read_framework
from ladder.import_views import NEW_FRAMEWORK
from ladder.models import Framework, ImportBatch

ERRORS = Path(__file__).parent / "frameworks" / "errors"
FILES = sorted(p.name for p in ERRORS.iterdir() if p.name != "expected.yaml")
# A folder holds one scale file; this one holds two, which is an error of its own,
# reported at the second (in file-name order) beside what is wrong inside each.
SECOND_SCALE_FILE = ("scale-twenty-steps.yaml:1", "a framework has one scale file")


def expected() -> list[tuple[str, str]]:
    """Every error of every file, as the hand-counted oracle has them."""
    oracle = yaml.safe_load((ERRORS / "expected.yaml").read_text(encoding="utf-8"))
    return sorted(
        (error["at"], error["error"]) for errors in oracle["files"].values() for error in errors
    )


def located(lines: list[str]) -> list[tuple[str, str]]:
    """ "file:line: message" lines as (file:line, message), the scale files' clash with
    its wording cut to the part every reader says."""
    found = []
    for line in lines:
        where, line_number, message = line.split(":", 2)
        at, message = f"{where}:{line_number}", message.strip()
        if message.startswith(SECOND_SCALE_FILE[1]):
            message = SECOND_SCALE_FILE[1]
        found.append((at, message))
    return sorted(found)


def test_the_oracle_names_every_file_of_the_folder():
    assert sorted({at.split(":")[0] for at, _ in expected()}) == FILES


def test_the_files_read_together_report_every_error_at_once():
    """As the import page reads an upload (ladder.formats.files.read_framework)."""
    with pytest.raises(LadderFormatError) as error:
        read_framework([(name, (ERRORS / name).read_bytes()) for name in FILES])
    assert located([str(problem) for problem in error.value.errors]) == sorted(
        [*expected(), SECOND_SCALE_FILE]
    )


@pytest.mark.django_db
def test_the_import_page_lists_every_error_of_the_folder_and_keeps_nothing(client, ladder_editor):
    client.force_login(ladder_editor)
    response = client.post(
        reverse("ladder:import"),
        {
            "framework": NEW_FRAMEWORK,
            "new_framework": "Broken",
            "track": "",
            "files": [SimpleUploadedFile(name, (ERRORS / name).read_bytes()) for name in FILES],
        },
    )
    assert response.status_code == 400
    box = response.content.decode().split('id="import-errors"', 1)[1].split("</div>", 1)[0]
    listed = [unescape(item) for item in re.findall(r"<li><code>(.*?)</code></li>", box, re.S)]
    assert located(listed) == sorted([*expected(), SECOND_SCALE_FILE])
    assert not Framework.objects.exists()
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_the_import_command_lists_every_error_of_the_folder_and_writes_nothing(monkeypatch):
    # Run from inside the folder, so that each error names its file as the oracle does.
    monkeypatch.chdir(ERRORS)
    with pytest.raises(CommandError) as error:
        call_command("import_ladder", *FILES, framework="Broken", stdout=StringIO())
    heading, *lines = str(error.value).splitlines()
    assert located(lines) == sorted([*expected(), SECOND_SCALE_FILE])
    assert heading == f"{len(lines)} errors; nothing was imported:"
    assert not Framework.objects.exists()
