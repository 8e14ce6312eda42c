"""An attacker who holds the Signet server (its database, admin account and online keys) tries to
publish an asset the approvers never signed: targets, snapshot and timestamp are rewritten with
python-tuf's own metadata API and signed with every key the server keeps.

usage: forge_with_online_keys.py DATA_DIR ASSET
Prints the forged targets version; the files land in DATA_DIR/repository as a release would.
"""
import hashlib
import os
import sys

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import MetaFile, Metadata, TargetFile
from tuf.api.serialization.json import JSONSerializer


def signer(data: str, name: str) -> CryptoSigner:
    with open(os.path.join(data, "keys", f"{name}.key"), "rb") as f:
        return CryptoSigner(load_pem_private_key(f.read(), None))


def write(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def main() -> int:
    data, asset = sys.argv[1:3]
    metadata_dir = os.path.join(data, "repository", "metadata")
    targets_dir = os.path.join(data, "repository", "targets")
    serializer = JSONSerializer(compact=True)
    keys = {name: signer(data, name) for name in ("snapshot", "timestamp", "commands")}

    with open(asset, "rb") as f:
        blob = f.read()
    digest = hashlib.sha256(blob).hexdigest()
    path = f"assets/{digest}"
    write(os.path.join(targets_dir, "assets", digest), blob)
    write(os.path.join(targets_dir, "assets", f"{digest}.{digest}"), blob)

    targets = Metadata.from_file(os.path.join(metadata_dir, "targets.json"))
    targets.signed.targets[path] = TargetFile.from_data(path, blob, ["sha256"])
    targets.signed.version += 1
    targets.signatures.clear()
    for key in keys.values():
        targets.sign(key, append=True)
    targets_bytes = targets.to_bytes(serializer)
    write(os.path.join(metadata_dir, f"{targets.signed.version}.targets.json"), targets_bytes)
    write(os.path.join(metadata_dir, "targets.json"), targets_bytes)

    snapshot = Metadata.from_file(os.path.join(metadata_dir, "snapshot.json"))
    snapshot.signed.meta["targets.json"] = MetaFile(targets.signed.version, len(targets_bytes),
                                                    {"sha256": hashlib.sha256(targets_bytes).hexdigest()})
    snapshot.signed.version += 1
    snapshot.signatures.clear()
    snapshot.sign(keys["snapshot"])
    snapshot_bytes = snapshot.to_bytes(serializer)
    write(os.path.join(metadata_dir, f"{snapshot.signed.version}.snapshot.json"), snapshot_bytes)
    write(os.path.join(metadata_dir, "snapshot.json"), snapshot_bytes)

    timestamp = Metadata.from_file(os.path.join(metadata_dir, "timestamp.json"))
    timestamp.signed.snapshot_meta = MetaFile(snapshot.signed.version, len(snapshot_bytes),
                                              {"sha256": hashlib.sha256(snapshot_bytes).hexdigest()})
    timestamp.signed.version += 1
    timestamp.signatures.clear()
    timestamp.sign(keys["timestamp"])
    write(os.path.join(metadata_dir, "timestamp.json"), timestamp.to_bytes(serializer))
    print(f"forged targets v{targets.signed.version} with {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
