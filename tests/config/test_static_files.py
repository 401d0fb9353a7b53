"""Production static files: hashed names, gzip and brotli copies, used by the pages."""

import json

from django.core.management import call_command


def test_collectstatic_writes_hashed_and_compressed_files_that_pages_use(
    settings, tmp_path, client, article
):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    }
    call_command("collectstatic", interactive=False, verbosity=0)

    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    stylesheet = paths["css/site.css"]
    assert stylesheet != "css/site.css"
    assert (tmp_path / f"{stylesheet}.gz").exists()
    assert (tmp_path / f"{stylesheet}.br").exists()

    page = client.get(article.get_absolute_url()).text
    assert f'href="/static/{stylesheet}"' in page
    assert f'href="/static/{paths["favicon.svg"]}"' in page
