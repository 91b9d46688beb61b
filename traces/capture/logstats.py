"""Count parsl.log records per task inside each run's timed section.

    python -m capture.logstats BUNDLE_DIR

For every run whose parsl.log is in the bundle, counts the records whose
%(created)f lies in [t_start_unix, t_end_unix] (runs.csv), grouped by thread
kind (the thread name without its numeric suffix), and prints records per
task.  A sanity check of docs/bundle.md's parsl.log section, and a reference
for calibrate/'s own parser.
"""

import csv
import gzip
import os
import re
import sys

THREAD_KIND = re.compile(r'^(.*?)(?:[-_]\d+)*$')


def thread_kind(field):
    """'Task-Launch_0-1399' -> 'Task-Launch'; 'MainThread-1399' -> 'MainThread'."""
    name = field.rsplit('-', 1)[0]
    return THREAD_KIND.match(name).group(1)


def count(path, t0, t1):
    kinds = {}
    total = 0
    with gzip.open(path, 'rt', errors='replace') as f:
        for line in f:
            parts = line.split(' ', 5)
            try:
                created = float(parts[0])
            except (ValueError, IndexError):
                continue  # continuation line of a multi-line record
            if t0 <= created <= t1 and len(parts) > 4:
                if 'capture: timed section' in line:
                    continue
                k = thread_kind(parts[4])
                kinds[k] = kinds.get(k, 0) + 1
                total += 1
    return total, kinds


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    bundle = argv[0]
    with open(os.path.join(bundle, 'runs.csv'), newline='') as f:
        rows = list(csv.DictReader(f))
    print('run_id\ttasks\trecords/task\tby thread kind (records/task)')
    for r in rows:
        path = os.path.join(bundle, 'runs', r['run_id'], 'parsl.log.gz')
        if r['status'] != 'ok' or not os.path.exists(path):
            continue
        tasks = int(r['tasks'])
        total, kinds = count(path, float(r['t_start_unix']), float(r['t_end_unix']))
        detail = ' '.join('%s=%.2f' % (k, v / tasks) for k, v in
                          sorted(kinds.items(), key=lambda kv: -kv[1]))
        print('%s\t%d\t%.2f\t%s' % (r['run_id'], tasks, total / tasks, detail))
    return 0


if __name__ == '__main__':
    sys.exit(main())
