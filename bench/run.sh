#!/usr/bin/env bash
# Benchmark the hub against node-oidc-provider and glewlwyd in one run, using the peer
# harness in ../shared/bench/peers (workloads W1-W6, server pinned to one core).
#
#   bash bench/run.sh                      # node-oidc, glewlwyd and the hub, 3 rounds
#   ROUNDS=1 bash bench/run.sh project     # the hub alone, one round
#   BENCH_BACKEND=sqlite bash bench/run.sh # embedded defaults instead of PostgreSQL + Redis
#   BENCH_PG_DB=mine BENCH_REDIS_DB=10 ... # PostgreSQL database / Redis db to take over
#
# Extra arguments go to the harness (e.g. --workloads W1,W2).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED_PEERS=${PEERS:-$(cd "$ROOT/../shared/bench/peers" 2>/dev/null && pwd || true)}
[ -n "$SHARED_PEERS" ] && [ -x "$SHARED_PEERS/bench.sh" ] \
  || { echo "peer harness not found (set PEERS)" >&2; exit 1; }
if ! command -v wrk >/dev/null || ! command -v glewlwyd >/dev/null; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk glewlwyd sqlite3
fi
# The harness writes (node_modules, results): run a copy of it, refreshed when it changes.
PEERS="$ROOT/bench/peers"
if ! diff -rq -x node_modules -x results "$SHARED_PEERS" "$PEERS" >/dev/null 2>&1; then
  rm -rf "$PEERS" && cp -r "$SHARED_PEERS" "$PEERS" && chmod -R u+w "$PEERS" && rm -rf "$PEERS/results"
fi
[ -d "$PEERS/node-oidc/node_modules/oidc-provider" ] \
  || npm ci --prefix "$PEERS/node-oidc" --no-audit --no-fund >/dev/null

VENV="$ROOT/.venv"
# This checkout's code, also when the virtualenv's editable install points at another one.
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
idp() { "$VENV/bin/python" -m idp.cli "$@"; }
PORT=${BENCH_PORT:-5077}
WORK=$(mktemp -d /dev/shm/onedoor-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

export IDP_INSTANCE_PATH="$WORK/instance"
export IDP_ISSUER="http://127.0.0.1:$PORT"
export IDP_CAPTCHA=off
export IDP_SECRET_KEY="bench-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
export IDP_LOG_LEVEL=WARNING
case "${BENCH_BACKEND:-postgres}" in
  postgres)
    PG_DB=${BENCH_PG_DB:-onedoor_bench} REDIS_DB=${BENCH_REDIS_DB:-14}
    psql -q "postgresql://postgres@127.0.0.1/postgres" -c "DROP DATABASE IF EXISTS $PG_DB" \
      -c "CREATE DATABASE $PG_DB" >/dev/null
    export IDP_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1/$PG_DB"
    export IDP_REDIS_URL="redis://127.0.0.1:6379/$REDIS_DB"
    redis-cli -n "$REDIS_DB" flushdb >/dev/null
    BACKEND="PostgreSQL + Redis" ;;
  sqlite) BACKEND="SQLite (tmpfs), no Redis" ;;
  *) echo "BENCH_BACKEND is postgres or sqlite" >&2; exit 1 ;;
esac

idp init >/dev/null
secret=$(idp clients add --name bench --client-id bench-client \
  --redirect-uri http://127.0.0.1:9/cb --grant-type authorization_code \
  --grant-type refresh_token --grant-type client_credentials --id-token-alg ES256 \
  | "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])')
idp accounts create --username benchuser01 --password "Bench~Password2026" >/dev/null
# Every benchmark request comes from 127.0.0.1 and one client: lift the per-address and
# per-client limits for this hub (at its default, 600 a minute, most token requests
# would be answered 429 slow_down and the figures would measure refusals). W6 signs the
# one account in eight at a time: the lockout counts passwords being checked, so at the
# default of 5 some of those sign-ins would be refused as a burst of guesses.
idp policy set lockout.signin_per_minute=10000 lockout.client_requests_per_minute=1000000 \
  lockout.max_failures=20 \
  --reason "benchmark: all requests from one address, one client and one account" >/dev/null

echo "== load: $(uptime)"
echo "== $(taskset -c 0 "$VENV/bin/python" "$ROOT/bench/argon2_time.py")"

export PROJECT_ISSUER="$IDP_ISSUER"
export PROJECT_START_CMD="$VENV/bin/python -m idp.cli serve --port $PORT --threads ${BENCH_THREADS:-8}"
if [ -n "${BENCH_PROFILE:-}" ]; then
  # Every request profiled (bench/profile_server.py): where the time goes, not figures.
  export BENCH_PROFILE_DIR="$ROOT/bench/results/profile-$(date -u +%Y%m%d-%H%M%S)"
  export PROJECT_START_CMD="$VENV/bin/granian --interface wsgi --host 127.0.0.1 --port $PORT \
--blocking-threads 1 --no-log bench.profile_server:app"
  echo "== profiles in $BENCH_PROFILE_DIR"
fi
export PROJECT_CWD="$WORK"
export PROJECT_CLIENT_ID=bench-client PROJECT_CLIENT_SECRET="$secret"
export PROJECT_REDIRECT_URI=http://127.0.0.1:9/cb
export PROJECT_USERNAME=benchuser01 PROJECT_PASSWORD="Bench~Password2026"
export PROJECT_LOGIN_SCOPE="openid offline_access" PROJECT_AUTH_PARAMS="prompt=consent"
export PROJECT_VERSION="OneDoor $(git -C "$ROOT" rev-parse --short HEAD), $BACKEND"

if [ $# -eq 0 ] || [[ "$1" == --* ]]; then set -- node-oidc glewlwyd project "$@"; fi
"$PEERS/bench.sh" "$@" --rounds "${ROUNDS:-3}" --out "$ROOT/bench/results"
echo "== load: $(uptime)"
