from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self) -> None:
        # Imported for their side effects: the settings checks and the comment-count receivers.
        from comments import checks, signals  # noqa: F401
