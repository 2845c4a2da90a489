from django.apps import AppConfig


class SiteConfig(AppConfig):
    """An app only for the project's own commands (db_worker, backup, restore, demo data)."""

    name = "ladder.site"
    label = "site"
    verbose_name = "Ladder site"

    def ready(self):
        from ladder.site import checks  # noqa: F401 (registers the deploy checks)
