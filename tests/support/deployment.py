"""Read the deployment recipe (compose file, Dockerfile, .env.example) the way Docker would.

There is no Docker engine where the tests run, so the tests replay what it would do: build
context filtered by .dockerignore, the Dockerfile's ENV and RUN lines, the container's CMD,
and compose's `${VAR:-default}` interpolation of the service environment from an .env file.
"""

import ast
import fnmatch
import http.client
import json
import os
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"
# The files whose environment reads configure the running container.
CONFIGURATION_MODULES = [ROOT / "config" / "settings.py", ROOT / "config" / "gunicorn.py"]
ENV_READERS = {"env_str", "env_bool", "env_list", "env_int", "get", "getenv"}


def load_compose() -> dict:
    return YAML(typ="safe").load(COMPOSE_FILE.read_text())


def variables_read_by(path: Path) -> set[str]:
    """Names passed as first argument to os.environ.get/os.getenv/env_*() or os.environ[...]."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and node.args:
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else function
            name = name.id if isinstance(name, ast.Name) else name
            first = node.args[0]
            if (
                name in ENV_READERS
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and first.value.isupper()
            ):
                names.add(first.value)
        if (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def variables_read_by_configuration() -> set[str]:
    return set().union(*(variables_read_by(path) for path in CONFIGURATION_MODULES))


def read_dotenv(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if match := re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line.strip()):
            name, value = match.groups()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            values[name] = value
    return values


INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def interpolate(text: str, variables: dict[str, str]) -> str:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?message}` substitution."""

    def substitute(match: re.Match) -> str:
        name, operator, argument = match.groups()
        value = variables.get(name)
        # With a colon, empty counts as unset, as in the shell.
        missing = not value if operator in (":-", ":?") else value is None
        if operator and operator.endswith("-") and missing:
            return argument
        if operator and operator.endswith("?") and missing:
            raise KeyError(f"{name}: {argument}")
        return value or ""

    return INTERPOLATION.sub(substitute, text)


def service_environment(service: str, dotenv: dict[str, str]) -> dict[str, str]:
    environment = load_compose()["services"][service]["environment"]
    return {name: interpolate(str(value), dotenv) for name, value in environment.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            keyword, _, arguments = pending.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
            pending = ""
    return instructions


def dockerfile_env() -> dict[str, str]:
    values = {}
    for keyword, arguments in dockerfile_instructions():
        if keyword == "ENV":
            values |= dict(part.split("=", 1) for part in shlex.split(arguments))
    return values


def ignored_by_docker(relative: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        if pattern.startswith("**/"):
            if any(
                fnmatch.fnmatch(part, pattern[3:]) for part in Path(relative).parts
            ) or fnmatch.fnmatch(relative, pattern[3:]):
                return True
        elif fnmatch.fnmatch(relative, pattern) or relative.startswith(pattern + "/"):
            return True
    return False


def dockerignore_patterns() -> list[str]:
    return [
        line.strip().rstrip("/")
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]


def copy_build_context(target: Path) -> None:
    """What `COPY . .` puts in the image: the repository less what .dockerignore names."""
    patterns = dockerignore_patterns()
    for directory, subdirectories, files in os.walk(ROOT):
        here = Path(directory).relative_to(ROOT)
        subdirectories[:] = [
            name
            for name in subdirectories
            if not ignored_by_docker((here / name).as_posix(), patterns)
        ]
        (target / here).mkdir(parents=True, exist_ok=True)
        for name in files:
            if not ignored_by_docker((here / name).as_posix(), patterns):
                shutil.copy2(ROOT / here / name, target / here / name)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> object:
        return json.loads(self.body)


@dataclass
class SiteClient:
    """Plain HTTP to a local gunicorn, as the TLS-terminating proxy in front of it would send.

    Keeps cookies (they are Secure, so a standard cookie jar would not send them over http).
    """

    port: int
    proxy_headers: dict[str, str] = field(default_factory=lambda: {"X-Forwarded-Proto": "https"})
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": f"127.0.0.1:{self.port}"} | self.proxy_headers
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent | (headers or {}))
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response

    def get(self, path: str, headers: dict | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, fields: dict[str, str]) -> Response:
        from urllib.parse import urlencode

        return self.request(
            "POST",
            path,
            body=urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": f"{self.origin}{path}",
            },
        )
