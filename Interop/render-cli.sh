#!/usr/bin/env bash
# signet render and signet timeline from the command line: the state-visit example renders the
# welcome slide during the visit and the city playlist before it, and bad input (a programme that
# breaks a rule, a missing asset, a bad time, an unknown screen) exits 1 with one clear line.
# Usage: Interop/render-cli.sh BUILD_DIR
set -uo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
example="$here/../Examples/state-visit"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$here/checks.sh"
signet() { "$bin/signet" "$@"; }
refuses() {  # refuses EXPECTED-TEXT ARGS...: exit 1, one line on stderr containing the text
  local expected=$1
  shift
  signet "$@" >"$work/out" 2>"$work/err"
  local code=$?
  if [ $code -ne 1 ] || ! grep -qF -- "$expected" "$work/err" || [ "$(wc -l <"$work/err")" -ne 1 ]; then
    echo "    exit $code, stderr: $(cat "$work/err")"
    return 1
  fi
}

signet render "$example/programme.json" --screen astana-1 --at 2024-11-27T12:00 --assets "$example" --out "$work/visit.png" >"$work/visit.txt" 2>&1
check "render during the visit exits 0" test $? -eq 0
check "the welcome slide is on screen at 12:00 in Astana" grep -q "slide welcome, entry state-visit" "$work/visit.txt"
check "the PNG is 960x480" python3 -c "import struct,sys; d=open('$work/visit.png','rb').read(); sys.exit(0 if d[:8]==b'\x89PNG\r\n\x1a\n' and struct.unpack('>II', d[16:24])==(960,480) else 1)"
signet render "$example/programme.json" --screen astana-1 --at 2024-11-26T23:00:00Z --assets "$example" --out "$work/before.png" >"$work/before.txt" 2>&1
check "the day before, the city playlist" grep -q "slide city-.*default playlist" "$work/before.txt"
signet timeline "$example/programme.json" --screen astana-1 --from 2024-11-27T05:59 --to 2024-11-27T06:01 >"$work/timeline.txt" 2>&1
check "timeline shows the interrupt starting at 06:00 local" grep -q "2024-11-27 06:00:00 +0[56]:00 .*slide welcome .*entry state-visit" "$work/timeline.txt"
signet timeline "$example/programme.json" --screen berlin-1 --from 2024-11-27T00:59 --to 2024-11-27T01:01 --json >"$work/berlin.json"
check "timeline --json shows Berlin's quiet hours as black" python3 -c "import json; rows=json.load(open('$work/berlin.json')); assert rows[-1]['slide'] is None and rows[-1]['source']=='quiet hours', rows"

sed 's/"Asia\/Almaty"/"Asia\/Atlantis"/' "$example/programme.json" >"$work/bad-zone.json"
check "an invalid time zone is refused" refuses 'programme.screens.astana-1.time_zone: "Asia/Atlantis" is not a time zone' \
  render "$work/bad-zone.json" --screen astana-1 --at 2024-11-27T12:00 --out "$work/x.png"
sed 's/"type": "stripes"/"type": "video"/' "$example/programme.json" >"$work/bad-type.json"
check "an unknown element type is refused" refuses '"video" is not one of image, text, rectangle, stripes' \
  timeline "$work/bad-type.json" --screen astana-1 --from 2024-11-27T05:59 --to 2024-11-27T06:01
check "a missing asset is refused" refuses "asset 1de385c32e00: bytes not available" \
  render "$example/programme.json" --screen astana-1 --at 2024-11-27T12:00 --out "$work/x.png"
head -c 3000 "$example/kazakhstan.png" >"$work/1de385c32e005a12e180b0e56636e3fa353b9deac6187d6d53100cb1ad821096"
check "a truncated asset is refused (its hash does not match)" refuses "bytes do not match their sha256" \
  render "$example/programme.json" --screen astana-1 --at 2024-11-27T12:00 --assets "$work" --out "$work/x.png"
check "a bad time is refused" refuses "--at tomorrow: not a time" \
  render "$example/programme.json" --screen astana-1 --at tomorrow --out "$work/x.png"
check "an unknown screen is refused" refuses "screen paris-1: not in the programme" \
  render "$example/programme.json" --screen paris-1 --at 2024-11-27T12:00 --out "$work/x.png"
check "a font that fails to load is refused" refuses "font programme.json: FreeType cannot load it" \
  render "$example/programme.json" --screen astana-1 --at 2024-11-27T12:00 --font "$example/programme.json" --out "$work/x.png"
check "nothing was written for refused renders" test ! -e "$work/x.png"
summary "render cli"
