# Sourced by the compare_*.sh scripts.
#
# measure LABEL COMMAND...: runs COMMAND $RUNS times and prints its wall time, peak memory
# (RSS) and what `summary` (a function the caller may redefine; it reads the command's
# stdout) makes of its output. Exit code 1 is a result (drift found, change points), not a
# failure.
summary() { :; }
measure() {
  local label=$1; shift
  for i in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o /tmp/seismo-bench-time "$@" > /tmp/seismo-bench-out || [ $? -eq 1 ]
    # GNU time writes "Command exited with non-zero status 1" first when the exit is 1.
    read -r secs kb < <(tail -n 1 /tmp/seismo-bench-time)
    printf '%-12s run %d: %7.2f s  %8.1f MB peak RSS   %s\n' "$label" "$i" "$secs" \
      "$(echo "$kb / 1024" | bc -l)" "$(summary < /tmp/seismo-bench-out)"
  done
}
