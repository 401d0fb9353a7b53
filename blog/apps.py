from django.apps import AppConfig
from django.core import checks


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Blog"

    def ready(self) -> None:
        from blog import signals  # noqa: F401  (the receivers that keep page copies current)
        from blog.checks import check_citations

        checks.register(check_citations, "blog")
