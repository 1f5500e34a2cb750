#!/usr/bin/env bash
# Two Rasa servers and two action servers behind one address, sharing Redis and the
# database: what several machines would run, on one. Called by `make run-replicas`.
#
#   :8080  balancer -> Rasa :5005, Rasa :5015   (WhatsApp webhook, REST, HTTP API)
#   :5054  balancer -> actions :5055, actions :5065   (both Rasa servers call this)
#   :5056  agent console (talks to Rasa through :8080)
#
# scripts/demo_balancer.py stands in for a real load balancer; deploy/nginx.conf is the same
# layout for nginx. Ctrl-C (or SIGTERM) stops everything; each Rasa server first lets
# its turns under way finish.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
FRONT_PORT="${FRONT_PORT:-8080}"
ACTIONS_FRONT_PORT="${ACTIONS_FRONT_PORT:-5054}"
# Both Rasa servers call the actions' balancer; the console reaches Rasa through the front.
export ACTION_ENDPOINT_URL="http://127.0.0.1:$ACTIONS_FRONT_PORT/webhook"
export RASA_URL="http://127.0.0.1:$FRONT_PORT"
eval "$($PY scripts/env.py)"
export RASA_TELEMETRY_ENABLED=false

source scripts/supervise.sh  # pids=(), stopped together on exit

for port in 5055 5065; do
  $PY -m appointments.launch.action_server --actions actions --port "$port" &
  pids+=($!)
done
$PY scripts/demo_balancer.py --port "$ACTIONS_FRONT_PORT" http://127.0.0.1:5055 http://127.0.0.1:5065 &
pids+=($!)

for port in 5005 5015; do
  $PY -m appointments.launch.rasa_server --model models --endpoints endpoints.yml \
    --credentials credentials.yml --port "$port" &
  pids+=($!)
done
$PY scripts/demo_balancer.py --port "$FRONT_PORT" http://127.0.0.1:5005 http://127.0.0.1:5015 &
pids+=($!)

echo "Assistant on http://127.0.0.1:$FRONT_PORT (two Rasa replicas, two action servers)"
$PY -m appointments.console &
pids+=($!)

# Retention (RETENTION_DAYS): purges old messages, closed cases and past appointments
# at start and every hour; and the appointment reminders every REMINDER_POLL_SECONDS
# (with Twilio credentials). One is enough for any number of replicas; more are safe.
$PY -m appointments.worker &
pids+=($!)
wait -n "${pids[@]}"
