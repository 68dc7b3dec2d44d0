"""Case 2, array sum, as in the talk: an int64 numpy array 0..N-1, each worker sums its slice
with a plain Python loop (deliberately not numpy's vectorised sum)."""
from multiprocessing import shared_memory

import numpy as np

from common import equal_ranges, start_processes, start_threads


def sum_slice(values):
    total = 0
    for x in values:
        total += x
    return int(total)


def sum_shared(job):
    """Attach to the named segment, sum a slice, detach: what a worker does in the talk."""
    name, n, lo, hi = job
    segment = shared_memory.SharedMemory(name=name)
    try:
        array = np.ndarray((n,), dtype=np.int64, buffer=segment.buf)
        total = sum_slice(array[lo:hi])
        del array
        return total
    finally:
        segment.close()


class Series:
    def __init__(self, variant, workers, params):
        n = params["n"]
        self.variant = variant
        self.ranges = equal_ranges(n, workers)
        self.segment = None
        if variant == "py-threading":
            self.pool = start_threads(workers)
            self.array = np.arange(n, dtype=np.int64)
        elif variant == "py-processes":
            self.pool = start_processes(workers)
            self.array = np.arange(n, dtype=np.int64)
        elif variant == "py-processes+shm":
            self.pool = start_processes(workers)
            self.segment = shared_memory.SharedMemory(create=True, size=max(1, n * 8))
            self.array = np.ndarray((n,), dtype=np.int64, buffer=self.segment.buf)
            self.array[:] = np.arange(n, dtype=np.int64)
            self.jobs = [(self.segment.name, n, lo, hi) for lo, hi in self.ranges]
        else:
            raise ValueError(f"array-sum has no variant {variant}")

    def run(self):
        if self.variant == "py-threading":
            # Slices are views: no copy, shared by reference.
            return sum(self.pool.map(sum_slice, [self.array[lo:hi] for lo, hi in self.ranges]))
        if self.variant == "py-processes":
            # Each slice is pickled to its worker: the copy is part of the cost.
            return sum(self.pool.map(sum_slice, [self.array[lo:hi] for lo, hi in self.ranges], chunksize=1))
        return sum(self.pool.map(sum_shared, self.jobs, chunksize=1))

    def close(self):
        if self.variant == "py-threading":
            self.pool.shutdown()
        else:
            self.pool.close()
            self.pool.join()
        if self.segment is not None:
            del self.array
            self.segment.close()
            self.segment.unlink()


def setup(variant, workers, params):
    return Series(variant, workers, params)
