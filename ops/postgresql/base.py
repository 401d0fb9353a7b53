"""Django's PostgreSQL backend, with a connection health check that needs no round trip.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` on a kept connection before each request's
first query, so that a restarted server costs a reconnect instead of an error page. For a
shared article page, whose only other statement is one lookup, that doubled the round trips.

A server that goes away (a restart, a failover, an administrator or an idle timeout ending the
session) says so on the socket: it sends its last message and closes. So a kept connection with
nothing waiting to be read is as alive as `SELECT 1` would find it, and only one with something
waiting gets the real check, which reads what is there and fails if the connection is gone.
Neither check notices a peer that vanished in silence; `connect_timeout` (settings) bounds the
reconnect that follows when a query then fails.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        if nothing_waiting_on(self.connection.fileno()):
            return True
        return super().is_usable()


def nothing_waiting_on(descriptor: int) -> bool:
    """Whether the socket has no data, end of stream or error for us; it never waits."""
    poller = select.poll()
    poller.register(descriptor, select.POLLIN | select.POLLPRI)
    return not poller.poll(0)
