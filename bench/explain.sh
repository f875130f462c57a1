#!/usr/bin/env bash
# The PostgreSQL plans of the hot queries, with the index each relies on: seeds a fresh
# database with `shanyrak demo --scale week` (about 20,000 people, a week of stays and
# distributions), runs ANALYZE, then EXPLAIN (ANALYZE, BUFFERS) of each query as the store
# sends it (parameters taken from the seeded rows). For docs/DEPLOYMENT.md.
#   bash bench/explain.sh [postgres://postgres@127.0.0.1:5432]
set -euo pipefail
cd "$(dirname "$0")/.."
server="${1:-postgres://postgres@127.0.0.1:5432}"
db="shanyrak_explain_$$"
bin="${SHANYRAK_BIN:-${CARGO_TARGET_DIR:-target}/debug/shanyrak}"
[ -x "$bin" ] || cargo build -p shanyrak >/dev/null
psql "$server/postgres" -qc "CREATE DATABASE $db" >/dev/null
trap 'kill $demo 2>/dev/null || true; wait $demo 2>/dev/null || true; psql "$server/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null' EXIT
log="$(mktemp)"
RUST_LOG=warn "$bin" demo --scale week --bind 127.0.0.1:0 --db "$server/$db" >"$log" 2>&1 &
demo=$!
for _ in $(seq 1 600); do grep -q "running at" "$log" && break; sleep 1; done
grep -q "running at" "$log" || { cat "$log"; exit 1; }
kill $demo; wait $demo 2>/dev/null || true
echo "machine: $(nproc) cores; $(date -u '+%F %H:%M UTC'); $(psql "$server/$db" -Atc 'SHOW server_version')"
psql "$server/$db" -Atc "SELECT 'rows: ' || (SELECT COUNT(*) FROM households) || ' households, ' || (SELECT COUNT(*) FROM persons) || ' persons, ' || (SELECT COUNT(*) FROM distributions) || ' distributions, ' || (SELECT COUNT(*) FROM audit_events) || ' audit events'"
psql "$server/$db" -q <<'SQL'
ANALYZE;
SELECT id AS household, organisation_id AS org FROM households ORDER BY id OFFSET 5000 LIMIT 1 \gset
SELECT id AS person FROM persons WHERE household_id = :'household' LIMIT 1 \gset
SELECT number AS doc FROM documents LIMIT 1 OFFSET 3000 \gset
SELECT id AS pool FROM bed_pools LIMIT 1 \gset

\echo '== a household by id, its members (every read of a record): households_pkey, persons_by_household'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM households WHERE id = :'household' AND organisation_id = :'org';
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM persons WHERE household_id = :'household' ORDER BY position;
\echo '== a document number typed at the desk (search): documents_by_number'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT person_id FROM documents WHERE number = :'doc';
\echo '== the entitlement check before a distribution: distribution_shares_by_person, persons_by_identity'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT s.distribution_id, s.item_id, s.quantity, COALESCE(p.identity_id, p.id), d.distributed_on, d.organisation_id,
       d.household_id, l.quantity, i.code
FROM distribution_shares s JOIN persons p ON p.id = s.person_id
JOIN distributions d ON d.id = s.distribution_id
JOIN distribution_lines l ON l.distribution_id = s.distribution_id AND l.item_id = s.item_id
JOIN items i ON i.id = s.item_id
WHERE s.person_id IN (SELECT id FROM persons WHERE id IN (:'person') OR identity_id IN (:'person'))
  AND d.distributed_on >= DATE '2022-09-01';
\echo '== a record audit trail (side path): audit_by_entity'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT id, at, action FROM audit_events WHERE entity_id = :'household' AND organisation_id = :'org' ORDER BY id;
\echo '== beds in use in a pool (admission, placement): stays_active_by_pool'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT COALESCE(SUM(persons), 0) FROM stays WHERE pool_id = :'pool' AND status IN ('reserved', 'checked_in');
\echo '== one page of the registry export (keyset on households_pkey, persons_by_household)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT h.id, h.reference, p.id, p.surname FROM households h JOIN persons p ON p.household_id = h.id AND p.removed_at IS NULL
WHERE h.id > :'household' AND h.id <= (SELECT id FROM (SELECT id FROM households WHERE id > :'household' ORDER BY id LIMIT 1000) page ORDER BY id DESC LIMIT 1)
ORDER BY h.id, p.position;
\echo '== the dashboard reads its snapshot: figure_population_by_org'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM figure_population WHERE organisation_id = :'org';
\echo '== the duplicate review queue: duplicate_candidates_queue'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT id FROM duplicate_candidates WHERE organisation_id = :'org' AND status = 'pending' ORDER BY id LIMIT 50;
SQL
