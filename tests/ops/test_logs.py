"""Log lines are JSON objects: the app's, Django's request errors and gunicorn's access log."""

import json
import logging
import sys

from django.test import RequestFactory

from ops.logs import JsonFormatter


def formatted(record: logging.LogRecord) -> dict:
    return json.loads(JsonFormatter().format(record))


def record(name: str, message: str, *args, **attributes) -> logging.LogRecord:
    entry = logging.LogRecord(name, logging.WARNING, __file__, 1, message, args, None)
    entry.__dict__.update(attributes)
    return entry


def test_a_log_line_is_one_json_object_with_time_level_logger_and_message():
    entry = formatted(record("comments", "Stored %s", "comment 7"))
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "comments"
    assert entry["message"] == "Stored comment 7"
    assert entry["time"].endswith("+00:00")


def test_extra_fields_are_kept_and_a_request_becomes_its_method_and_path():
    request = RequestFactory().post("/blog/x/comments/?page=2")
    entry = formatted(record("django.request", "Bad Request", status_code=400, request=request))
    assert entry["status_code"] == 400
    assert entry["request"] == {"method": "POST", "path": "/blog/x/comments/?page=2"}


def test_an_exception_is_kept_with_its_traceback_on_the_same_line():
    try:
        raise RuntimeError("database gone")
    except RuntimeError:
        failing = record("ops.middleware", "Database unavailable")
        failing.exc_info = sys.exc_info()
    line = JsonFormatter().format(failing)
    assert "\n" not in line
    assert "RuntimeError: database gone" in json.loads(line)["exception"]


def test_gunicorn_access_lines_get_their_fields():
    atoms = {"h": "10.0.0.2", "m": "GET", "U": "/healthz", "q": "", "s": "200", "B": 34,
             "M": 3, "f": "-", "a": "curl/8"}  # fmt: skip
    entry = formatted(record("gunicorn.access", '%(h)s "%(m)s %(U)s" %(s)s', atoms))
    assert entry["message"] == '10.0.0.2 "GET /healthz" 200'
    assert entry["status"] == 200
    assert (entry["method"], entry["path"], entry["remote_addr"]) == ("GET", "/healthz", "10.0.0.2")
    assert "referer" not in entry
