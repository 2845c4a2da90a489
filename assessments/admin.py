"""Admin for review cycles. Assessments are listed by status only: evidence stays private."""

from django.contrib import admin, messages
from django.db.models import Count

from assessments.models import Assessment, Cycle
from ladder.admin import BoundedSearch
from ladder.models import Framework


@admin.register(Cycle)
class CycleAdmin(BoundedSearch, admin.ModelAdmin):
    list_display = [
        "name",
        "framework",
        "status",
        "self_assessment_due",
        "manager_review_due",
        "calibration_due",
        "assessment_count",
    ]
    list_filter = ["status", "framework"]
    search_fields = ["name"]
    actions = ["open_cycles", "close_cycles"]
    fieldsets = [
        (None, {"fields": ["name", "framework", "status"]}),
        (
            "Deadlines",
            {
                "fields": ["self_assessment_due", "manager_review_due", "calibration_due"],
                "description": "Shown to everyone and used by the reminder e-mails "
                "(manage.py send_reminders). Nobody is locked out when a deadline passes.",
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("framework")
            .annotate(assessment_total=Count("assessments"))
        )

    def get_readonly_fields(self, request, obj=None):
        # Ratings point at the pinned version's behaviours; it can't change under them.
        return ["framework"] if obj is not None and obj.assessments.exists() else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "framework":
            kwargs["queryset"] = Framework.objects.published()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Assessments", ordering="assessment_total")
    def assessment_count(self, obj):
        return obj.assessment_total

    @admin.action(
        description="Open the selected cycles for self-assessments", permissions=["change"]
    )
    def open_cycles(self, request, queryset):
        count = queryset.update(status=Cycle.Status.OPEN)
        self.message_user(
            request, f"Opened {count} cycle{'s' if count != 1 else ''}.", messages.SUCCESS
        )

    @admin.action(description="Close the selected cycles", permissions=["change"])
    def close_cycles(self, request, queryset):
        count = queryset.update(status=Cycle.Status.CLOSED)
        self.message_user(
            request, f"Closed {count} cycle{'s' if count != 1 else ''}.", messages.SUCCESS
        )


@admin.register(Assessment)
class AssessmentAdmin(BoundedSearch, admin.ModelAdmin):
    """Progress at a glance for whoever runs the cycle; no scores, no evidence."""

    list_display = ["engineer", "cycle", "level", "status", "submitted_at"]
    list_filter = ["cycle", "status"]
    search_fields = ["engineer__username", "engineer__first_name", "engineer__last_name"]
    list_select_related = ["engineer", "cycle", "level"]
    fields = ["engineer", "cycle", "level", "status", "submitted_at", "returned_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
