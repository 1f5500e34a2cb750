#!/usr/bin/env bash
# Start the action server, the Rasa server and the agent console; Ctrl-C (or SIGTERM)
# stops them all.
# Called by `make run` after install, Redis and training. `scripts/run.sh shell` gives a
# terminal chat instead of the HTTP server.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
eval "$($PY scripts/env.py)"
export RASA_TELEMETRY_ENABLED=false
ACTION_PORT="${ACTION_PORT:-5055}"
RASA_PORT="${RASA_PORT:-5005}"

source scripts/supervise.sh  # pids=(), stopped together on exit

.venv/bin/rasa run actions --actions actions --port "$ACTION_PORT" &
pids+=($!)

if [ "${1:-}" = "shell" ]; then
  .venv/bin/rasa shell --model models --endpoints endpoints.yml
  exit 0
fi

echo "Rasa HTTP API on http://127.0.0.1:$RASA_PORT (token in RASA_API_TOKEN or var/rasa-api-token)"
.venv/bin/rasa run --model models --endpoints endpoints.yml --credentials credentials.yml \
  --port "$RASA_PORT" --enable-api --auth-token "$RASA_API_TOKEN" --cors "*" &
pids+=($!)

echo "Agent console on http://127.0.0.1:${AGENT_CONSOLE_PORT:-5056}/agent/" \
  "(password: AGENT_CONSOLE_TOKEN or var/agent-console-token)"
$PY -m appointments.console &
pids+=($!)
wait -n "${pids[@]}"
