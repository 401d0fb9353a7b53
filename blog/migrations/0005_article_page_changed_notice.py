"""On PostgreSQL, every committed change to the articles table notifies blog/page_versions.py."""

from django.db import migrations

# As blog/page_versions.py's CHANNEL was when this ran; a test checks the two agree.
CHANNEL = "blog_article_page_changed"
FUNCTION = "blog_article_notify_page_changed"
TRIGGER = "blog_article_page_changed"


def create_trigger(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("blog", "Article")._meta.db_table)
    # One notice per statement is enough: it says "re-read the versions", not which changed.
    # PostgreSQL sends it when the transaction commits, and never if it rolls back.
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', ''); RETURN NULL; END $$"
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    )


def drop_trigger(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("blog", "Article")._meta.db_table)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0004_article_page_version"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
