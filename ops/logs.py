"""One JSON object per log line, for the container's stdout and whatever collects it."""

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else on a record came from `extra=` and is kept.
STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

# gunicorn passes its access-log values as a dict of one-letter "atoms".
GUNICORN_ACCESS_FIELDS = {
    "h": "remote_addr",
    "m": "method",
    "U": "path",
    "q": "query",
    "s": "status",
    "B": "bytes",
    "M": "duration_ms",
    "f": "referer",
    "a": "user_agent",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            entry |= access_fields(record.args)
        for key, value in vars(record).items():
            if key not in STANDARD_ATTRIBUTES and key not in entry:
                entry[key] = loggable(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def access_fields(atoms: Mapping) -> dict[str, object]:
    fields = {name: atoms.get(atom) for atom, name in GUNICORN_ACCESS_FIELDS.items()}
    if isinstance(fields["status"], str) and fields["status"].isdigit():
        fields["status"] = int(fields["status"])
    return {name: value for name, value in fields.items() if value not in (None, "-", "")}


def loggable(value: object) -> object:
    """Django attaches the HttpRequest to its request logs: keep what identifies it."""
    if hasattr(value, "method") and hasattr(value, "get_full_path"):
        return {"method": value.method, "path": value.get_full_path()}
    return value
