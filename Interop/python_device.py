"""A Signet device written from the protocol description, not from Signet's code: it enrolls with a
one-time token, signs each request (Ed25519 over "signet-device-v1", method, path, screen, time and
the body's SHA-256, one per line), fetches pending commands, verifies each (the batch's signature
by the commands key that the TUF root names, over securesystemslib's canonical JSON, and the
command's RFC 6962 inclusion proof in the batch's Merkle root, RFC 9162 section 2.1.3.2), and
acknowledges it.

usage: python_device.py SERVER SCREEN TOKEN ROOT_JSON SECONDS
Prints one line per command; exits 1 if any command fails to verify.
"""
import hashlib
import json
import sys
import time
import urllib.request

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from securesystemslib.formats import encode_canonical


def included(leaf: bytes, index: int, size: int, proof: list, root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2, written out from the RFC."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, hashlib.sha256(b"\x00" + leaf).digest()
    for p in (bytes.fromhex(h) for h in proof):
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def main() -> int:
    server, screen, token, root_path, seconds = sys.argv[1:6]
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    last_time = 0

    def request(method: str, path: str, body: bytes = b"", signed: bool = True):
        nonlocal last_time
        headers = {"Content-Type": "application/json"}
        if signed:
            now = max(int(time.time() * 1000), last_time + 1)
            last_time = now
            message = "\n".join(["signet-device-v1", method, path, screen, str(now), hashlib.sha256(body).hexdigest()]).encode()
            headers.update({"X-Signet-Screen": screen, "X-Signet-Time": str(now), "X-Signet-Signature": key.sign(message).hex()})
        req = urllib.request.Request(server + path, data=body if method != "GET" else None, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=10) as response:
            return json.loads(response.read())

    enroll = json.dumps({"token": token, "public_key": {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": public}}})
    request("POST", "/api/v1/enroll", enroll.encode(), signed=False)
    root = json.load(open(root_path))["signed"]
    commands = root["x-signet"]["commands"]
    keys = {keyid: Ed25519PublicKey.from_public_bytes(bytes.fromhex(commands["keys"][keyid]["keyval"]["public"])) for keyid in commands["keyids"]}
    print(f"device {screen} enrolled", flush=True)
    last_sequence = 0
    deadline = time.time() + float(seconds)
    while time.time() < deadline:
        for document in request("GET", "/api/v1/devices/commands")["commands"]:
            signed, batch = document["signed"], document["batch"]
            valid = 0
            for signature in batch["signatures"]:
                if signature["keyid"] in keys:
                    try:
                        keys[signature["keyid"]].verify(bytes.fromhex(signature["sig"]), encode_canonical(batch["signed"]).encode())
                        valid += 1
                    except Exception:  # noqa: BLE001 - an invalid signature counts for nothing
                        pass
            tree = batch["signed"]
            in_batch = tree["_type"] == "signet-command-batch" and included(
                encode_canonical(signed).encode(), document["index"], tree["size"], document["proof"], bytes.fromhex(tree["root"]))
            if valid < commands["threshold"] or not in_batch or signed["screen"] != screen or signed["version"] <= last_sequence:
                print(f"refused command {signed.get('id')}", flush=True)
                return 1
            last_sequence = signed["version"]
            request("POST", f"/api/v1/devices/commands/{signed['id']}/ack", json.dumps({"result": "done"}).encode())
            print(f"{signed['action']} #{signed['version']} verified (leaf {document['index']} of {tree['size']}) and acknowledged", flush=True)
        time.sleep(0.1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
