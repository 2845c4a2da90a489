"""Forms that validate what people send; views only save what passed."""

from django import forms

from assessments.models import EVIDENCE_MAX_LENGTH, SUMMARY_MAX_LENGTH
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
