"""The Python peers of weft's study, driven by `weft bench` (src/bench/python/peer.ts).

Usage: python3 peer.py CASE VARIANT WORKERS PARAMS_JSON

Sets the series up (pool started and warm, data in place; none of it timed), prints one JSON line
{"ready": true, "setup_ms": ...}, then for every line "run" on stdin times one parallel section
with time.perf_counter() and prints {"value": ..., "ms": ...}; a case whose run returns a dict (the FL peer)
sends it whole, and its "ms" when it timed its own sections. "exit" or end of input cleans up.
Errors are printed as {"error": "..."} and end the process.
"""
import importlib
import json
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    case, variant, workers, params = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
    module = importlib.import_module(case.replace("-", "_"))
    started = time.perf_counter()
    series = module.setup(variant, workers, params)
    reply({"ready": True, "setup_ms": (time.perf_counter() - started) * 1000})
    try:
        for line in sys.stdin:
            command = line.strip()
            if command == "run":
                t0 = time.perf_counter()
                value = series.run()
                ms = (time.perf_counter() - t0) * 1000
                if isinstance(value, dict):
                    # A peer that times its own sections (the FL rounds, not the evaluations between them).
                    reply({"value": value, "ms": value.get("ms", ms)})
                else:
                    reply({"value": int(value), "ms": ms})
            elif command == "exit":
                break
    finally:
        series.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # report, then fail: the Node side shows the message
        reply({"error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc()})
        sys.exit(1)
