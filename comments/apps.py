from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self) -> None:
        # Imported for their side effects: the settings checks and the comment-count receivers.
        from blog import page_cache
        from comments import checks, signals  # noqa: F401
        from comments.forms import FORM_TIMESTAMP_SLOT, fresh_form_timestamp

        page_cache.register_slot(FORM_TIMESTAMP_SLOT, fresh_form_timestamp)
