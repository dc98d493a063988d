#!/usr/bin/env bash
# Benchmark the hub against node-oidc-provider and glewlwyd in one run, using the peer
# harness in ../shared/bench/peers (workloads W1-W6, server pinned to one core).
#
#   bash bench/run.sh                      # node-oidc, glewlwyd and the hub, 3 rounds
#   ROUNDS=1 bash bench/run.sh project     # the hub alone, one round
#   BENCH_BACKEND=sqlite bash bench/run.sh # embedded defaults instead of PostgreSQL + Redis
#
# Extra arguments go to the harness (e.g. --workloads W1,W2).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/bench/peers" 2>/dev/null && pwd || true)}
[ -n "$PEERS" ] && [ -x "$PEERS/bench.sh" ] || { echo "peer harness not found (set PEERS)" >&2; exit 1; }
command -v wrk >/dev/null && command -v glewlwyd >/dev/null || "$PEERS/install.sh"

VENV="$ROOT/.venv"
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
    psql -q "postgresql://postgres@127.0.0.1/postgres" -c "DROP DATABASE IF EXISTS onedoor_bench" \
      -c "CREATE DATABASE onedoor_bench" >/dev/null
    export IDP_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1/onedoor_bench"
    export IDP_REDIS_URL="redis://127.0.0.1:6379/14"
    redis-cli -n 14 flushdb >/dev/null
    BACKEND="PostgreSQL + Redis" ;;
  sqlite) BACKEND="SQLite (tmpfs), no Redis" ;;
  *) echo "BENCH_BACKEND is postgres or sqlite" >&2; exit 1 ;;
esac

"$VENV/bin/idp" init >/dev/null
secret=$("$VENV/bin/idp" clients add --name bench --client-id bench-client \
  --redirect-uri http://127.0.0.1:9/cb --grant-type authorization_code \
  --grant-type refresh_token --grant-type client_credentials --id-token-alg ES256 \
  | "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])')
"$VENV/bin/idp" accounts create --username benchuser01 --password "Bench~Password2026" >/dev/null
# Every benchmark sign-in comes from 127.0.0.1: lift the per-address limit for this hub.
"$VENV/bin/idp" policy set lockout.signin_per_minute=10000 \
  --reason "benchmark: all sign-ins from one address" >/dev/null

echo "== $(taskset -c 0 "$VENV/bin/python" "$ROOT/bench/argon2_time.py")"

export PROJECT_ISSUER="$IDP_ISSUER"
export PROJECT_START_CMD="$VENV/bin/idp serve --port $PORT --threads ${BENCH_THREADS:-8}"
export PROJECT_CWD="$WORK"
export PROJECT_CLIENT_ID=bench-client PROJECT_CLIENT_SECRET="$secret"
export PROJECT_REDIRECT_URI=http://127.0.0.1:9/cb
export PROJECT_USERNAME=benchuser01 PROJECT_PASSWORD="Bench~Password2026"
export PROJECT_LOGIN_SCOPE="openid offline_access" PROJECT_AUTH_PARAMS="prompt=consent"
export PROJECT_VERSION="OneDoor $(git -C "$ROOT" rev-parse --short HEAD), $BACKEND"

if [ $# -eq 0 ] || [[ "$1" == --* ]]; then set -- node-oidc glewlwyd project "$@"; fi
exec "$PEERS/bench.sh" "$@" --rounds "${ROUNDS:-3}"
