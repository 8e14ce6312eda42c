#!/usr/bin/env bash
# Every kind of bad metadata or target makes signet-tuf-client exit with status 1, print one line
# saying why, and leave its trusted metadata exactly as it was. Each case starts from a client
# that trusts a good repository, then tampers with the repository (a file:// mirror).
# usage: bad-input.sh BIN_DIR PYTHON
set -euo pipefail
bin=$(cd "$1" && pwd); python="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
S="$bin/signet"; C="$bin/signet-tuf-client"
passed=0; failed=0

for k in root targets snapshot timestamp; do "$S" keys new --out "$k.key" > "$k.pub.json" 2>/dev/null; done
mode=$(stat -c %a root.key)
if [ "$mode" = 600 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: key file mode is $mode"; fi
mkdir content; printf 'approved programme' > content/programme.json
"$S" repo init good --root-key root.key --targets-key targets.pub.json --snapshot-key snapshot.pub.json \
  --timestamp-key timestamp.pub.json --sign-key targets.key 2>/dev/null
"$S" repo add-targets good content --sign-key targets.key 2>/dev/null
"$S" repo publish good --snapshot-key snapshot.key --timestamp-key timestamp.key >/dev/null 2>&1

flip() { "$python" -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[int(sys.argv[2])]^=1; open(p,"wb").write(b)' "$@"; }
edit_json() {  # edit_json FILE PYTHON-EXPRESSION-ON-d : rewrite a JSON file without re-signing it
  "$python" -c 'import json,sys; d=json.load(open(sys.argv[1])); exec(sys.argv[2]); json.dump(d, open(sys.argv[1],"w"))' "$@"
}

# case_ NAME PREPARE TAMPER [ROLE...]: a client trusts the good repository (plus whatever PREPARE
# publishes and the client refreshes to); TAMPER then changes the repository; the next download
# must fail. ROLEs verified before the bad file arrived and may advance, as the specification
# requires: each must then equal the repository's own copy; every other file must be unchanged.
case_() {
  local name=$1 prepare=$2 tamper=$3; shift 3
  local advancing=("$@")
  trusted_state() { (cd client && for f in *; do case " ${advancing[*]} " in *" ${f%.json} "*) ;; *) sha256sum "$f";; esac; done) | sha256sum; }
  rm -rf repo client client-targets; cp -r good repo
  "$C" --metadata-dir client init repo/metadata/1.root.json
  $prepare
  download >/dev/null 2>&1 || { failed=$((failed + 1)); echo "FAILED $name: the good repository was refused"; return; }
  rm -rf client-targets
  local before; before=$(trusted_state)
  $tamper
  set +e
  ${CLIENT_PREFIX:-} "$C" --metadata-url "file://$work/repo/metadata/" --metadata-dir client --target-name programme.json \
       --target-dir client-targets --target-base-url "file://$work/repo/targets/" download 2> err.txt
  local status=$?
  set -e
  local after; after=$(trusted_state)
  for role in "${advancing[@]}"; do
    local served=repo/metadata/$role.json
    [ "$role" = timestamp ] || served=repo/metadata/$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["signed"]["version"])' client/$role.json).$role.json
    cmp -s "client/$role.json" "$served" || after="$role.json changed to something the repository does not serve"
  done
  local lines; lines=$(wc -l < err.txt)
  if [ "$status" = 1 ] && [ "$lines" = 1 ] && [ "$before" = "$after" ]; then
    passed=$((passed + 1)); echo "ok   $name: $(cat err.txt)"
  else
    failed=$((failed + 1)); echo "FAILED $name: status $status, $lines line(s), metadata $([ "$before" = "$after" ] && echo unchanged || echo CHANGED)"; cat err.txt
  fi
}

download() {
  "$C" --metadata-url "file://$work/repo/metadata/" --metadata-dir client --target-name programme.json \
       --target-dir client-targets --target-base-url "file://$work/repo/targets/" download
}
republish() {
  "$S" repo add-targets repo "$1" --sign-key targets.key 2>/dev/null
  "$S" repo publish repo --snapshot-key snapshot.key --timestamp-key timestamp.key >/dev/null 2>&1
}
mkdir content2 content3; printf 'second programme' > content2/second.json; printf 'third' > content3/third.json

nothing() { :; }
truncated_timestamp() { printf '{"signed": ' > repo/metadata/timestamp.json; }
float_timestamp() { edit_json repo/metadata/timestamp.json 'd["signed"]["version"]=2.5'; }
unsigned_change() { edit_json repo/metadata/timestamp.json 'd["signed"]["version"]+=1'; }
duplicate_signatures() { edit_json repo/metadata/timestamp.json 'd["signatures"]*=2'; }
oversized_timestamp() { head -c 20000 /dev/zero | tr '\0' ' ' >> repo/metadata/timestamp.json; }
keep_old_timestamp() { cp repo/metadata/timestamp.json old-timestamp.json; republish content2; }
replay_old_timestamp() { cp old-timestamp.json repo/metadata/timestamp.json; }
long_snapshot() { republish content2; printf ' ' >> repo/metadata/2.snapshot.json; }
changed_targets() { republish content2; flip repo/metadata/2.targets.json 40; }
long_target() { for f in repo/targets/*programme.json; do printf 'x' >> "$f"; done; }
changed_target() { for f in repo/targets/*programme.json; do flip "$f" 0; done; }

case_ "malformed timestamp (cut short)" nothing truncated_timestamp
case_ "timestamp with a float" nothing float_timestamp
case_ "timestamp changed without re-signing" nothing unsigned_change
case_ "duplicate signature key ids" nothing duplicate_signatures
case_ "oversized timestamp" nothing oversized_timestamp
case_ "rolled-back timestamp" keep_old_timestamp replay_old_timestamp
CLIENT_PREFIX="faketime +3days" case_ "expired timestamp" nothing nothing
case_ "snapshot of the wrong length" nothing long_snapshot timestamp
case_ "targets metadata with a changed byte" nothing changed_targets timestamp snapshot
case_ "target of the wrong length" nothing long_target
case_ "target with the wrong hash" nothing changed_target
echo "bad input: $passed passed, $failed failed"
test "$failed" = 0
