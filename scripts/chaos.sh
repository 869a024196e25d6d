#!/usr/bin/env bash
# The full chaos run (issue 11): two gateway server processes on Azurite (on disk) and the in-repo AMQP test broker,
# 100 EventSource-like clients over 10 channels, 10,000 events sent through Service Bus, while a seeded schedule
# SIGKILLs and restarts each instance 5 times and restarts Azurite and the broker twice each. CI runs the same test
# at a reduced size (tests/Gateway.ServiceBus.Tests/Chaos). Every size is an environment variable; e.g.
#   CHAOS_SEED=12345 bash scripts/chaos.sh          # replay a schedule
#   CHAOS_CLIENTS=50 CHAOS_EVENTS=5000 bash scripts/chaos.sh
# The timeline is written live to /tmp/chaos-<seed>-<pid>.log (tail -f it); the test prints it, the figures and the
# verdict at the end. Loopback only; the run stops itself after CHAOS_TIMEOUT_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."

export CHAOS_CLIENTS="${CHAOS_CLIENTS:-100}"
export CHAOS_EVENTS="${CHAOS_EVENTS:-10000}"
export CHAOS_CHANNELS="${CHAOS_CHANNELS:-10}"
export CHAOS_KILLS="${CHAOS_KILLS:-10}"
export CHAOS_AZURITE_RESTARTS="${CHAOS_AZURITE_RESTARTS:-2}"
export CHAOS_BROKER_RESTARTS="${CHAOS_BROKER_RESTARTS:-2}"
export CHAOS_PRODUCE_SECONDS="${CHAOS_PRODUCE_SECONDS:-120}"
export CHAOS_STREAM_SECONDS="${CHAOS_STREAM_SECONDS:-5}"
export CHAOS_TIMEOUT_SECONDS="${CHAOS_TIMEOUT_SECONDS:-900}"

if [ ! -f node_modules/azurite/dist/src/table/main.js ]; then
  echo "== npm ci (Azurite)"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "== dotnet build tests/Gateway.ServiceBus.Tests"
dotnet build tests/Gateway.ServiceBus.Tests -nologo -clp:ErrorsOnly

echo "== chaos run: $CHAOS_CLIENTS clients, $CHAOS_EVENTS events, $CHAOS_KILLS kills, $CHAOS_AZURITE_RESTARTS Azurite and $CHAOS_BROKER_RESTARTS broker restarts"
dotnet test tests/Gateway.ServiceBus.Tests --no-build -nologo --filter Category=Chaos --logger "console;verbosity=detailed" \
  --blame-hang-timeout "$((CHAOS_TIMEOUT_SECONDS + 120))s"
