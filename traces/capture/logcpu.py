"""Where the submitting process's CPU goes: inside Parsl's logging calls or not.

Run as `python -m capture.logcpu [--executor E] [--size N] [--logging L]
[--repeats R]` from traces/ (the harness's virtualenv).  Each repetition is a
fresh process that loads Parsl, warms up with 200 tasks, and runs the double
workload once with every `logging.Logger._log` call wrapped: the calling
thread's CPU clock (ns) and its voluntary context switches
(getrusage(RUSAGE_THREAD)) are read before and after, and summed by thread
role.  It prints one JSON line per repetition, per role: CPU a task in all,
CPU a task inside logging calls, records a task, voluntary switches a task
inside logging calls, and in all.

The wrapper costs a few microseconds a record (two clock reads, two
getrusage calls), so these runs are not timing runs: the capture's plans do
not use it.  It is how docs/calibrate.md's "The logging-off what-if"
measured that a record's switches land their cost on the code after them.
"""

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time

ROLES = ('main', 'launch', 'workers', 'result')


def wrap_logging(totals):
    """Wrap Logger._log so every record's CPU and switches add to totals."""
    original = logging.Logger._log
    local = threading.local()

    def _log(self, *args, **kwargs):
        if getattr(local, 'inside', False):
            return original(self, *args, **kwargs)
        local.inside = True
        switches = resource.getrusage(resource.RUSAGE_THREAD).ru_nvcsw
        start = time.thread_time_ns()
        try:
            return original(self, *args, **kwargs)
        finally:
            cpu = time.thread_time_ns() - start
            switches = resource.getrusage(resource.RUSAGE_THREAD).ru_nvcsw - switches
            local.inside = False
            from capture.runner import thread_role
            role = thread_role(threading.current_thread().name)
            entry = totals.setdefault(role, [0, 0, 0])
            entry[0] += cpu
            entry[1] += 1
            entry[2] += switches

    logging.Logger._log = _log


def one_run(executor, size, logmode):
    """The child: one timed double run; print its JSON line."""
    from capture import runner, workloads

    totals = {}
    if logmode == 'on':
        wrap_logging(totals)
    import parsl
    spec = {'executor': executor, 'workers': 4 if executor == 'threads' else 2,
            'logging': logmode}
    workdir = tempfile.mkdtemp(prefix='logcpu_')
    dfk = parsl.load(runner.build_config(spec, os.path.join(workdir, 'runinfo')))
    workloads.parallel_execution(200)
    totals.clear()
    before = runner.thread_stats()
    start = time.perf_counter()
    workloads.parallel_execution(size)
    makespan = time.perf_counter() - start
    threads = {}
    runner.thread_deltas(before, runner.thread_stats(), threads)
    line = {'executor': executor, 'size': size, 'logging': logmode,
            'makespan_s': makespan}
    for role in ROLES:
        inside = totals.get(role, [0, 0, 0])
        line[role] = {
            'cpu_us': threads['thread_cpu_%s_s' % role] / size * 1e6,
            'logging_cpu_us': inside[0] / 1e3 / size,
            'records': inside[1] / size,
            'logging_vcsw': inside[2] / size,
            'vcsw': threads['thread_vcsw_%s' % role] / size,
        }
    print(json.dumps(line), flush=True)
    dfk.cleanup()
    parsl.clear()
    os._exit(0)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m capture.logcpu',
        description="The submitting process's CPU a task by thread role, inside "
                    "Parsl's logging calls and in all (double workload).")
    parser.add_argument('--executor', choices=('threads', 'htex'), default='threads')
    parser.add_argument('--size', type=int, default=3000, help='tasks (default 3000)')
    parser.add_argument('--logging', choices=('on', 'off', 'off_all'), default='on')
    parser.add_argument('--repeats', type=int, default=3,
                        help='fresh processes, one run each (default 3)')
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.size < 1 or args.repeats < 1:
        parser.error('--size and --repeats must be at least 1')
    if args.child:
        one_run(args.executor, args.size, args.logging)
    for _ in range(args.repeats):
        rc = subprocess.call([sys.executable, '-m', 'capture.logcpu', '--child',
                              '--executor', args.executor, '--size', str(args.size),
                              '--logging', args.logging],
                             stderr=subprocess.DEVNULL)
        if rc != 0:
            print('capture.logcpu: a run failed (exit status %d)' % rc, file=sys.stderr)
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
