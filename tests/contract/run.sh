#!/usr/bin/env bash
# Contract tests: Schemathesis fuzzes the API against its own OpenAPI document, once with
# the token of each role, and fails on any failure of any check (`--checks all`).
#
#   bash tests/contract/run.sh                 # builds nothing: set SHANYRAK_BIN or run `cargo build -p shanyrak` first
#   MAX_EXAMPLES=50 ROLES="registrar admin" bash tests/contract/run.sh
#
# Environment: SHANYRAK_BIN (default target/debug/shanyrak), CONTRACT_VENV (default
# target/contract-venv), MAX_EXAMPLES (cases per operation and phase, default 8), ROLES
# (default: every role of the demo), SEED (default 1, for runs that can be repeated),
# REPORT_DIR (default target/contract).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${SHANYRAK_BIN:-$root/target/debug/shanyrak}
venv=${CONTRACT_VENV:-$root/target/contract-venv}
max_examples=${MAX_EXAMPLES:-8}
seed=${SEED:-1}
report_dir=${REPORT_DIR:-$root/target/contract}
roles=${ROLES:-"registrar dispatcher site-manager distributor caseworker analyst auditor admin"}

[ -x "$bin" ] || { echo "contract: no shanyrak binary at $bin (cargo build -p shanyrak)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "contract: python3 is needed (apt-get install python3 python3-venv)" >&2; exit 1; }

# A virtual environment with exactly the pinned packages, rebuilt when the pins change.
stamp="$venv/.requirements"
if ! cmp -s "$here/requirements.txt" "$stamp" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv" || { echo "contract: python3 -m venv failed (apt-get install python3-venv)" >&2; exit 1; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$stamp"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/shanyrak-contract.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The small demo: a few organisations, one account (and token) per role in each, a dozen
# households, sites, stock, cases and agreements, so most operations find real records.
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
SHANYRAK_LOG=warn "$bin" demo --scale small --db "sqlite://$work/contract.db" --bind "127.0.0.1:$port" >"$work/demo.out" 2>"$work/demo.err" &
server_pid=$!
for _ in $(seq 1 120); do
  grep -q "^Stop with Ctrl-C" "$work/demo.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/demo.err" >&2; echo "contract: the demo server did not start" >&2; exit 1; }
  sleep 0.5
done
"$venv/bin/python" - "$base/healthz" <<'PY' || { echo "contract: the server does not answer" >&2; exit 1; }
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=10).read()
PY

mkdir -p "$report_dir"
failed=""
summary=""
for role in $roles; do
  # The first organisation's account of this role: `role@org.example.org ... token shk_...`.
  token=$(awk -v role="$role" '$0 ~ (" " role "@") { for (i = 1; i < NF; i++) if ($i == "token") { print $(i + 1); exit } }' "$work/demo.out")
  [ -n "$token" ] || { echo "contract: no demo account for the role $role" >&2; exit 1; }
  echo "==> schemathesis as $role"
  set +e
  "$venv/bin/schemathesis" --config-file "$here/schemathesis.toml" run "$base/api/v1/openapi.json" \
    --url "$base" \
    --checks all \
    --header "Authorization: Bearer $token" \
    --exclude-name "DELETE /api/v1/auth/token" \
    --max-examples "$max_examples" \
    --seed "$seed" \
    --workers 1 \
    --request-timeout 30 \
    --generation-database none \
    --suppress-health-check all \
    --report junit --report-junit-path "$report_dir/$role.xml" \
    --no-color 2>&1 | tee "$work/$role.log"
  status=${PIPESTATUS[0]}
  set -e
  line=$(grep -E "[0-9]+ generated" "$work/$role.log" | tail -n 1 | sed "s/^ *//")
  summary="$summary$role: $line"$'\n'
  [ "$status" -eq 0 ] || failed="$failed $role"
done

echo
echo "contract summary:"
printf '%s' "$summary"
if [ -n "$failed" ]; then
  echo "contract: Schemathesis failed for:$failed" >&2
  exit 1
fi
echo "contract tests: all passed"
