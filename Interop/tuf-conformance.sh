#!/usr/bin/env bash
# Runs the public tuf-conformance suite (theupdateframework/tuf-conformance) against a client.
# usage: tuf-conformance.sh CLIENT_EXECUTABLE
#
# The suite is not published on a package registry that this project's machines reach, and its
# code is not ours to commit, so it is read from a local copy: $TUF_CONFORMANCE_DIR (a checkout),
# or $TUF_CONFORMANCE_GIT (a git directory; default: the snapshot that the search tool's `fetch`
# leaves in /work/.mirror). No expected failures are listed: there is no CLIENT.xfails file.
set -euo pipefail
client=$1
here=$(cd "$(dirname "$0")/.." && pwd)
git_dir=${TUF_CONFORMANCE_GIT:-/work/.mirror/theupdateframework+tuf-conformance/repo}
suite=${TUF_CONFORMANCE_DIR:-}
if [ -z "$suite" ]; then
  if [ ! -d "$git_dir" ]; then
    echo "tuf-conformance: NOT RUN: no copy of the suite on this machine (set TUF_CONFORMANCE_DIR or TUF_CONFORMANCE_GIT)"
    exit 0
  fi
  suite="$here/.build/tuf-conformance"
  rm -rf "$suite"; mkdir -p "$suite"
  git --git-dir="$git_dir" --work-tree="$suite" checkout -f HEAD -- .
  echo "suite at commit $(git --git-dir="$git_dir" rev-parse --short HEAD)"
fi
test ! -e "$client.xfails" || { echo "refusing to run with an expected-failures list: $client.xfails"; exit 1; }
venv="$here/.venv-conformance"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -e "$suite"
cd "$suite"
PATH="$venv/bin:$PATH" "$venv/bin/pytest" -q -p no:cacheprovider tuf_conformance --entrypoint "$client"
