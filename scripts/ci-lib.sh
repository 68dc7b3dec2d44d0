# Shared by .ci/run and scripts/node-matrix.sh (source it). Every stage of a CI run appends one line to
# $WEFT_CI_RESULTS: stage <TAB> passed <TAB> failed <TAB> seconds <TAB> note; .ci/run sums them.

# Prints "<pass> <fail>" from a node --test log: the last summary lines, in either reporter's form
# ("# pass 12" from tap, "ℹ pass 12" from spec). Cancelled tests count as failed.
ci_counts() {
  local log="$1" pass fail cancelled
  pass=$(grep -aE '^(# |ℹ )pass [0-9]+$' "$log" | tail -n1 | grep -oE '[0-9]+$' || true)
  fail=$(grep -aE '^(# |ℹ )fail [0-9]+$' "$log" | tail -n1 | grep -oE '[0-9]+$' || true)
  cancelled=$(grep -aE '^(# |ℹ )cancelled [0-9]+$' "$log" | tail -n1 | grep -oE '[0-9]+$' || true)
  echo "${pass:-0} $(( ${fail:-0} + ${cancelled:-0} ))"
}

# ci_record <stage> <passed> <failed> <seconds> [note]
ci_record() {
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:--}" "${5:-}" >> "${WEFT_CI_RESULTS:-/dev/null}"
}

# ci_suite <stage> <log> <command...>: runs a test command with its output shown and kept in <log>,
# then records its counts. A command that fails with no failing test counted (a build error, a
# crash, a timeout) counts as one failure. Returns the command's status.
ci_suite() {
  local stage="$1" log="$2" start rc counts pass fail note=""
  shift 2
  start=$SECONDS
  rc=0
  "$@" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
  read -r pass fail < <(ci_counts "$log")
  if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; note="exited $rc with no failing test counted"; fi
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then note="timed out"; fi
  if [ "$fail" -gt 0 ]; then
    local names
    names=$(ci_failed_names "$log" | head -n 8 | paste -sd ';' | cut -c1-400)
    [ -z "$names" ] || note="${note:+$note; }failed: $names"
    ci_failure_excerpt "$stage" "$log" >> "${WEFT_CI_FAILURES:-/dev/null}"
  fi
  echo "ci: $stage: $pass passed, $fail failed in $((SECONDS - start)) s${note:+ ($note)}"
  ci_record "$stage" "$pass" "$fail" "$((SECONDS - start))" "$note"
  return "$rc"
}

# The names of the failed tests in a node --test log, innermost first, once each: "not ok N - name"
# (tap, Node 20's reporter when piped) or "✖ name (12ms)" (spec, Node 22 and later).
ci_failed_names() {
  grep -aE '^\s*not ok [0-9]+ - |^\s*✖ .+ \([0-9.]+m?s\)$' "$1" |
    sed -E 's/^\s*not ok [0-9]+ - //; s/^\s*✖ //; s/ \([0-9.]+m?s\)$//; s/ # .*$//' |
    awk '!seen[$0]++'
}

# The first failed tests of a log with the lines that follow them (the error and its place), so that
# the end of a CI run's output says what failed, however long the run was.
ci_failure_excerpt() {
  local stage="$1" log="$2"
  echo "--- $stage: failed tests"
  grep -anE -A 14 '^\s*not ok [0-9]+ - |^\s*✖ .+ \([0-9.]+m?s\)$' "$log" | head -n 60
}
