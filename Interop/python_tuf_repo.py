"""Write a TUF repository with python-tuf's Metadata API, for Signet's client to read.

usage: python_tuf_repo.py OUTDIR
Writes OUTDIR/metadata (consistent snapshots, root rotated from v1 to v2 with a new key and
threshold 2, a delegated role "city-astana" for "astana/*" with an ecdsa key) and OUTDIR/targets,
and prints the target paths with their sha256, one per line.
"""
import hashlib
import os
import sys
from datetime import datetime, timedelta, timezone

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer


def main() -> int:
    out = sys.argv[1]
    metadata_dir = os.path.join(out, "metadata")
    targets_dir = os.path.join(out, "targets")
    os.makedirs(metadata_dir, exist_ok=True)
    os.makedirs(targets_dir, exist_ok=True)
    expiry = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=30)
    serializer = JSONSerializer(compact=False)

    signers = {
        "root": CryptoSigner.generate_ed25519(),
        "root2": CryptoSigner.generate_ecdsa(),
        "targets": CryptoSigner.generate_ed25519(),
        "snapshot": CryptoSigner.generate_ecdsa(),
        "timestamp": CryptoSigner.generate_ed25519(),
        "city-astana": CryptoSigner.generate_ecdsa(),
    }

    root = Root(expires=expiry, consistent_snapshot=True)
    for role in ["root", "targets", "snapshot", "timestamp"]:
        root.add_key(signers[role].public_key, role)
    root_md = Metadata(root)
    root_md.sign(signers["root"])
    root_md.to_file(os.path.join(metadata_dir, "1.root.json"), serializer)

    # Rotate root: add a second root key and require both; v2 is signed by v1's keys and its own.
    root.add_key(signers["root2"].public_key, "root")
    root.roles["root"].threshold = 2
    root.version = 2
    root_md = Metadata(root)
    root_md.sign(signers["root"], append=True)
    root_md.sign(signers["root2"], append=True)
    root_md.to_file(os.path.join(metadata_dir, "2.root.json"), serializer)

    def add_target(targets: Targets, path: str, data: bytes) -> None:
        info = TargetFile.from_data(path, data, ["sha256", "sha512"])
        targets.targets[path] = info
        directory, _, name = path.rpartition("/")
        folder = os.path.join(targets_dir, directory)
        os.makedirs(folder, exist_ok=True)
        for digest in info.hashes.values():
            with open(os.path.join(folder, f"{digest}.{name}"), "wb") as f:
                f.write(data)
        print(f"{path} {hashlib.sha256(data).hexdigest()}")

    targets = Targets(expires=expiry)
    add_target(targets, "programme.json", b'{"slides":["welcome"]}')
    delegated_key = signers["city-astana"].public_key
    targets.delegations = Delegations(
        keys={delegated_key.keyid: delegated_key},
        roles={"city-astana": DelegatedRole("city-astana", [delegated_key.keyid], 1, True, ["astana/*"])},
    )
    city = Targets(expires=expiry)
    add_target(city, "astana/flags.png", b"\x89PNG flags of both countries")

    city_md = Metadata(city)
    city_md.sign(signers["city-astana"])
    city_md.to_file(os.path.join(metadata_dir, "1.city-astana.json"), serializer)
    targets_md = Metadata(targets)
    targets_md.sign(signers["targets"])
    targets_md.to_file(os.path.join(metadata_dir, "1.targets.json"), serializer)

    snapshot = Snapshot(expires=expiry)
    snapshot.meta["city-astana.json"] = MetaFile(version=1)
    snapshot_md = Metadata(snapshot)
    snapshot_md.sign(signers["snapshot"])
    snapshot_md.to_file(os.path.join(metadata_dir, "1.snapshot.json"), serializer)

    timestamp_md = Metadata(Timestamp(expires=expiry))
    timestamp_md.sign(signers["timestamp"])
    timestamp_md.to_file(os.path.join(metadata_dir, "timestamp.json"), serializer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
