import unicodedata

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.http import HttpRequest
from django.utils.functional import cached_property

from comments import spam
from comments.models import Comment, CommentStatusChange

# The slot of a shared article page (blog/page_cache.py) that takes the form's timestamp.
FORM_TIMESTAMP_SLOT = "comment_form_timestamp"

FORM_EXPIRED_MESSAGE = (
    "This page was open for more than a day, so its form expired. Your comment is kept below: "
    "please press “Post comment” again."
)


def _messages(field: str, limit: int) -> dict[str, str]:
    return {
        "required": f"Please enter your {field}.",
        "max_length": (
            f"Please shorten your {field} to {limit:,} characters or fewer (it has %(show_value)s)."
        ),
        "null_characters_not_allowed": (
            f"Your {field} contains an invisible null character; please retype it without."
        ),
    }


def has_visible_text(text: str) -> bool:
    """False for text made only of spaces, line breaks and invisible characters."""
    return any(unicodedata.category(char)[0] not in "ZC" for char in text)


def _visible_or_required(form: forms.Form, name: str) -> str:
    value = form.cleaned_data[name]
    if not has_visible_text(value):
        raise forms.ValidationError(form.fields[name].error_messages["required"], code="required")
    return value


class CommentForm(forms.ModelForm):
    """What a visitor may set; the view sets the article, status, IP and user agent."""

    # --- Spam defence (comments/spam.py), invisible to people ---------------------------------
    # A field people never see (hidden by the stylesheet), which form-filling bots fill in.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    # When the form was shown, signed so it cannot be forged: see spam.form_age().
    rendered_at = forms.CharField(required=False, widget=forms.HiddenInput)

    # comments/thread.html lists every error above the form; crispy-forms need not repeat
    # the non-field ones (templates/bootstrap5/errors.html).
    errors_listed_in_summary = True

    class Meta:
        model = Comment
        fields = ["author_name", "author_email", "body", "notify_on_publish"]
        labels = {
            "author_name": "Name",
            "author_email": "Email",
            "body": "Comment",
            "notify_on_publish": "Email me when my comment is published",
        }
        help_texts = {
            "author_email": "Never shown on the site.",
            "notify_on_publish": "One email with a link, sent only once a moderator approves it.",
        }
        widgets = {
            "author_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "author_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "body": forms.Textarea(attrs={"rows": 6}),
        }
        error_messages = {
            "author_name": _messages("name", Comment.NAME_MAX_LENGTH),
            "author_email": {
                **_messages("email address", Comment.EMAIL_MAX_LENGTH),
                "invalid": "Please enter a valid email address, like name@example.com.",
            },
            "body": _messages("comment", Comment.BODY_MAX_LENGTH),
        }

    def __init__(self, *args, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A callable: signed when the form is shown, not for every post that is only validated.
        self.fields["rendered_at"].initial = spam.sign_form_timestamp
        self.form_age = None
        self._action = action

    @cached_property
    def helper(self) -> FormHelper:
        """crispy-forms' layout, built only when the form is shown."""
        helper = FormHelper()
        helper.form_action = self._action
        helper.form_id = "comment-form"
        helper.attrs = {"novalidate": ""}
        helper.add_input(Submit("post", "Post comment"))
        return helper

    def clean_author_name(self) -> str:
        return _visible_or_required(self, "author_name")

    def clean_body(self) -> str:
        return _visible_or_required(self, "body")

    def clean(self) -> dict:
        cleaned_data = super().clean()
        self.form_age = spam.form_age(cleaned_data.get("rendered_at", ""))
        if self.form_age is not None and self.form_age > spam.FORM_LIFETIME:
            raise forms.ValidationError(FORM_EXPIRED_MESSAGE, code="expired")
        return cleaned_data

    def refresh_timestamp(self) -> None:
        """Stamp a form that is shown again, so the visitor is timed from now."""
        self.data = self.data.copy()
        self.data[self.add_prefix("rendered_at")] = spam.sign_form_timestamp()


def fresh_form_timestamp(request: HttpRequest) -> str:
    """Fills FORM_TIMESTAMP_SLOT: each reader of a shared page is timed from their own visit."""
    return spam.sign_form_timestamp()


# --- Moderators' review page ----------------------------------------------------------------------


class ReviewDecisionForm(forms.Form):
    """The decision buttons of the review page, and an optional reason for the audit trail."""

    DECISIONS = {
        "approve": Comment.Status.APPROVED,
        "reject": Comment.Status.REJECTED,
        "spam": Comment.Status.SPAM,
        "pending": Comment.Status.PENDING,
    }

    LABELS = {
        "approve": "Approve",
        "reject": "Reject",
        "spam": "Mark as spam",
        "pending": "Back to pending",
    }

    decision = forms.ChoiceField(
        choices=list(LABELS.items()),
        error_messages={"required": "Please press one of the decision buttons."},
    )
    reason = forms.CharField(
        label="Reason (optional, kept in the comment's history)",
        required=False,
        max_length=CommentStatusChange.REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    @property
    def status(self) -> Comment.Status:
        return self.DECISIONS[self.cleaned_data["decision"]]

    @classmethod
    def buttons_for(cls, status: str) -> list[tuple[str, str]]:
        """The decisions offered for a comment now in `status`: every other status."""
        return [(key, cls.LABELS[key]) for key, to in cls.DECISIONS.items() if to != status]
