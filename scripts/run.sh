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

# Launchers read their secrets from the environment (never argv) and listen on BIND_HOST
# (127.0.0.1 unless set): see README "Seguridad".
$PY -m appointments.launch.action_server --actions actions --port "$ACTION_PORT" &
pids+=($!)

if [ "${1:-}" = "shell" ]; then
  .venv/bin/rasa shell --model models --endpoints endpoints.yml --interface 127.0.0.1
  exit 0
fi

echo "Rasa on http://${BIND_HOST:-127.0.0.1}:$RASA_PORT (HTTP API: JWT signed with RASA_API_TOKEN or var/rasa-api-token)"
$PY -m appointments.launch.rasa_server --model models --endpoints endpoints.yml \
  --credentials credentials.yml --port "$RASA_PORT" &
pids+=($!)

echo "Agent console on http://${BIND_HOST:-127.0.0.1}:${AGENT_CONSOLE_PORT:-5056}/agent/" \
  "(agent accounts: make agent-add NAME=ana; until one exists, the shared password in" \
  "AGENT_CONSOLE_TOKEN or var/agent-console-token)"
$PY -m appointments.console &
pids+=($!)

# Retention (RETENTION_DAYS): purges old messages, closed cases and past appointments
# at start and every hour; and the appointment reminders every REMINDER_POLL_SECONDS
# (with Twilio credentials). One is enough for any number of replicas; more are safe.
$PY -m appointments.worker &
pids+=($!)
wait -n "${pids[@]}"
