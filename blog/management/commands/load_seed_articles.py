from django.core.management.base import BaseCommand

from blog.seed import load_seed_article, seed_files


class Command(BaseCommand):
    help = (
        "Load the articles shipped in blog/content/. Safe to run on every start: an article "
        "that already exists is left as it is, unless --overwrite is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace existing articles (and their references) with the shipped text.",
        )

    def handle(self, *args, overwrite: bool, verbosity: int, **options) -> None:
        for path in seed_files():
            result = load_seed_article(path, overwrite=overwrite)
            if verbosity < 1:
                continue
            if result.created:
                self.stdout.write(self.style.SUCCESS(f"Created article {result.slug}"))
            elif result.updated:
                self.stdout.write(self.style.SUCCESS(f"Replaced article {result.slug}"))
            else:
                self.stdout.write(f"Article {result.slug} already present, left unchanged")
