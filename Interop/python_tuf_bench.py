"""Time python-tuf's ngclient on a repository: a full refresh from an initial root, then a lookup of
every listed target path (get_targetinfo, which walks the delegations).

usage: python_tuf_bench.py METADATA_URL INITIAL_ROOT TARGET_LIST ITERATIONS
Prints a JSON object {"microseconds": [...], "refresh_microseconds": [...], "found": N} (integers: Signet's JSON parser takes no floats) on standard output. Each iteration starts from
an empty metadata folder, so every iteration downloads and verifies everything.
"""
import json
import os
import sys
import tempfile
import time

from tuf.ngclient import Updater


def main() -> int:
    metadata_url, initial_root, target_list, iterations = sys.argv[1:]
    with open(initial_root, "rb") as f:
        root = f.read()
    with open(target_list) as f:
        paths = [line.rstrip("\n") for line in f if line.strip()]
    durations = []
    refreshes = []
    found = 0
    for _ in range(int(iterations)):
        with tempfile.TemporaryDirectory() as work:
            metadata_dir = os.path.join(work, "metadata")
            os.mkdir(metadata_dir)
            start = time.perf_counter()
            updater = Updater(metadata_dir, metadata_url, os.path.join(work, "targets"), bootstrap=root)
            updater.refresh()
            refreshes.append(round((time.perf_counter() - start) * 1e6))
            found = sum(1 for path in paths if updater.get_targetinfo(path) is not None)
            durations.append(round((time.perf_counter() - start) * 1e6))
    print(json.dumps({"microseconds": durations, "refresh_microseconds": refreshes, "found": found}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
