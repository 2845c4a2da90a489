"""What a publisher read: a fingerprint of a draft, so that one changed since is refused."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError

from ladder.models import Area, Behaviour, Framework, Level, Responsibility

STALE_DRAFT_MESSAGE = "The draft changed since you opened this page; review the comparison again."


class StaleDraftError(ValidationError):
    """The draft's content differs from the one the publish page showed."""

    def __init__(self):
        super().__init__(STALE_DRAFT_MESSAGE, code="stale")


def draft_digest(framework: Framework) -> str:
    """A fingerprint of everything a version says, to tell whether it changed since it was read.

    Covers every level, area, responsibility and behaviour by pk, version and content,
    with their places: adds and deletes change the set of rows, moves change `order`
    (which doesn't bump versions), and edits made outside the editor (the admin doesn't
    bump versions either) change the words.
    """
    digest = hashlib.sha256(
        repr((framework.pk, framework.name, framework.notes, framework.scale_data)).encode()
    )
    framework_id = framework.pk
    tables = (
        (
            Level.objects.filter(framework_id=framework_id),
            ("pk", "version", "track_id", "code", "title", "summary"),
        ),
        (
            Area.objects.filter(level__framework_id=framework_id),
            (
                "pk",
                "version",
                "level_id",
                "order",
                "key",
                "name",
                # A group's every change reads on its areas' rows (it has one at least).
                "group_id",
                "group__order",
                "group__name",
                "group__description",
                "subgrouped",
                "description",
                "note",
            ),
        ),
        (
            Responsibility.objects.filter(area__level__framework_id=framework_id),
            ("pk", "version", "area_id", "order", "name", "note"),
        ),
        (
            Behaviour.objects.filter(area__level__framework_id=framework_id),
            ("pk", "version", "area_id", "responsibility_id", "order", "key", "text", "examples"),
        ),
    )
    for rows, fields in tables:
        digest.update(f"\n{rows.model.__name__}:".encode())
        for row in rows.order_by("pk").values_list(*fields).iterator(chunk_size=2_000):
            digest.update(repr(row).encode())
    return digest.hexdigest()
