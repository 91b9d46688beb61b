#!/bin/sh
# Create traces/.venv (if needed), install the pinned requirements and
# capture a trace bundle with real Parsl.
#
#   traces/capture.sh [--quick] [--out DIR] [--plan FILE] [other capture options]
#
# The default plan takes about 15 minutes on a 2-core machine and writes
# traces/bundles/<date>-<hostid>/; --quick takes under 2 minutes and writes
# traces/out/<date>-<hostid>-quick/.  Exit status: 0 for a complete bundle,
# 1 for an incomplete one, 130 when interrupted.  See docs/bundle.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
venv="${TRACE_VENV:-$here/.venv}"
python="${PYTHON:-python3}"
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$here/requirements.txt"
    echo "$want" > "$stamp"
fi
# HTEX starts interchange.py and process_worker_pool.py from PATH.
PATH="$venv/bin:$PATH"
PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
export PATH PYTHONPATH
exec "$venv/bin/python" -m capture "$@"
