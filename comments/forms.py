from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from comments.models import Comment, CommentStatusChange


def _messages(field: str, limit: int) -> dict[str, str]:
    return {
        "required": f"Please enter your {field}.",
        "max_length": (
            f"Please shorten your {field} to {limit:,} characters or fewer (it has %(show_value)s)."
        ),
    }


class CommentForm(forms.ModelForm):
    """What a visitor may set; the view sets the article, status, IP and user agent."""

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
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.form_id = "comment-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("post", "Post comment"))


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
