"""Receives Signet's sACN (E1.31) frames with the independent Python `sacn` package.

Usage: sacn_receiver.py UNIVERSES SECONDS OUT_FILE
Listens on 127.0.0.1:5568 for universes 1..UNIVERSES, keeps the newest data of each, and after
SECONDS writes their concatenated DMX data (510 channels per universe, as Signet packs RGB pixels;
the library pads every universe to 512) to OUT_FILE, then prints how many packets arrived.
"""
import sys
import threading
import time

import sacn

universes = int(sys.argv[1])
seconds = float(sys.argv[2])
out_file = sys.argv[3]

latest = {}
counts = {}
lock = threading.Lock()
receiver = sacn.sACNreceiver(bind_address="127.0.0.1")


def make_listener(universe):
    def on_packet(packet):
        with lock:
            latest[universe] = bytes(packet.dmxData)
            counts[universe] = counts.get(universe, 0) + 1
    return on_packet


for universe in range(1, universes + 1):
    receiver.register_listener("universe", make_listener(universe), universe=universe)
receiver.start()
time.sleep(seconds)
receiver.stop()
with lock:
    missing = [u for u in range(1, universes + 1) if u not in latest]
    if missing:
        print(f"sacn receiver: no packets for universes {missing}", file=sys.stderr)
        sys.exit(1)
    with open(out_file, "wb") as f:
        for universe in range(1, universes + 1):
            f.write(latest[universe][:510])
    print(f"sacn receiver: {universes} universes received ({sum(counts.values())} data changes)")
