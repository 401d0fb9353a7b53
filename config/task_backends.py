"""A django.tasks backend that runs each task on a background thread of the web process.

Django 6.1 ships an immediate backend (the task runs inside the request that enqueued it) and a
dummy one. Sending email to moderators must not hold up the visitor's POST, and a separate worker
service is more than a blog needs, so tasks run on a small thread pool instead. The pool is not
durable: a task lost with its process is caught up by the callers' own safety nets (the comment
notices are claimed in the database only when sent; `send_moderation_digest` sends the rest).
"""

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import close_old_connections, connections
from django.tasks.backends.immediate import ImmediateBackend

_pools: dict[tuple[str, int], ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _forget_pools_in_a_forked_child() -> None:
    """A pool made before a fork has no threads in the child, and the lock may be held."""
    global _pools_lock
    _pools.clear()
    _pools_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_pools_in_a_forked_child)


def shared_pool(alias: str, max_workers: int) -> ThreadPoolExecutor:
    """The process's one pool for `alias`.

    Django gives each thread its own backend instance, as it does database connections. A
    task enqueued from a timer or from a pool thread must still run on this pool, not start a
    pool (and its database connections) of its own.
    """
    key = (alias, max_workers)
    with _pools_lock:
        if key not in _pools:
            _pools[key] = ThreadPoolExecutor(max_workers, thread_name_prefix=f"tasks-{alias}")
        return _pools[key]


class BackgroundThreadBackend(ImmediateBackend):
    supports_async_task = False

    def __init__(self, alias: str, params: dict) -> None:
        super().__init__(alias, params)
        self._max_workers = int(self.options.get("MAX_WORKERS", 2))
        self._pool = shared_pool(alias, self._max_workers)
        self.last_future: Future | None = None

    def _execute_task(self, task_result) -> None:
        self.last_future = self._pool.submit(self._run_in_thread, task_result)

    def _run_in_thread(self, task_result) -> None:
        # Each pool thread keeps its own connections between tasks exactly as a web worker does
        # between requests: closed once older than CONN_MAX_AGE or broken, else reused. At one
        # notice per new comment, opening a connection for every task would cost the database
        # more than the post itself did.
        close_old_connections()
        try:
            super()._execute_task(task_result)
        finally:
            close_old_connections()

    def close_connections(self) -> None:
        """Close every pool thread's connections now, e.g. before a test database is dropped.

        One job per thread, each held at a barrier until all have started, so no thread can
        take two of them and leave another thread's connection open.
        """
        everyone_started = threading.Barrier(self._max_workers)

        def close_in_this_thread() -> None:
            everyone_started.wait(timeout=30)
            connections.close_all()

        jobs = [self._pool.submit(close_in_this_thread) for _ in range(self._max_workers)]
        for job in jobs:
            job.result()
