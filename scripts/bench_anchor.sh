#!/usr/bin/env bash
# `make bench-anchor`: django-helpdesk 2.6.1 measured by the shared anchor harness
# (BENCH_ANCHOR_DIR, ../shared/bench/helpdesk_anchor beside the repository), in its own venv and
# its own database (dh_bench, seeded once; BENCH_RESEED=1 seeds it again). Results go to
# var/bench-anchor/run-<UTC time>/, where `make bench` finds them for the side-by-side table.
set -euo pipefail
cd "$(dirname "$0")/.."
ANCHOR=$(cd "${BENCH_ANCHOR_DIR:-../shared/bench/helpdesk_anchor}" && pwd)
VENV=${DH_VENV:-/tmp/dh-venv}
export RESULTS_DIR=$PWD/var/bench-anchor PY=$VENV/bin/python GUNICORN=$VENV/bin/gunicorn
export DH_DB=${DH_DB:-dh_bench}
mkdir -p "$RESULTS_DIR"

for tool in jq bc; do
  command -v "$tool" >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
  }
done
if [ ! -x "$VENV/bin/gunicorn" ]; then
  echo "== installing django-helpdesk 2.6.1 into $VENV"
  python3.11 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet Django==5.2.19 django-helpdesk==2.6.1 gunicorn==27.0.1 \
    psycopg2-binary==2.9.13 requests
fi
tickets=$(psql -h 127.0.0.1 -U postgres -d "$DH_DB" -Atc "select count(*) from helpdesk_ticket" \
  2>/dev/null || echo 0)
if [ "$tickets" != 100000 ] || [ "${BENCH_RESEED:-}" = 1 ]; then
  echo "== seeding $DH_DB (django-helpdesk, 100,000 tickets)"
  "$ANCHOR/setup_db.sh"
fi
"$ANCHOR/run.sh"
