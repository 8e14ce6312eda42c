#!/usr/bin/env bash
# TUF interoperability with python-tuf, the reference implementation, in both directions:
#   1. python-tuf's ngclient refreshes and downloads from a repository written by `signet repo`
#   2. signet-tuf-client refreshes and downloads from a repository written by python-tuf
# Both repositories have a delegated role and a root rotation. Each direction also proves that a
# tampered target is refused. usage: tuf-interop.sh BIN_DIR PYTHON
set -euo pipefail
bin=$(cd "$1" && pwd); python="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d); trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
server=""
passed=0; failed=0
check() { if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $*"; fi; }
serve() {  # serve folder $1 on a free loopback port; sets $port
  port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$python" -m http.server "$port" --bind 127.0.0.1 --directory "$1" >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 50); do "$python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && return; sleep 0.1; done
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
version_of() { "$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["signed"]["version"])' "$1"; }

echo "== 1. python-tuf reads a repository that Signet wrote"
cd "$work"; mkdir keys content content/astana city
for k in root1 root2 root3 app1 app2 app3 snapshot timestamp city; do
  "$bin/signet" keys new --out "keys/$k.key" > "keys/$k.pub.json" 2>/dev/null
done
printf 'programme v1' > content/programme.json
printf 'welcome slide' > content/astana/welcome.png
printf '\x89PNG russia and kazakhstan flags' > city/visit.png
S="$bin/signet"; R=signet-repo
$S repo init $R --root-key keys/root1.key --root-key keys/root2.key --root-key keys/root3.pub.json --root-threshold 2 \
  --targets-key keys/app1.pub.json --targets-key keys/app2.pub.json --targets-key keys/app3.pub.json --targets-threshold 2 \
  --snapshot-key keys/snapshot.pub.json --timestamp-key keys/timestamp.pub.json --sign-key keys/app1.key --sign-key keys/app2.key
$S repo publish $R --snapshot-key keys/snapshot.key --timestamp-key keys/timestamp.key
$S repo add-targets $R content --sign-key keys/app1.key --sign-key keys/app3.key
$S repo delegate $R --to city-astana --key keys/city.pub.json --path 'astana/visit*' --terminating \
  --role-sign-key keys/city.key --sign-key keys/app2.key --sign-key keys/app3.key
$S repo publish $R --snapshot-key keys/snapshot.key --timestamp-key keys/timestamp.key
$S repo add-targets $R city --role city-astana --prefix astana/ --sign-key keys/city.key
old_root3=$($S keys public keys/root3.pub.json 2>&1 >/dev/null | awk '{print $3}')
$S repo rotate-root $R --add-key root=keys/app1.pub.json --remove-key root=$old_root3 \
  --sign-key keys/root1.key --sign-key keys/root2.key --sign-key keys/app1.key
$S repo publish $R --snapshot-key keys/snapshot.key --timestamp-key keys/timestamp.key
$S repo status $R
serve "$work/$R"
base="http://127.0.0.1:$port"
out=$("$python" "$here/python_tuf_client.py" "$base/metadata/" "$base/targets/" $R/metadata/1.root.json py1 \
      programme.json astana/welcome.png astana/visit.png)
echo "$out"
check grep -q "programme.json 12 $(sha content/programme.json)" <<<"$out"
check grep -q "astana/welcome.png 13 $(sha content/astana/welcome.png)" <<<"$out"
check grep -q "astana/visit.png .* $(sha city/visit.png)" <<<"$out"
check grep -qE '"_type": ?"root"' py1/metadata/root.json
check test "$(version_of py1/metadata/root.json)" = 2
# A target whose bytes changed on the server is refused.
flip() { "$python" -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[-1]^=1; open(p,"wb").write(b)' "$1"; }
# Same length, different bytes: only the hash can tell.
for f in $(find $R/targets/astana -name '*visit.png'); do flip "$f"; done
if "$python" "$here/python_tuf_client.py" "$base/metadata/" "$base/targets/" $R/metadata/1.root.json py2 astana/visit.png 2>py2.err; then
  check false
else
  echo "python-tuf refused the tampered target: $(cat py2.err)"; check true
fi
kill $server; wait $server 2>/dev/null || true

echo "== 2. Signet reads a repository that python-tuf wrote"
"$python" "$here/python_tuf_repo.py" py-repo > py-repo.targets
serve "$work/py-repo"
base="http://127.0.0.1:$port"
C="$bin/signet-tuf-client"
$C --metadata-dir sc/md init py-repo/metadata/1.root.json
$C --metadata-url "$base/metadata/" --metadata-dir sc/md refresh
$C --metadata-url "$base/metadata/" --metadata-dir sc/md --target-name programme.json --target-name astana/flags.png \
   --target-dir sc/t --target-base-url "$base/targets/" download
check test "$(sha sc/t/programme.json)" = "$(awk '$1=="programme.json"{print $2}' py-repo.targets)"
check test "$(sha sc/t/astana%2Fflags.png)" = "$(awk '$1=="astana/flags.png"{print $2}' py-repo.targets)"
check test "$(version_of sc/md/root.json)" = 2
check test -f sc/md/city-astana.json
for f in py-repo/targets/astana/*flags.png; do flip "$f"; done
rm -rf sc/t
if $C --metadata-url "$base/metadata/" --metadata-dir sc/md --target-name astana/flags.png \
     --target-dir sc/t --target-base-url "$base/targets/" download 2>sc.err; then
  check false
else
  echo "signet-tuf-client refused the tampered target: $(cat sc.err)"; check true
fi
echo "tuf interop: $passed passed, $failed failed"
test "$failed" = 0
