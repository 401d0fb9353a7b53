"""gunicorn's settings for the web container: `gunicorn --config config/gunicorn.py config.wsgi`.

Command-line flags and GUNICORN_CMD_ARGS override these (the tests bind to a free port so).
"""

import os

bind = ["0.0.0.0:8000"]
workers = int(os.environ.get("WEB_CONCURRENCY", "") or 2)
# Workers restart now and then so a slow leak cannot grow for ever; the jitter staggers them.
max_requests = 2000
max_requests_jitter = 200
# A single container needs no runtime control socket, and several gunicorns may share a home.
control_socket_disable = True

# Access and error logs go to stdout as JSON lines, like the application's own (settings.py).
accesslog = "-"
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "ops.logs.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": [], "level": "INFO", "propagate": True},
        "gunicorn.access": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
