"""The Dockerfile: slim Python 3.12+, hash-pinned dependencies, static files built in, a
non-root user, and the start command the deploy tests run."""

import json
import re

from tests.support.deployment import (
    ROOT,
    dockerfile_instructions,
    dockerignore_patterns,
    ignored_by_docker,
)


def test_the_image_is_slim_python_3_12_or_newer():
    keyword, image = dockerfile_instructions()[0]
    assert keyword == "FROM"
    match = re.fullmatch(r"python:3\.(\d+)-slim(-\w+)?", image)
    assert match, image
    assert int(match.group(1)) >= 12, image


def test_dependencies_are_installed_from_the_hash_pinned_requirements_only():
    runs = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "RUN"]
    install = next(command for command in runs if "pip install" in command)
    assert "--require-hashes" in install
    assert "--no-deps" in install
    assert "-r requirements.txt" in install
    requirements = (ROOT / "requirements.txt").read_text()
    pinned = re.findall(r"^([a-z0-9][\w.-]*)==", requirements, re.M | re.I)
    assert {"django", "gunicorn", "psycopg2-binary", "whitenoise"} <= set(pinned)
    assert requirements.count("--hash=sha256:") >= len(pinned)


def test_static_files_are_collected_at_build_time_and_the_site_runs_as_non_root():
    instructions = dockerfile_instructions()
    keywords = [keyword for keyword, _ in instructions]
    collect = next(i for i, (k, a) in enumerate(instructions) if "collectstatic" in a)
    user = keywords.index("USER")
    assert instructions[collect][0] == "RUN"
    assert collect > keywords.index("COPY")
    assert instructions[user][1] not in {"root", "0"}
    assert user < keywords.index("CMD")


def test_the_container_starts_with_the_script_the_deploy_tests_run():
    command = json.loads(dict(dockerfile_instructions())["CMD"])
    assert command == ["bin/start-web"]
    script = (ROOT / "bin" / "start-web").read_text()
    assert "python manage.py migrate --noinput" in script
    assert "python manage.py load_seed_articles" in script
    assert "exec gunicorn --config config/gunicorn.py config.wsgi" in script


def test_secrets_and_local_state_stay_out_of_the_build_context():
    patterns = dockerignore_patterns()
    for path in (".env", ".git/config", ".venv/bin/python", "db.sqlite3", "blog/__pycache__/x"):
        assert ignored_by_docker(path, patterns), path
    for path in ("manage.py", "bin/start-web", ".env.example", "blog/content/x.toml"):
        assert not ignored_by_docker(path, patterns), path
