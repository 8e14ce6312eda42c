"""Refresh and download targets with python-tuf's ngclient (the reference TUF client).

usage: python_tuf_client.py METADATA_URL TARGETS_URL INITIAL_ROOT WORKDIR TARGET [TARGET ...]
Prints one line per downloaded target (path, length, sha256); exits 1 with the reason on failure.
"""
import hashlib
import os
import sys

from tuf.ngclient import Updater


def main() -> int:
    metadata_url, targets_url, initial_root, workdir, *targets = sys.argv[1:]
    metadata_dir = os.path.join(workdir, "metadata")
    target_dir = os.path.join(workdir, "targets")
    os.makedirs(metadata_dir, exist_ok=True)
    os.makedirs(target_dir, exist_ok=True)
    if not os.path.exists(os.path.join(metadata_dir, "root.json")):
        with open(initial_root, "rb") as src, open(os.path.join(metadata_dir, "root.json"), "wb") as dst:
            dst.write(src.read())
    try:
        with open(os.path.join(metadata_dir, "root.json"), "rb") as f:
            trusted_root = f.read()
        updater = Updater(metadata_dir, metadata_url, target_dir, targets_url, bootstrap=trusted_root)
        updater.refresh()
        for path in targets:
            info = updater.get_targetinfo(path)
            if info is None:
                print(f"python-tuf: target {path} not found", file=sys.stderr)
                return 1
            local = updater.find_cached_target(info) or updater.download_target(info)
            with open(local, "rb") as f:
                data = f.read()
            print(f"{path} {len(data)} {hashlib.sha256(data).hexdigest()}")
        print(f"root v{updater._trusted_set.root.version}", file=sys.stderr)
    except Exception as error:  # noqa: BLE001 - report any refusal as one line
        print(f"python-tuf: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
