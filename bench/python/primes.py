"""Case 1, prime count, as in the talk: trial division with odd divisors up to sqrt(n)."""
from common import equal_ranges, start_processes, start_threads


def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def count_primes(bounds):
    lo, hi = bounds
    return sum(1 for n in range(lo, hi) if is_prime(n))


class Series:
    def __init__(self, variant, workers, params):
        self.ranges = equal_ranges(params["n"], workers)
        if variant == "py-threading":
            self.pool = start_threads(workers)
            self.map = lambda: self.pool.map(count_primes, self.ranges)
            self.stop = lambda: self.pool.shutdown()
        elif variant == "py-processes":
            self.pool = start_processes(workers)
            self.map = lambda: self.pool.map(count_primes, self.ranges, chunksize=1)
            self.stop = lambda: (self.pool.close(), self.pool.join())
        else:
            raise ValueError(f"primes has no variant {variant}")

    def run(self):
        return sum(self.map())

    def close(self):
        self.stop()


def setup(variant, workers, params):
    return Series(variant, workers, params)
