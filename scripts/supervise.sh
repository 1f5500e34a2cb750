# Sourced by run.sh and run_replicas.sh: remember started processes in `pids`; on Ctrl-C,
# SIGTERM or exit, send each SIGTERM (Rasa servers then finish their turns under way)
# and wait for all of them.
pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT
