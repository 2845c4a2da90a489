"""Forms that validate what people send; views only save what passed."""

from django import forms

from assessments.models import EVIDENCE_MAX_LENGTH
from assessments.scale import Score


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=[("", "Not rated yet"), *Score.choices],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose one of the scale's answers."},
    )
    evidence = forms.CharField(
        required=False,
        max_length=EVIDENCE_MAX_LENGTH,
        strip=False,
        error_messages={
            "max_length": (
                "Evidence can be at most %(limit_value)s characters (this has %(show_value)s). "
                "Link to longer documents instead."
            )
        },
    )
    version = forms.IntegerField(min_value=0)
    # Sent by "Keep my version" after a conflict: the version the person has now seen.
    overwrite_version = forms.IntegerField(min_value=0, required=False)

    def clean_evidence(self) -> str:
        # Line endings differ by browser; store one form so "unchanged" compares true.
        return self.cleaned_data["evidence"].replace("\r\n", "\n").rstrip()

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
