#!/usr/bin/env bash
# The floor of the token workloads on the hub's stack (bench/authlib_floor.py: Flask and
# Authlib with nothing of the hub's own) beside node-oidc-provider, in one run: node-oidc
# through the peer harness (bench/run.sh), then the floor with the same wrk settings
# (server on core 0, wrk on core 1, 16 connections, 3 s warm-up, 10 s measured). Then the
# floor of complete sign-ins (bench/signin_floor.py) beside node-oidc, through the
# harness's W6, after the argon2 bound of this core.
#
#   bash bench/floor.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV="$ROOT/.venv"
PORT=${FLOOR_PORT:-5098}
DURATION=${DURATION:-10} WARMUP=${WARMUP:-3} CONNECTIONS=${CONNECTIONS:-16}
LUA="$ROOT/bench/peers/wrk/oidc.lua"
POOLS=$(mktemp -d /dev/shm/onedoor-floor.XXXXXX)
server=
trap 'kill "$server" 2>/dev/null || true; rm -rf "$POOLS"' EXIT

ROUNDS=1 bash "$ROOT/bench/run.sh" node-oidc --workloads W3,W4,W5

start_floor() {  # a fresh server, with fresh token pools
  rm -f "$POOLS/access.txt"
  FLOOR_POOL_DIR="$POOLS" PYTHONPATH="$ROOT" taskset -c 0 "$VENV/bin/granian" --interface wsgi \
    --host 127.0.0.1 --port "$PORT" --blocking-threads "${BENCH_THREADS:-8}" --no-log \
    bench.authlib_floor:app >"$POOLS/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 50); do [ -s "$POOLS/access.txt" ] && break; sleep 0.2; done
  sleep 1
}
start_floor

basic="Basic $(printf bench-client:bench-secret | base64)"
measure() {  # workload, path, then WRK_* settings
  local name=$1 path=$2; shift 2
  if [ "$WARMUP" -gt 0 ]; then
    env "$@" WRK_METHOD=POST WRK_AUTH="$basic" taskset -c 1 wrk -t1 -c"$CONNECTIONS" \
      -d"${WARMUP}s" -s "$LUA" "http://127.0.0.1:$PORT$path" >/dev/null
  fi
  local out
  out=$(env "$@" WRK_METHOD=POST WRK_AUTH="$basic" taskset -c 1 wrk -t1 -c"$CONNECTIONS" \
    -d"${DURATION}s" -s "$LUA" "http://127.0.0.1:$PORT$path")
  printf '%s  floor %8s req/s  %s\n' "$name" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(grep WRKCHECK <<<"$out")"
}
echo "== Flask + Authlib floor, $(git -C "$ROOT" rev-parse --short HEAD)"
measure W3 /token WRK_BODY="grant_type=client_credentials&scope=api" \
  WRK_EXPECT='"access_token"%s*:'
# The warm-up spends the rotating pool: W4 gets a fresh server's pool, as the harness mints anew.
measure W5 /introspect WRK_BODY="token_type_hint=access_token" WRK_POOL_FILE="$POOLS/access.txt" WRK_POOL_PARAM=token \
  WRK_EXPECT='"active"%s*:%s*true'
kill "$server"; wait "$server" 2>/dev/null || true
start_floor
WARMUP=0
measure W4 /token WRK_BODY="grant_type=refresh_token" WRK_POOL_FILE="$POOLS/refresh.txt" \
  WRK_POOL_PARAM=refresh_token WRK_ROTATE=1 WRK_EXPECT='"access_token"%s*:'

# W6: complete sign-ins through the harness, node-oidc-provider then bench/signin_floor.py
# (Flask + Authlib's code flow, one argon2id check at the hub's settings, nothing else).
W6_PORT=${FLOOR_W6_PORT:-5099}
echo "== $(taskset -c 0 "$VENV/bin/python" "$ROOT/bench/argon2_time.py")"
PYTHONPATH="$ROOT" FLOOR_ISSUER="http://127.0.0.1:$W6_PORT" \
  PROJECT_ISSUER="http://127.0.0.1:$W6_PORT" PROJECT_CWD="$ROOT" \
  PROJECT_START_CMD="$VENV/bin/granian --interface wsgi --host 127.0.0.1 --port $W6_PORT \
--blocking-threads ${BENCH_THREADS:-8} --no-log bench.signin_floor:app" \
  PROJECT_CLIENT_ID=bench-client PROJECT_CLIENT_SECRET=bench-secret \
  PROJECT_REDIRECT_URI=http://127.0.0.1:9/cb PROJECT_USERNAME=bench-user \
  PROJECT_PASSWORD=bench-password PROJECT_LOGIN_SCOPE="openid offline_access" \
  PROJECT_AUTH_PARAMS="prompt=consent" PROJECT_VERSION="Flask + Authlib sign-in floor" \
  "$ROOT/bench/peers/bench.sh" node-oidc project --workloads W6 --rounds "${ROUNDS:-1}" \
  --out "$ROOT/bench/results"
