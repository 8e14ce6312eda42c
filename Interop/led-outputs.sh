#!/usr/bin/env bash
# LED outputs against independent receivers on loopback:
#  - sACN (E1.31) frames received by the Python `sacn` package equal the frames Signet rendered;
#  - tshark decodes Signet's Art-Net and sACN (with its acn heuristic on) with no malformed or
#    warning-level expert reports.
# (DDP is checked in `swift test` against a receiver written from the DDP description.)
# Usage: Interop/led-outputs.sh BUILD_DIR PYTHON   (PYTHON has the `sacn` package)
set -uo pipefail
bin=$1
python=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$here/checks.sh"
send() { "$bin/signet" send "$here/led-programme.json" --screen panel --at 2025-01-01T12:00:00Z "$@" >"$work/send.log" 2>&1; }

# 64x32 RGB = 6144 bytes = 13 universes of 510 channels (the last one 24).
"$python" "$here/sacn_receiver.py" 13 5 "$work/sacn.bin" >"$work/receiver.log" 2>&1 &
receiver=$!
sleep 1.5
send --frames 40 --fps 20 --output "sacn://127.0.0.1?universe=1" --output "command:cat > '$work/frames.rgb'"
sent=$?
wait $receiver
received=$?
cat "$work/receiver.log"
check "signet send to sACN exits 0" test $sent -eq 0
check "python sacn received every universe" test $received -eq 0
same_frame() {
  "$python" - "$work/frames.rgb" "$work/sacn.bin" <<'PY'
import sys
frames = open(sys.argv[1], "rb").read()
frame = frames[-6144:]
received = open(sys.argv[2], "rb").read()
assert len(frames) % 6144 == 0 and len(frames) >= 6144, f"rendered {len(frames)} bytes"
expected = frame + bytes(13 * 510 - len(frame))
if received != expected:
    first = next(i for i in range(len(expected)) if received[i] != expected[i])
    sys.exit(f"sACN data differs from the rendered frame at byte {first}")
PY
}
check "sACN data equals the rendered frame, byte for byte" same_frame

# tshark: capture both protocols on loopback, then dissect.
tshark -i lo -f "udp port 5568 or udp port 6454" -w "$work/capture.pcapng" -a duration:8 >"$work/tshark.log" 2>&1 &
capture=$!
sleep 3
send --frames 10 --fps 10 --output "sacn://127.0.0.1?universe=7" --output "artnet://127.0.0.1?universe=3&layout=serpentine"
check "signet send to sACN and Art-Net exits 0" test $? -eq 0
wait $capture
dissect() { tshark -r "$work/capture.pcapng" --enable-heuristic acn -o acn.dmx_enable:TRUE "$@" 2>/dev/null; }
acn=$(dissect -Y "acn.dmx.universe" | wc -l)
artnet=$(dissect -Y "artnet.output.universe" | wc -l)
problems=$(dissect -Y "_ws.malformed || _ws.expert.severity >= 6291456" | wc -l)
universes=$(dissect -Y "acn.dmx.universe" -T fields -e acn.dmx.universe | sort -un | tr '\n' ' ')
ports=$(dissect -Y "artnet.output.universe" -T fields -e artnet.output.universe | sort -un | tr '\n' ' ')
echo "  tshark: $acn sACN packets (universes $universes), $artnet Art-Net packets (port-addresses $ports), $problems malformed or warnings"
if [ "$acn" -ne 130 ] || [ "$artnet" -ne 130 ] || [ "$problems" -ne 0 ]; then
  # Seen once in CI (130 Art-Net packets dissected as malformed) and never again: say why if it recurs.
  echo "  tshark's view of the first packets to port 6454 and of the first problem:"
  dissect -Y "udp.dstport == 6454" -c 2 -V | sed 's/^/    /' | head -60
  dissect -Y "_ws.malformed || _ws.expert.severity >= 6291456" -c 1 -V | sed 's/^/    /' | head -60
  tshark -v | head -1
fi
check "tshark decodes 130 sACN packets" test "$acn" -eq 130
check "tshark decodes 130 Art-Net ArtDmx packets" test "$artnet" -eq 130
check "sACN universes 7 to 19" test "$universes" = "7 8 9 10 11 12 13 14 15 16 17 18 19 "
check "no malformed packets or expert warnings" test "$problems" -eq 0
summary "led outputs"
