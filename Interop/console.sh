#!/usr/bin/env bash
# The operator console in a real browser: `signet demo` (a server and three screens with players)
# runs in the background, and Interop/console.py drives headless Chromium against it over
# WebDriver. Screenshots at 1440x900 go to SCREENSHOT_FOLDER. The demo is then stopped with
# Ctrl-C's signal and must stop cleanly.
# Usage: Interop/console.sh BUILD_DIR PYTHON SCREENSHOT_FOLDER   (PYTHON has selenium)
set -uo pipefail
bin=$1
python=$2
shots=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
demo=""
trap '[ -n "$demo" ] && kill "$demo" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$shots"

"$bin/signet" demo --dir "$work/demo" --port 0 >"$work/demo.out" 2>&1 &
demo=$!
for _ in $(seq 1 120); do grep -q '^Running' "$work/demo.out" && break; sleep 1; done
url=$(sed -n 's/^  server    \(http:[^ ]*\).*/\1/p' "$work/demo.out")
if [ -z "$url" ]; then echo "the demo did not come up:"; tail -n 20 "$work/demo.out"; exit 1; fi
echo "demo at $url"
"$python" "$here/console.py" "$url" "$work/demo" "$bin/signet" "$shots"
status=$?
kill -INT "$demo"
wait "$demo"
stopped=$?
demo=""
echo "  $([ $stopped -eq 0 ] && echo 'ok  ' || echo FAIL)  the demo stops cleanly on SIGINT (exit $stopped)"
ls "$shots"
[ $status -eq 0 ] && [ $stopped -eq 0 ]
