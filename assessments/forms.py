"""Forms that validate what people send; views only save what passed."""

from django import forms
from django.db.models import Q

from assessments.models import DECLINE_MAX_LENGTH, EVIDENCE_MAX_LENGTH, SUMMARY_MAX_LENGTH
from ladder.models import User
from ladder.scale import Scale

MAX_VERSION = 2**31 - 1


class ScaledForm(forms.Form):
    """A form whose choices are the answers, or the outcomes, of the framework's scale."""

    scaled_field = ""
    no_choice = ""  # the label of the empty choice, if the field may be left empty

    def __init__(self, *args, scale: Scale, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields[self.scaled_field]
        choices = scale.outcome_choices if self.scaled_field == "outcome" else scale.choices
        field.choices = [("", self.no_choice), *choices] if self.no_choice else choices


class RatingForm(ScaledForm):
    scaled_field, no_choice = "score", "Not rated yet"
    score = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose one of the scale's answers."},
    )
    # The limit is checked after line endings are made one character (browsers send
    # two), so the count matches what the textarea showed.
    evidence = forms.CharField(required=False, strip=False)
    version = forms.IntegerField(min_value=0, max_value=MAX_VERSION)
    # Sent by "Keep my version" after a conflict: the version the person has now seen.
    overwrite_version = forms.IntegerField(min_value=0, max_value=MAX_VERSION, required=False)

    def clean_evidence(self) -> str:
        # Line endings differ by browser; store one form so "unchanged" compares true.
        evidence = self.cleaned_data["evidence"].replace("\r\n", "\n").rstrip()
        if len(evidence) > EVIDENCE_MAX_LENGTH:
            raise forms.ValidationError(
                f"Evidence can be at most {EVIDENCE_MAX_LENGTH} characters "
                f"(this has {len(evidence)}). Link to longer documents instead."
            )
        return evidence

    @property
    def base_version(self) -> int:
        overwrite = self.cleaned_data.get("overwrite_version")
        return overwrite if overwrite is not None else self.cleaned_data["version"]


class ReturnForm(forms.Form):
    note = forms.CharField(
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What should change",
        error_messages={
            "required": "Say what should change, so the engineer knows why it came back."
        },
    )


class VersionedForm(ScaledForm):
    """A save that names the version it was based on (see RatingForm)."""

    version = forms.IntegerField(min_value=0, max_value=MAX_VERSION)
    overwrite_version = forms.IntegerField(min_value=0, max_value=MAX_VERSION, required=False)

    @property
    def base_version(self) -> int:
        overwrite = self.cleaned_data.get("overwrite_version")
        return overwrite if overwrite is not None else self.cleaned_data["version"]


def _markdown_text(form: forms.Form, field: str, limit: int, what: str) -> str:
    text = form.cleaned_data[field].replace("\r\n", "\n").rstrip()
    if len(text) > limit:
        raise forms.ValidationError(
            f"{what} can be at most {limit} characters (this has {len(text)})."
        )
    return text


class ReviewForm(VersionedForm):
    """The reviewer's score and comment on one behaviour."""

    scaled_field, no_choice = "score", "Not reviewed yet"
    score = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose one of the scale's answers."},
    )
    comment = forms.CharField(required=False, strip=False)

    def clean_comment(self) -> str:
        return _markdown_text(self, "comment", EVIDENCE_MAX_LENGTH, "A comment")


class SummaryForm(VersionedForm):
    """The review's summary and the proposed outcome."""

    scaled_field, no_choice = "outcome", "Not chosen yet"
    outcome = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose one of the outcomes."},
    )
    summary = forms.CharField(required=False, strip=False)

    def clean_summary(self) -> str:
        return _markdown_text(self, "summary", SUMMARY_MAX_LENGTH, "The summary")


class ReassignForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        label="Username of the new reviewer",
        error_messages={"required": "Type the username of who reviews from now on."},
    )

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        person = User.objects.filter(username=username, is_active=True).first()
        if person is None:
            raise forms.ValidationError(f"Nobody active has the username “{username}”.")
        return person


# ---- peer input


class NominateForm(forms.Form):
    person = forms.CharField(
        max_length=254,
        label="Colleague’s username or e-mail",
        error_messages={"required": "Type the username or e-mail of a colleague."},
    )

    def clean_person(self) -> User:
        from assessments.peers import find_person

        text = self.cleaned_data["person"].strip()
        person = find_person(text)
        if person is None:
            raise forms.ValidationError(f"Nobody active here has the username or e-mail “{text}”.")
        return person


class DeclineForm(forms.Form):
    reason = forms.CharField(
        max_length=DECLINE_MAX_LENGTH,
        label="Why you decline",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why, in a sentence: the manager reads it."},
    )


class PeerAnswerForm(VersionedForm):
    """A colleague's answer on one area: a step of the scale or "not seen", and evidence."""

    scaled_field, no_choice = "score", "Not answered yet"
    score = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "Choose one of the scale's steps, or “not seen”."},
    )
    evidence = forms.CharField(required=False, strip=False)

    def __init__(self, *args, scale: Scale, **kwargs):
        from assessments.peers import NOT_SEEN

        super().__init__(*args, scale=scale, **kwargs)
        self.fields["score"].choices = [
            ("", self.no_choice),
            *((str(step.value), step.label) for step in scale.steps),
            (NOT_SEEN, "Not seen"),
        ]

    def clean_score(self) -> int | str | None:
        from assessments.peers import NOT_SEEN

        value = self.cleaned_data["score"]
        if not value:
            return None
        return value if value == NOT_SEEN else int(value)

    def clean_evidence(self) -> str:
        return _markdown_text(self, "evidence", EVIDENCE_MAX_LENGTH, "Evidence")


