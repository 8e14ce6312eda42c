# Shared by the Interop scripts: named checks, counted, with a summary line.
#   source "$(dirname "$0")/checks.sh"; check "what" command args...; summary "name"
passed=0
failed=0
check() {  # check NAME COMMAND...
  if "${@:2}"; then echo "  ok    $1"; passed=$((passed + 1)); else echo "  FAIL  $1"; failed=$((failed + 1)); fi
}
summary() {  # summary NAME: prints the counts; the exit status says whether all passed
  echo "$1: $passed passed, $failed failed"
  test "$failed" -eq 0
}
