#!/usr/bin/env bash
# signet server from the command line: init creates a private data folder and an admin whose
# one-time password is printed once, and a TUF repository whose root names custodians and
# approvers (generated for this trial into offline/); python-tuf refreshes from the repository the
# server serves; the server has no default credentials, refuses everything until the one-time
# password is changed, checks CSRF on a browser session, and stops cleanly on SIGTERM.
# Usage: Interop/server-cli.sh BUILD_DIR PYTHON   (PYTHON has python-tuf, openapi-spec-validator and prometheus-client)
set -uo pipefail
bin=$1
python=$2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/checks.sh"
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
data="$work/data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"

"$bin/signet" server init --data "$data" --admin ana --log-origin signage.example.test/log >"$work/init.out" 2>"$work/init.err"
check "server init exits 0" test $? -eq 0
password=$(sed -n 's/^one-time password.*: //p' "$work/init.out")
check "a 20-character one-time password is printed" test ${#password} -eq 20
check "the data folder is private (0700)" test "$(stat -c %a "$data")" = 700
check "online keys are 0600 in a 0700 folder" test "$(stat -c %a "$data/keys")$(stat -c %a "$data/keys/timestamp.key")" = 700600
check "custodian and approver keys were generated for the trial, apart" test -f "$data/offline/custodian-3.key" -a -f "$data/offline/approver-1.key"
"$bin/signet" server init --data "$data" >/dev/null 2>"$work/again.err"
check "a second init is refused" test $? -eq 1

SIGNET_PORT=$port "$bin/signet" server --data "$data" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -sf "$url/health" >/dev/null && break; sleep 0.2; done
check "the server answers /health" curl -sf -o /dev/null "$url/health"

openapi_valid() {
  curl -sf -o "$work/openapi.json" "$url/openapi.json" && "$python" -m openapi_spec_validator "$work/openapi.json" >"$work/openapi.log" 2>&1 \
    || { cat "$work/openapi.log"; return 1; }
}
check "the OpenAPI 3.1 document passes openapi-spec-validator" openapi_valid
python_tuf_refresh() {
  "$python" "$here/python_tuf_client.py" "$url/repository/metadata/" "$url/repository/targets/" \
    "$data/repository/metadata/1.root.json" "$work/python-tuf" >"$work/python-tuf.log" 2>&1 || { cat "$work/python-tuf.log"; return 1; }
}
check "python-tuf refreshes from the repository the server serves" python_tuf_refresh

login() { curl -s -o "$work/login.json" -w '%{http_code}' -c "$work/cookies" -H 'Content-Type: application/json' \
  -d "{\"name\": \"$1\", \"password\": \"$2\"}" "$url/api/v1/session"; }
check "no default credentials (admin/admin)" test "$(login admin admin)" = 401
check "a wrong password is refused" test "$(login ana wrong-password)" = 401
check "the one-time password signs in" test "$(login ana "$password")" = 200
csrf=$(jq -r .csrf_token "$work/login.json")
api() { curl -s -o "$work/api.json" -w '%{http_code}' -b "$work/cookies" -H 'Content-Type: application/json' "$@"; }
check "nothing else until the password is changed" test "$(api "$url/api/v1/accounts")" = 403
check "a change without the CSRF token is refused" \
  test "$(api -d "{\"current\": \"$password\", \"new\": \"a long new passphrase\"}" "$url/api/v1/me/password")" = 403
check "the password changes with the CSRF token" \
  test "$(api -H "X-CSRF-Token: $csrf" -d "{\"current\": \"$password\", \"new\": \"a long new passphrase\"}" "$url/api/v1/me/password")" = 200
check "then accounts can be listed" test "$(api "$url/api/v1/accounts")" = 200
check "the audit trail has the sign-ins and the change" \
  test "$(api "$url/api/v1/audit")" = 200 -a "$(jq '[.events[].action] | index("password.change") != null' "$work/api.json")" = true
# Content, as an editor would: a screen, the flag image, the example programme, a preview.
example="$here/../Examples/state-visit"
check "a screen is registered" test "$(api -H "X-CSRF-Token: $csrf" -d '{"id": "astana-1", "name": "Astana 1", "width": 960, "height": 480, "time_zone": "Asia/Almaty", "groups": ["astana"]}' "$url/api/v1/screens")" = 201
check "an image is uploaded" test "$(curl -s -o "$work/asset.json" -w '%{http_code}' -b "$work/cookies" -H "X-CSRF-Token: $csrf" \
  --data-binary @"$example/kazakhstan.png" "$url/api/v1/assets?name=kazakhstan.png")" = 201
check "the upload is stored under its sha256" test "$(jq -r .sha256 "$work/asset.json")" = "$(sha256sum "$example/kazakhstan.png" | cut -c1-64)"
python3 - "$example/programme.json" "$work/programme.json" <<'PY'
import json, sys
document = json.load(open(sys.argv[1]))
document["screens"] = {"astana-1": document["screens"]["astana-1"]}
document["schedule"][0]["groups"] = ["astana"]
json.dump(document, open(sys.argv[2], "w"))
PY
check "the programme is saved" test "$(api -X PUT -H "X-CSRF-Token: $csrf" --data-binary @"$work/programme.json" "$url/api/v1/programme")" = 201
preview_during_visit() {
  test "$(curl -s -o "$work/preview.png" -D "$work/preview.headers" -w '%{http_code}' -b "$work/cookies" \
    "$url/api/v1/screens/astana-1/preview?at=2024-11-27T12:00")" = 200 && grep -qi '^x-signet-slide: welcome' "$work/preview.headers"
}
check "a preview during the visit shows the welcome slide" preview_during_visit
check "the preview is a 960x480 PNG" python3 -c "import struct,sys; d=open('$work/preview.png','rb').read(); sys.exit(0 if d[:4]==b'\x89PNG' and struct.unpack('>II', d[16:24])==(960,480) else 1)"
# A release: proposed by the admin, checked and signed by two approvers with `signet approve` on
# "their own machines" (the trial keys in offline/), published at the threshold.
approver_token() {  # approver_token NAME: creates an approver account and prints an API token
  local name=$1 jar="$work/$1.cookies" one new="approver passphrase for $1"
  one=$(curl -s -b "$work/cookies" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
    -d "{\"name\": \"$name\", \"role\": \"approver\"}" "$url/api/v1/accounts" | jq -r .one_time_password)
  local their_csrf
  their_csrf=$(curl -s -c "$jar" -H 'Content-Type: application/json' -d "{\"name\": \"$name\", \"password\": \"$one\"}" \
    "$url/api/v1/session" | jq -r .csrf_token)
  curl -s -o /dev/null -b "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $their_csrf" \
    -d "{\"current\": \"$one\", \"new\": \"$new\"}" "$url/api/v1/me/password"
  curl -s -b "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $their_csrf" -d '{"label": "approve"}' \
    "$url/api/v1/me/tokens" | jq -r .token
}
token1=$(approver_token abai)
token2=$(approver_token bota)
check "two approver accounts have API tokens" test ${#token1} -gt 20 -a ${#token2} -gt 20
# The transparency log's checkpoint now; Go's tlog checks at the end that the log only grew from it.
check "the log's checkpoint is served to anyone" curl -sf -o "$work/checkpoint.old" "$url/log/checkpoint"
check "its origin is the one server init was given" test "$(head -n 1 "$work/checkpoint.old")" = signage.example.test/log
proposal=$(curl -s -b "$work/cookies" -H "X-CSRF-Token: $csrf" -X POST "$url/api/v1/releases" | jq -r .id)
check "the admin proposes release $proposal" test "$proposal" -ge 1
approve() {  # approve KEY TOKEN
  "$bin/signet" approve "$proposal" --server "$url" --key "$1" --token "$2" --yes --at 2024-11-27T12:00 \
    --root "$data/repository/metadata/1.root.json" --witness "$work/witness-${1##*/}" --previews "$work/previews" >"$work/approve.out" 2>&1
}
custodian_refused() { ! approve "$data/offline/custodian-1.key" "$token1"; }
first_signs() { approve "$data/offline/approver-1.key" "$token1" && grep -q '1 of 2 signatures$' "$work/approve.out"; }
checked_locally() { grep -q 'verified programme.json' "$work/approve.out" && grep -q 'astana-1: slide welcome' "$work/approve.out" \
  && test -s "$work/previews/astana-1.png"; }
second_publishes() { approve "$data/offline/approver-2.key" "$token2" && grep -q '2 of 2 signatures; published' "$work/approve.out"; }
check "a custodian's key cannot approve" custodian_refused
check "the first approver checks and signs (1 of 2)" first_signs
check "  it re-hashed every file and rendered the welcome slide itself" checked_locally
check "the second approver's signature publishes the release" second_publishes
python_tuf_programme() {
  "$python" "$here/python_tuf_client.py" "$url/repository/metadata/" "$url/repository/targets/" \
    "$data/repository/metadata/1.root.json" "$work/python-tuf-2" programme.json >"$work/python-tuf-2.log" 2>&1 || { cat "$work/python-tuf-2.log"; return 1; }
  grep -q "^programme.json .* $(curl -s -b "$work/cookies" "$url/api/v1/programmes/1" | sha256sum | cut -c1-64)$" "$work/python-tuf-2.log"
}
check "python-tuf downloads the approved programme, byte for byte" python_tuf_programme
third_refused() { ! approve "$data/offline/approver-3.key" "$token1" && grep -q 'published' "$work/approve.out"; }
check "a third signature on the published proposal is refused" third_refused
# A second release changes the welcome text: the approver sees which screen changes, when, and
# both sides rendered at the first change.
python3 - "$work/programme.json" "$work/programme-2.json" <<'PY'
import json, sys
document = json.load(open(sys.argv[1]))
document["slides"]["welcome"]["elements"][2]["text"] = "Қош келдіңіздер!"
json.dump(document, open(sys.argv[2], "w"))
PY
check "an edited programme is saved (v2)" test "$(api -X PUT -H "X-CSRF-Token: $csrf" --data-binary @"$work/programme-2.json" "$url/api/v1/programme")" = 201
proposal=$(curl -s -b "$work/cookies" -H "X-CSRF-Token: $csrf" -X POST "$url/api/v1/releases" | jq -r .id)
server_diff() {
  curl -s -b "$work/cookies" -o "$work/proposal-2.json" "$url/api/v1/releases/$proposal?from=2024-11-26T00:00Z"
  jq -e '.programme_changes == {"slides": {"added": [], "removed": [], "changed": ["welcome"]}}
    and (.screens.changes[0] | .screen == "astana-1" and .spans[0].after == ["welcome (edited)"] and .spans[0].start_local == "2024-11-27 06:00:00 +05:00"
         and (.preview_before | endswith("programme=1")) and (.preview_after | endswith("programme=2")))' "$work/proposal-2.json" >/dev/null \
    || { jq . "$work/proposal-2.json"; return 1; }
}
check "the server's diff names astana-1 and the edited welcome slide" server_diff
approve_shows_diff() {
  approve "$data/offline/approver-1.key" "$token1" || { cat "$work/approve.out"; return 1; }
  grep -q 'slides: changed welcome' "$work/approve.out" && grep -q 'astana-1: changed; shows something else for' "$work/approve.out" \
    && grep -q '2024-11-27 12:00:00 +05:00 to .*: welcome (edited) instead of welcome' "$work/approve.out" \
    && test -s "$work/previews/astana-1-before.png" -a -s "$work/previews/astana-1-after.png" \
    && ! cmp -s "$work/previews/astana-1-before.png" "$work/previews/astana-1-after.png"
}
check "signet approve works out the same change itself and renders before and after" approve_shows_diff
check "the second approver publishes release 2" second_publishes
# A screen group with approvers of its own: the network's approvers delegate it, then its own
# keys (2 of 2) release it, and python-tuf follows the delegation to the group's programme.
"$bin/signet" keys new --out "$work/astana-1.key" >"$work/astana-1.pub" 2>/dev/null
"$bin/signet" keys new --out "$work/astana-2.key" >"$work/astana-2.pub" 2>/dev/null
group_registered() {
  test "$(api -X PUT -H "X-CSRF-Token: $csrf" -d "{\"keys\": [$(cat "$work/astana-1.pub"), $(cat "$work/astana-2.pub")], \"threshold\": 2}" \
    "$url/api/v1/groups/astana/approvers")" = 200
}
check "an admin registers group astana's own approvers (2 of 2)" group_registered
proposal=$(curl -s -b "$work/cookies" -H "X-CSRF-Token: $csrf" -X POST "$url/api/v1/releases" | jq -r .id)
delegates() {
  approve "$data/offline/approver-1.key" "$token1" && grep -q 'delegates group-astana (groups/astana/programme.json, groups/astana/assets/\*) to 2 of' "$work/approve.out" \
    && approve "$data/offline/approver-2.key" "$token2" && grep -q 'published' "$work/approve.out"
}
check "the network's approvers sign a release that delegates astana" delegates
proposal=$(curl -s -b "$work/cookies" -H "X-CSRF-Token: $csrf" -d '{"group": "astana"}' -H 'Content-Type: application/json' "$url/api/v1/releases" | jq -r .id)
network_key_refused() { ! approve "$data/offline/approver-1.key" "$token1" && grep -q 'not one of the approver keys of group-astana' "$work/approve.out"; }
check "a network approver's key cannot sign the group's release" network_key_refused
group_publishes() {
  approve "$work/astana-1.key" "$token1" && grep -q '1 of 2 signatures$' "$work/approve.out" \
    && approve "$work/astana-2.key" "$token2" && grep -q '2 of 2 signatures; published' "$work/approve.out"
}
check "the group's own approvers sign its release (2 of 2)" group_publishes
python_tuf_group() {
  "$python" "$here/python_tuf_client.py" "$url/repository/metadata/" "$url/repository/targets/" \
    "$data/repository/metadata/1.root.json" "$work/python-tuf-3" groups/astana/programme.json >"$work/python-tuf-3.log" 2>&1 \
    || { cat "$work/python-tuf-3.log"; return 1; }
  grep -q "^groups/astana/programme.json .* $(curl -s -b "$work/cookies" "$url/api/v1/releases/$proposal/programme" | sha256sum | cut -c1-64)$" \
    "$work/python-tuf-3.log"
}
check "python-tuf follows the delegation and downloads the group's programme, byte for byte" python_tuf_group
check "the password is not in the server's log" bash -c "! grep -q -- '$password' '$work/server.log'"
metrics_parse() {
  curl -sf -H "Authorization: Bearer $token1" -o "$work/metrics.txt" "$url/metrics" || return 1
  "$python" - "$work/metrics.txt" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
           for family in text_string_to_metric_families(open(sys.argv[1]).read()) for s in family.samples}
assert samples[("signet_tuf_metadata_version", (("role", "targets"),))] == 4, "targets v4 after three network releases"
assert samples[("signet_audit_events_total", (("action", "release.publish"),))] == 4, "four publications (one of them the group's)"
assert samples[("signet_release_proposals", (("state", "published"),))] == 4
assert any(name == "signet_http_request_duration_seconds_bucket" for name, _ in samples)
PY
}
check "/metrics parses with python prometheus_client: targets v4, four publications" metrics_parse
check "/metrics needs an account" test "$(curl -s -o /dev/null -w '%{http_code}' "$url/metrics")" = 401
json_logs() {
  python3 - "$work/server.log" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
assert all({"time", "level", "logger", "message"} <= e.keys() for e in events), "every line has time, level, logger, message"
assert any(e.get("action") == "release.publish" and e.get("address") for e in events), "the publication is logged with its address"
PY
}
check "the server logs JSON lines, the publication among them" json_logs
# Fleet commands: a device written in Python (from the protocol description) enrolls, verifies
# each command (the batch signed by the root's commands key, its inclusion proof) and acknowledges it; `signet blank` and
# `signet restore` wait for the acknowledgement.
operator_token=$(curl -s -b "$work/cookies" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" -d '{"label": "operator"}' \
  "$url/api/v1/me/tokens" | jq -r .token)
enrollment=$(curl -s -b "$work/cookies" -H "X-CSRF-Token: $csrf" -X POST "$url/api/v1/screens/astana-1/enrollment" | jq -r .token)
"$python" "$here/python_device.py" "$url" astana-1 "$enrollment" "$data/repository/metadata/1.root.json" 20 >"$work/device.log" 2>&1 &
device=$!
for _ in $(seq 1 50); do grep -q enrolled "$work/device.log" 2>/dev/null && break; sleep 0.1; done
fleet() {  # fleet ACTION
  "$bin/signet" "$1" --screen astana-1 --server "$url" --token "$operator_token" --wait 10 >"$work/fleet.out" 2>&1 \
    && grep -q "$1: 1 of 1 screens acknowledged" "$work/fleet.out" || { cat "$work/fleet.out" "$work/device.log"; return 1; }
}
check "signet blank --screen astana-1: the Python device verifies the signed command and acknowledges it" fleet blank
check "signet restore: the next sequence number, verified and acknowledged" fleet restore
check "  the device saw blank #1 then restore #2" bash -c "grep -q 'blank #1 verified' '$work/device.log' && grep -q 'restore #2 verified' '$work/device.log'"
# A fan-out to six screens is one signature over a Merkle tree of six commands: the device checks
# its command's inclusion proof (leaf 2 of 6: two sibling hashes and one subtree).
fan_out() {
  for n in 2 3 4 5 6; do
    api -H "X-CSRF-Token: $csrf" -d "{\"id\": \"astana-$n\", \"name\": \"Astana $n\", \"width\": 96, \"height\": 48, \"time_zone\": \"Asia/Almaty\"}" \
      "$url/api/v1/screens" >/dev/null
  done
  curl -s -H "Authorization: Bearer $operator_token" -H 'Content-Type: application/json' \
    -d '{"action": "safe", "screens": ["astana-2", "astana-3", "astana-1", "astana-4", "astana-5", "astana-6"]}' "$url/api/v1/commands" >/dev/null
  for _ in $(seq 1 50); do grep -q 'safe #3 verified (leaf 2 of 6)' "$work/device.log" && return 0; sleep 0.1; done
  cat "$work/device.log"; return 1
}
check "  a command to six screens: the device verifies its inclusion proof in the signed batch" fan_out
kill "$device" 2>/dev/null; wait "$device" 2>/dev/null
# Everything above went into the transparency log. Go's own code (golang.org/x/mod/sumdb/note and
# tlog) checks it: the checkpoint's signature by the key the root names, the tree from tiles it
# authenticates, inclusion proofs, consistency with the checkpoint taken earlier, a tampered tile.
go_verifies_log() {
  # Enough entries for more than one tile level: 300 screens registered, an entry each.
  for n in $(seq 1 300); do
    curl -s -o /dev/null -H "Authorization: Bearer $operator_token" -H 'Content-Type: application/json' \
      -d "{\"id\": \"log-$n\", \"name\": \"L$n\", \"width\": 96, \"height\": 48, \"time_zone\": \"Asia/Almaty\"}" "$url/api/v1/screens"
  done
  GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$work/gocache" go build -o "$work/log-verify" "$here/log-verify/main.go" || return 1
  vkey=$(jq -r '.signed["x-signet"].log.vkey' "$data/repository/metadata/1.root.json")
  "$work/log-verify" -server "$url" -token "$token1" -vkey "$vkey" -old "$work/checkpoint.old" >"$work/log-verify.out" 2>&1
  local code=$?
  sed 's/^/    /' "$work/log-verify.out"
  return $code
}
check "Go's sumdb note and tlog verify the server's transparency log" go_verifies_log
entries_need_sign_in() { test "$(curl -s -o /dev/null -w '%{http_code}' "$url/log/tile/entries/000.p/1")" = 401; }
check "the log's entries are for signed-in readers only" entries_need_sign_in
# An attacker with the whole server: the admin account proposes the Ukrainian flag, the database
# gets forged approvals, and the online keys sign new targets, snapshot and timestamp. Neither
# python-tuf nor Signet's client accepts it, whether it trusted the last release or starts fresh.
python3 - "$work/ukraine.png" <<'PY'
import struct, sys, zlib
width, height = 60, 40
rows = b"".join(b"\0" + (b"\x00\x57\xb7" if y < height // 2 else b"\xff\xd7\x00") * width for y in range(height))
chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
PY
check "the attacker's admin account uploads the Ukrainian flag" test "$(curl -s -o /dev/null -w '%{http_code}' -b "$work/cookies" -H "X-CSRF-Token: $csrf" \
  --data-binary @"$work/ukraine.png" "$url/api/v1/assets?name=flag.png")" = 201
forged_proposal=$(curl -s -b "$work/cookies" -H "X-CSRF-Token: $csrf" -X POST "$url/api/v1/releases" | jq -r .id)
ukraine_sha=$(sha256sum "$work/ukraine.png" | cut -c1-64)
sqlite3_forge() {
  python3 - "$data/signet.sqlite" "$forged_proposal" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (keyid,) in [("forged-1",), ("forged-2",)]:
    db.execute("INSERT INTO release_signature (proposal_id, key_id, sig, account, at_ms) VALUES (?, ?, ?, 'admin', 0)", (int(sys.argv[2]), keyid, "00" * 64))
db.execute("UPDATE release_proposal SET state = 'published' WHERE id = ?", (int(sys.argv[2]),))
db.commit()
PY
}
check "the attacker writes approvals into the database" sqlite3_forge
forge() { "$python" "$here/forge_with_online_keys.py" "$data" "$work/ukraine.png" >"$work/forge.log" 2>&1 || { cat "$work/forge.log"; return 1; }; }
check "the attacker signs targets, snapshot and timestamp with the server's online keys" forge
python_tuf_refuses() {  # python_tuf_refuses WORKDIR
  ! "$python" "$here/python_tuf_client.py" "$url/repository/metadata/" "$url/repository/targets/" \
    "$data/repository/metadata/1.root.json" "$1" "assets/$ukraine_sha" >"$work/refused.log" 2>&1 \
    && grep -q 'targets' "$work/refused.log" || { cat "$work/refused.log"; return 1; }
}
check "python-tuf that trusted the last release refuses the forged targets" python_tuf_refuses "$work/python-tuf-3"
check "python-tuf starting from root v1 refuses it too" python_tuf_refuses "$work/python-tuf-fresh"
signet_refuses() {
  "$bin/signet-tuf-client" --metadata-dir "$work/signet-client" init "$data/repository/metadata/1.root.json" >/dev/null 2>&1 || return 1
  ! "$bin/signet-tuf-client" --metadata-dir "$work/signet-client" --metadata-url "$url/repository/metadata" refresh >"$work/signet-refused.log" 2>&1 \
    && grep -q 'targets' "$work/signet-refused.log" || { cat "$work/signet-refused.log"; return 1; }
}
check "Signet's TUF client refuses it" signet_refuses
kill -TERM "$server"
for _ in $(seq 1 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
wait "$server"
code=$?
server=""
check "SIGTERM stops the server cleanly (exit 0)" test $code -eq 0
summary "server cli"
