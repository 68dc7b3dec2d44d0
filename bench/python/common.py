"""Helpers shared by the Python peers: the same splits as the Node side."""
import multiprocessing
from multiprocessing import resource_tracker
from concurrent.futures import ThreadPoolExecutor


def equal_ranges(n, parts):
    """The talk's split: `parts` equal ranges, the last one running to n."""
    size = n // parts
    return [(i * size, n if i == parts - 1 else (i + 1) * size) for i in range(parts)]


def _noop(_):
    return None


def start_threads(workers):
    pool = ThreadPoolExecutor(max_workers=workers)
    list(pool.map(_noop, range(workers)))  # start every thread before timing
    return pool


def start_processes(workers):
    # fork is CPython 3.11's default on Linux, as in the talk; the pool is started (and warm)
    # before any data exists, so children inherit nothing they could read instead of copies.
    # The resource tracker must run before the fork, so the workers share it: otherwise each one
    # starts its own, which unlinks a shared_memory segment it attached to when the worker exits.
    resource_tracker.ensure_running()
    pool = multiprocessing.get_context("fork").Pool(processes=workers)
    pool.map(_noop, range(workers), chunksize=1)
    return pool
