"""Summarize a bundle's runs.csv: throughput per configuration, logging-off speedups.

    python -m capture.summary BUNDLE_DIR [--markdown]

Throughput is tasks / makespan_s over the ok, non-profiled, non-monitored
runs; the table shows the median over repetitions and the spread (min..max).
The speedup of a logging variant is median(variant) / median(on) for the same
workload, size, executor and requested workers.
"""

import argparse
import csv
import os
import statistics
import sys


def load_rows(bundle_dir):
    with open(os.path.join(bundle_dir, 'runs.csv'), newline='') as f:
        return list(csv.DictReader(f))


def throughput(rows):
    """Return {(workload, size, tasks, executor, workers, started, logging): [tasks/s]}."""
    out = {}
    for r in rows:
        if r['status'] != 'ok' or r['profile'] == '1' or r['monitoring'] == '1':
            continue
        key = (r['workload'], int(r['size']), int(r['tasks']), r['executor'],
               int(r['workers_requested']), r['workers_started'], r['logging'])
        out.setdefault(key, []).append(float(r['tasks_per_s']))
    return out


def main(argv=None):
    p = argparse.ArgumentParser(prog='capture.summary')
    p.add_argument('bundle')
    args = p.parse_args(argv)
    groups = throughput(load_rows(args.bundle))
    print('| workload | size | tasks | executor | workers req | started | logging '
          '| median tasks/s | min | max | reps |')
    print('| --- | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |')
    for key in sorted(groups, key=lambda k: (k[3], k[0], k[6], k[4], k[1])):
        v = groups[key]
        print('| %s | %d | %d | %s | %d | %s | %s | %.0f | %.0f | %.0f | %d |'
              % (key + (statistics.median(v), min(v), max(v), len(v))))
    print()
    print('| workload | size | executor | workers req | logging | speedup vs on (median) |')
    print('| --- | ---: | --- | ---: | --- | ---: |')
    for key in sorted(groups, key=lambda k: (k[3], k[0], k[1], k[4], k[6])):
        if key[6] == 'on':
            continue
        base = key[:6] + ('on',)
        if base in groups:
            print('| %s | %d | %s | %d | %s | %.2fx |'
                  % (key[0], key[1], key[3], key[4], key[6],
                     statistics.median(groups[key]) / statistics.median(groups[base])))
    return 0


if __name__ == '__main__':
    sys.exit(main())
