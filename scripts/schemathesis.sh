#!/usr/bin/env bash
# A bounded, deterministic Schemathesis run against one Billwright API, the one whose base URL is
# given (nothing else is touched): its OpenAPI document at /docs/json, example, coverage, fuzzing
# and stateful phases (sequences follow the document's response links), every check but
# positive_data_acceptance: a schema-valid request may rightly be refused, with 422 for a value
# the schema cannot express (an unknown currency or time zone, a plan in another currency), or
# with 400 for text that is not text (NUL, control characters), which OpenAPI cannot describe.
#
#   scripts/schemathesis.sh BASE_URL API_KEY REPORT_DIR
#
# Schemathesis comes from PyPI, pinned, into a virtual environment under the Billwright cache
# (BILLWRIGHT_CACHE_DIR, default ~/.cache/billwright), made on first use. SCHEMATHESIS_SEED
# changes the seed (printed either way); SCHEMATHESIS_MAX_EXAMPLES the examples per operation.
# test/fuzz/schemathesis_hooks.py gives positive cases real values the schema cannot name (a
# country, a time zone; BILLWRIGHT_FUZZ_CUSTOMER_ID and BILLWRIGHT_FUZZ_PLAN_CODE when set).
set -euo pipefail

VERSION=4.32.5
base_url=${1:?base URL of the API under test}
api_key=${2:?an API key of that API}
report_dir=${3:?a directory for the reports}

cache=${BILLWRIGHT_CACHE_DIR:-$HOME/.cache/billwright}
venv=$cache/schemathesis-venv-$VERSION
if [ ! -f "$venv/.installed" ]; then
  # Debian splits venv (and ensurepip) out of python3: install it when missing and we are root.
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    if [ "$(id -u)" != 0 ]; then
      echo "[billwright] schemathesis needs Python 3 with venv: apt-get install python3-venv" >&2
      exit 1
    fi
    echo "[billwright] installing python3-venv from Debian's packages"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv
  fi
  echo "[billwright] installing schemathesis $VERSION into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
  touch "$venv/.installed"
fi

seed=${SCHEMATHESIS_SEED:-20261}
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-3}
echo "[billwright] schemathesis $VERSION against $base_url, seed $seed, $max_examples examples per operation"

mkdir -p "$report_dir"
export SCHEMATHESIS_HOOKS
SCHEMATHESIS_HOOKS=$(cd "$(dirname "$0")/../test/fuzz" && pwd)/schemathesis_hooks.py
exec "$venv/bin/schemathesis" run "$base_url/docs/json" \
  --url "$base_url" \
  --header "Authorization: Bearer $api_key" \
  --seed "$seed" \
  --max-examples "$max_examples" \
  --generation-database none \
  --workers 1 \
  --phases examples,coverage,fuzzing,stateful \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --continue-on-failure \
  --request-timeout 40 \
  --max-response-time 30 \
  --max-time 300 \
  --no-color \
  --report ndjson,junit \
  --report-ndjson-path "$report_dir/events.ndjson" \
  --report-junit-path "$report_dir/junit.xml"
