"""Races between real database connections: each callable on its own thread, all released at
once by a barrier. SQLite serialises writers, so most races only mean something on PostgreSQL."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections


def needs_concurrent_writers(reason: str = "concurrent writers need PostgreSQL") -> None:
    """Skip the calling test unless the database has row locks between real connections."""
    if connection.vendor != "postgresql":
        pytest.skip(reason)


def race(*fns: Callable[[], object], timeout: float = 120) -> list:
    """Start every callable together on its own thread, each with its own connection; return each
    one's result, or the exception it raised, in the order given. A thread still running after
    ``timeout`` seconds fails the test (a deadlock, most likely)."""
    barrier = threading.Barrier(len(fns))
    results: list = [None] * len(fns)

    def worker(i, fn):
        try:
            barrier.wait(timeout=30)
            results[i] = fn()
        except Exception as exc:  # handed back to the test, which asserts on it
            results[i] = exc
        finally:
            connections.close_all()  # this thread's connections

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock?)"
    return results


def failures(results: list) -> list[BaseException]:
    """The exceptions among ``race``'s results."""
    return [r for r in results if isinstance(r, BaseException)]
