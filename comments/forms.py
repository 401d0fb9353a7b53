from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from comments.models import Comment


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
        fields = ["author_name", "author_email", "body"]
        labels = {"author_name": "Name", "author_email": "Email", "body": "Comment"}
        help_texts = {"author_email": "Never shown on the site."}
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
