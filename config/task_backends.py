"""A django.tasks backend that runs each task on a background thread of the web process.

Django 6.1 ships an immediate backend (the task runs inside the request that enqueued it) and a
dummy one. Sending email to moderators must not hold up the visitor's POST, and a separate worker
service is more than a blog needs, so tasks run on a small thread pool instead. The pool is not
durable: a task lost with its process is caught up by the callers' own safety nets (the comment
notices are claimed in the database only when sent; `send_moderation_digest` sends the rest).
"""

from concurrent.futures import Future, ThreadPoolExecutor

from django.db import close_old_connections, connections
from django.tasks.backends.immediate import ImmediateBackend


class BackgroundThreadBackend(ImmediateBackend):
    supports_async_task = False

    def __init__(self, alias: str, params: dict) -> None:
        super().__init__(alias, params)
        self._pool = ThreadPoolExecutor(
            max_workers=int(self.options.get("MAX_WORKERS", 2)),
            thread_name_prefix=f"tasks-{alias}",
        )
        self.last_future: Future | None = None

    def _execute_task(self, task_result) -> None:
        self.last_future = self._pool.submit(self._run_in_thread, task_result)

    def _run_in_thread(self, task_result) -> None:
        close_old_connections()
        try:
            super()._execute_task(task_result)
        finally:
            # Each pool thread has its own connections; don't leave them open between tasks.
            connections.close_all()
