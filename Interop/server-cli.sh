#!/usr/bin/env bash
# signet server from the command line: init creates a private data folder and an admin whose
# one-time password is printed once, and a TUF repository whose root names custodians and
# approvers (generated for this trial into offline/); python-tuf refreshes from the repository the
# server serves; the server has no default credentials, refuses everything until the one-time
# password is changed, checks CSRF on a browser session, and stops cleanly on SIGTERM.
# Usage: Interop/server-cli.sh BUILD_DIR PYTHON   (PYTHON has python-tuf)
set -uo pipefail
bin=$1
python=$2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/checks.sh"
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
data="$work/data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"

"$bin/signet" server init --data "$data" --admin ana >"$work/init.out" 2>"$work/init.err"
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
check "the password is not in the server's log" bash -c "! grep -q -- '$password' '$work/server.log'"
kill -TERM "$server"
for _ in $(seq 1 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
wait "$server"
code=$?
server=""
check "SIGTERM stops the server cleanly (exit 0)" test $code -eq 0
summary "server cli"