class DecisionForm(ScaledForm):
    """The committee's outcome for one person, and why."""

    scaled_field = "outcome"
    # An empty reason is refused by workflow.record_decision, in the committee's words.
    outcome = forms.TypedChoiceField(
        coerce=int,
        error_messages={
            "required": "Choose one of the outcomes.",
            "invalid_choice": "Choose one of the outcomes.",
        },
    )
    reason = forms.CharField(required=False, max_length=SUMMARY_MAX_LENGTH)


# ---- running a cycle


class ParticipantFilterForm(forms.Form):
    """The cycle page's filters: what it shows, whose, and which page."""

    view = forms.ChoiceField(required=False, label="Show as")
    show = forms.ChoiceField(required=False, label="Who")
    manager = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    department = forms.ChoiceField(required=False)
    # Chosen in the page's own words: "Manager", "Department".
    q = forms.CharField(required=False, max_length=100, label="Name")
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)

    def __init__(self, *args, cycle, **kwargs):
        from assessments import participants

        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["view"].choices = list(participants.VIEWS.items())
        self.fields["show"].choices = list(participants.SHOW.items())
        reviewers = (
            User.objects.filter(reviews__cycle=cycle)
            .distinct()
            .order_by("first_name", "last_name", "username")
            .values_list("pk", "first_name", "last_name", "username")
        )
        self.fields["manager"].choices = [
            ("", "Any manager"),
            *((pk, f"{first} {last}".strip() or name) for pk, first, last, name in reviewers),
        ]
        departments = (
            cycle.assessments.order_by("engineer__department")
            .values_list("engineer__department", flat=True)
            .distinct()
        )
        self.fields["department"].choices = [
            ("", "Any department"),
            *((d or participants.NO_DEPARTMENT, d or "No department") for d in departments),
        ]

    def filters(self):
        from assessments.participants import Filters

        data = self.cleaned_data
        return Filters(
            show=data["show"] or "",
            manager=data["manager"],
            department=data["department"] or None,
            query=data["q"].strip(),
            view=data["view"] or "people",
            page=str(data["page"] or 1),
        )


class EnrolForm(forms.Form):
    """Who to enrol: by department, team, track, level, start date, or by username."""

    departments = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every department.",
    )
    manager = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Team of",
        empty_label="Anyone's team",
        help_text="Everyone under this person, directly or not.",
    )
    track = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Every track", label="Track"
    )
    levels = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every level of the cycle's framework.",
    )
    started_before = forms.DateField(
        required=False,
        label="Started before",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave out people who joined the company on or after this day.",
    )
    usernames = forms.CharField(
        required=False,
        max_length=2_000,
        label="Or name them",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Usernames or e-mail addresses, separated by commas or lines: late "
        "joiners, say. At most 200.",
    )
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, cycle, **kwargs):
        from ladder.models import Track

        super().__init__(*args, label_suffix="", **kwargs)
        self.cycle = cycle
        departments = (
            User.objects.filter(is_active=True)
            .exclude(department="")
            .order_by("department")
            .values_list("department", flat=True)
            .distinct()
        )
        self.fields["departments"].choices = [(d, d) for d in departments]
        self.fields["manager"].queryset = (
            User.objects.filter(is_active=True, reports__isnull=False)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        tracks = Track.objects.filter(levels__framework=cycle.framework).distinct()
        self.fields["track"].queryset = tracks.order_by("name")
        codes = cycle.framework.levels.order_by("code").values_list("code", flat=True).distinct()
        self.fields["levels"].choices = [(c, c) for c in codes]

    def clean_usernames(self) -> tuple[int, ...]:
        import re

        names = [n for n in re.split(r"[\s,;]+", self.cleaned_data["usernames"]) if n]
        if len(names) > 200:
            raise forms.ValidationError("Name at most 200 people at a time.")
        if not names:
            return ()
        found = dict(
            User.objects.filter(Q(username__in=names) | Q(email__in=names)).values_list(
                "username", "pk"
            )
        )
        emails = set(User.objects.filter(email__in=names).values_list("email", flat=True))
        unknown = [n for n in names if n not in found and n not in emails]
        if unknown:
            listed = ", ".join(unknown[:10]) + (" and more" if len(unknown) > 10 else "")
            raise forms.ValidationError(f"Nobody in Ladder is called {listed}.")
        return tuple(found.values())

    def choice(self):
        from assessments.cycles import Choice

        data = self.cleaned_data
        return Choice(
            departments=tuple(data["departments"]),
            manager=data["manager"],
            track=data["track"],
            levels=tuple(data["levels"]),
            started_before=data["started_before"],
            people=data["usernames"],
        )


class ExtendForm(forms.Form):
    until = forms.DateField(
        label="Until", error_messages={"invalid": "Enter a date, such as 2026-12-31."}
    )


class ReminderChoiceForm(forms.Form):
    reminder_emails = forms.BooleanField(
        required=False,
        label="E-mail me reminders before my deadlines",
        help_text="Deadlines show on your pages whichever you choose.",
    )
