"""Capture a trace bundle: real Parsl timing runs plus micro-benchmarks.

This is the orchestrator.  It expands a plan (capture/plan.py), runs the
micro-benchmarks (capture/micro.py) and every timing run (capture/runner.py)
each in a fresh Python process with a timeout, kills whatever a run leaves
behind (capture/procs.py), and writes the bundle described in docs/bundle.md:
manifest.json, runs.csv, gc.csv, micro.json and runs/<run_id>/.  manifest.json says
complete=false until every step has finished and succeeded.
"""

import argparse
import datetime
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time

from capture import bundle, plan as planmod
from capture.procs import Tracked

TRACES_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def harness_revision():
    """`git describe --always --dirty` of the harness's checkout, or None."""
    import subprocess
    try:
        out = subprocess.run(['git', '-C', TRACES_DIR, 'describe', '--always', '--dirty',
                              '--abbrev=12'], capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def child_env():
    """Environment for runs: our package importable, venv scripts on PATH.

    HTEX launches interchange.py and process_worker_pool.py by name, so the
    venv's bin directory must come first on PATH.
    """
    env = dict(os.environ)
    env['PYTHONPATH'] = TRACES_DIR + (os.pathsep + env['PYTHONPATH']
                                      if env.get('PYTHONPATH') else '')
    bindir = os.path.dirname(sys.executable)
    env['PATH'] = bindir + os.pathsep + env.get('PATH', '')
    env.setdefault('PYTHONUNBUFFERED', '1')
    return env


class Capture:
    def __init__(self, args, plan, plan_path, out_dir):
        self.args = args
        self.plan = plan
        self.plan_path = plan_path
        self.out = out_dir
        self.runs = planmod.expand(plan)
        self.rows = []
        self.micro_status = 'pending'
        self.started = _utc_now()
        self.t0 = time.monotonic()
        self.scratch = tempfile.mkdtemp(prefix='sim-capture-')
        self.interrupted = False
        self.env = child_env()
        self.revision = harness_revision()

    # -- bundle files ---------------------------------------------------
    def write_manifest(self, finished=False):
        statuses = [r['status'] for r in self.rows]
        complete = (finished and not self.interrupted
                    and len(self.rows) == len(self.runs)
                    and all(s == 'ok' for s in statuses)
                    and self.micro_status == 'ok')
        doc = {
            'format': 'sim-trace-bundle',
            'format_version': bundle.FORMAT_VERSION,
            'complete': complete,
            'interrupted': self.interrupted,
            'created_utc': self.started,
            'updated_utc': _utc_now(),
            'capture_wall_s': round(time.monotonic() - self.t0, 3),
            'command': ' '.join(sys.argv),
            'harness_revision': self.revision,
            'machine': bundle.machine(),
            'versions': bundle.versions(),
            'plan_file': os.path.relpath(self.plan_path, TRACES_DIR),
            'plan': self.plan,
            'micro': {'status': self.micro_status, 'file': 'micro.json'},
            'runs_planned': len(self.runs),
            'runs_done': len(self.rows),
            'runs_ok': statuses.count('ok'),
            'runs_failed': statuses.count('failed'),
            'runs_timeout': statuses.count('timeout'),
            'runs': [{'run_id': r['run_id'], 'status': r['status']} for r in self.rows],
            'files': bundle.list_files(self.out),
        }
        bundle.write_json(os.path.join(self.out, 'manifest.json'), doc)
        return complete

    def write_runs(self):
        bundle.write_runs_csv(os.path.join(self.out, 'runs.csv'), self.rows)
        bundle.write_gc_csv(os.path.join(self.out, 'gc.csv'), self.rows)

    # -- steps ----------------------------------------------------------
    def run_micro(self):
        repeats = self.args.micro_repeats or int(self.plan.get('micro', {}).get('repeats', 15))
        wdir = os.path.join(self.scratch, 'micro')
        os.makedirs(wdir)
        out = os.path.join(self.out, 'micro.json')
        argv = [sys.executable, '-m', 'capture.micro', out, str(repeats), wdir]
        with open(os.path.join(wdir, 'stderr.txt'), 'w') as err:
            t = Tracked(argv, wdir, self.env, subprocess_devnull(), err)
            rc = t.wait(float(self.plan.get('micro', {}).get('timeout_s', 300)))
            if rc is None:
                t.kill_group()
                self.micro_status = 'timeout'
            else:
                self.micro_status = 'ok' if rc == 0 and os.path.exists(out) else 'failed'
            t.reap_strays(wdir)
        if self.micro_status != 'ok':
            log('micro-benchmarks %s' % self.micro_status)
            shutil.copyfile(os.path.join(wdir, 'stderr.txt'),
                            os.path.join(self.out, 'micro_stderr.txt'))

    def run_one(self, spec):
        run_id = spec['run_id']
        wdir = os.path.join(self.scratch, run_id)
        os.makedirs(wdir)
        spec_path = os.path.join(wdir, 'spec.json')
        with open(spec_path, 'w') as f:
            json.dump(spec, f)
        argv = [sys.executable, '-m', 'capture.runner', spec_path]
        loadavg = os.getloadavg()[0]
        t0 = time.monotonic()
        with open(os.path.join(wdir, 'stderr.txt'), 'w') as err:
            t = Tracked(argv, wdir, self.env, subprocess_devnull(), err)
            try:
                rc = t.wait(spec['timeout_s'])
            except KeyboardInterrupt:
                t.kill_group()
                t.reap_strays(wdir)
                raise
            if rc is None:
                t.kill_group()
            strays = t.reap_strays(wdir)
        wall = time.monotonic() - t0
        result = {}
        try:
            with open(os.path.join(wdir, 'result.json')) as f:
                result = json.load(f)
        except (OSError, ValueError):
            pass
        if rc is None:
            status = 'timeout'
        elif result.get('status') == 'ok' and rc == 0:
            status = 'ok'
        else:
            status = 'failed'
        prd = result.get('parsl_run_dir')
        if prd is None and os.path.isdir(os.path.join(wdir, 'runinfo', '000')):
            prd = os.path.join('runinfo', '000')
        dest = os.path.join(self.out, 'runs', run_id)
        keep = status != 'ok' or keep_logs(self.plan, spec)
        files, facts = bundle.collect_run_files(
            os.path.join(wdir, prd) if prd else None, wdir, dest, keep)
        row = {
            'run_id': run_id, 'group': spec['group'], 'workload': spec['workload'],
            'size': spec['size'], 'tasks': spec['tasks'], 'executor': spec['executor'],
            'workers_requested': spec['workers'],
            'workers_started': result.get('workers_started'),
            'workers_started_log': facts.get('workers_started_log'),
            'logging': spec['logging'], 'rep': spec['rep'], 'role': spec['role'],
            'profile': spec['profile'], 'monitoring': spec['monitoring'],
            'background': spec.get('background', 0),
            'status': status, 'makespan_s': result.get('makespan_s'),
            'timed_cpu_s': result.get('timed_cpu_s'),
            'timed_host_busy_s': result.get('timed_host_busy_s'),
            'speed_probe_s': result.get('speed_probe_s'),
            'speed_probe_parsl_s': result.get('speed_probe_parsl_s'),
            'timed_vcsw': result.get('timed_vcsw'), 'timed_ivcsw': result.get('timed_ivcsw'),
            'loadavg_1m': loadavg, 'logs_kept': keep,
            'import_s': result.get('import_s'), 'load_s': result.get('load_s'),
            'warmup_s': result.get('warmup_s'),
            'manager_wait_s': result.get('manager_wait_s'),
            'cleanup_s': result.get('cleanup_s'), 'wall_s': wall,
            'timeout_s': spec['timeout_s'],
            'task_id_first': result.get('task_id_first'),
            'task_id_last': result.get('task_id_last'),
            't_start_unix': result.get('t_start_unix'),
            't_end_unix': result.get('t_end_unix'),
            'parsl_log_lines': facts.get('parsl_log_lines'),
            'strays_killed': len(strays),
            'gc_full': result.get('gc_full'), 'gc_full_s': result.get('gc_full_s'),
            'gc_young_s': result.get('gc_young_s'), 'gc_events': result.get('gc_events'),
            'worker_debug': spec.get('worker_debug', False),
            **{k: result.get(k) for k in bundle.THREAD_COLUMNS},
            'cpu_interchange_s': result.get('cpu_interchange_s'),
            'cpu_manager_s': result.get('cpu_manager_s'),
            'cpu_workers_s': result.get('cpu_workers_s'),
            'records_interchange': result.get('records_interchange'),
            'records_manager': result.get('records_manager'),
            'records_workers': result.get('records_workers'),
            'error': (result.get('error') or ('timeout after %gs' % spec['timeout_s']
                                              if rc is None else '')).strip().splitlines()[-1:]
            if (result.get('error') or rc is None) else '',
            'files': ['runs/%s/%s' % (run_id, f) for f in files],
        }
        if isinstance(row['error'], list):
            row['error'] = row['error'][0] if row['error'] else ''
        if row['makespan_s'] and status == 'ok':
            row['tasks_per_s'] = spec['tasks'] / row['makespan_s']
        shutil.rmtree(wdir, ignore_errors=True)
        return row

    def run_all(self):
        os.makedirs(os.path.join(self.out, 'runs'), exist_ok=True)
        self.write_manifest()
        if not self.args.no_micro:
            log('micro-benchmarks ...')
            self.run_micro()
            log('micro-benchmarks %s' % self.micro_status)
        else:
            self.micro_status = 'skipped'
        self.write_manifest()
        for i, spec in enumerate(self.runs):
            row = self.run_one(spec)
            self.rows.append(row)
            self.write_runs()
            self.write_manifest()
            tps = row.get('tasks_per_s')
            log('[%d/%d] %-55s %-7s %s%s' % (
                i + 1, len(self.runs), spec['run_id'], row['status'],
                '%8.1f tasks/s' % tps if tps else '',
                '  (killed %d strays)' % row['strays_killed'] if row['strays_killed'] else ''))
        return self.write_manifest(finished=True)

    def close(self):
        shutil.rmtree(self.scratch, ignore_errors=True)


def keep_logs(plan, spec):
    """Whether a run's per-task logs (parsl.log, worker logs) go in the bundle.

    The group's keep_logs (or the plan's, default 'first'): 'all', 'first'
    (repetition 0 only) or 'none'; and never for runs with more tasks than
    the plan's log_max_tasks (default unlimited).  Failed runs keep theirs.
    """
    mode = spec.get('keep_logs') or plan.get('keep_logs', 'first')
    limit = plan.get('log_max_tasks')
    if limit is not None and spec['tasks'] > int(limit):
        return False
    if mode == 'all':
        return True
    if mode == 'first':
        return spec['rep'] == 0
    return False


def subprocess_devnull():
    import subprocess
    return subprocess.DEVNULL


def log(msg):
    print('capture: %s' % msg, flush=True)


def summarize(rows):
    """Print median tasks/s per configuration (logging on, not profiled)."""
    groups = {}
    for r in rows:
        if r['status'] != 'ok' or r['profile'] or r['monitoring'] or not r.get('tasks_per_s'):
            continue
        key = (r['workload'], r['size'], r['executor'], r['workers_requested'], r['logging'])
        groups.setdefault(key, []).append(r['tasks_per_s'])
    for key in sorted(groups):
        v = groups[key]
        log('%-9s n=%-5d %-7s w=%-3d log=%-7s %8.1f tasks/s (min %.1f max %.1f, %d reps)'
            % (key + (statistics.median(v), min(v), max(v), len(v))))


def parse_args(argv):
    p = argparse.ArgumentParser(prog='capture', description=__doc__.split('\n\n')[0])
    p.add_argument('--plan', help='plan YAML (default plans/default.yaml, or plans/quick.yaml with --quick)')
    p.add_argument('--quick', action='store_true', help='use the quick plan (under 2 minutes)')
    p.add_argument('--out', help='parent directory of the bundle (default traces/bundles, or traces/out with --quick)')
    p.add_argument('--bundle', help='exact bundle directory (overrides --out naming)')
    p.add_argument('--micro-repeats', type=int, help='override the plan\'s micro-benchmark repeats')
    p.add_argument('--no-micro', action='store_true', help='skip micro-benchmarks (bundle will be incomplete)')
    p.add_argument('--list', action='store_true', help='print the expanded plan and exit')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    plan_path = args.plan or os.path.join(
        TRACES_DIR, 'plans', 'quick.yaml' if args.quick else 'default.yaml')
    try:
        plan = planmod.load(plan_path)
    except (OSError, planmod.PlanError) as e:
        print('capture: error: %s' % e, file=sys.stderr)
        return 1
    if args.list:
        for r in planmod.expand(plan):
            print(r['run_id'], r['tasks'], r['role'])
        return 0
    if args.bundle:
        out = args.bundle
    else:
        parent = args.out or os.path.join(TRACES_DIR, 'out' if args.quick else 'bundles')
        name = '%s-%s' % (datetime.date.today().isoformat(), bundle.host_id())
        if args.quick:
            name += '-quick'
        elif plan.get('name', 'default') != 'default':
            name += '-' + str(plan['name'])
        out = os.path.join(parent, name)
        k = 2
        while os.path.exists(out):
            out = os.path.join(parent, '%s-%d' % (name, k))
            k += 1
    if os.path.exists(os.path.join(out, 'manifest.json')):
        print('capture: error: %r already holds a bundle' % out, file=sys.stderr)
        return 1
    os.makedirs(out, exist_ok=True)
    out = os.path.abspath(out)

    def on_term(signum, frame):
        raise KeyboardInterrupt
    # Also SIGINT: a shell starts background jobs with SIGINT ignored, and
    # Python then installs no KeyboardInterrupt handler of its own.
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)

    cap = Capture(args, plan, os.path.abspath(plan_path), out)
    log('bundle %s: %d runs from %s' % (out, len(cap.runs), plan_path))
    complete = False
    try:
        complete = cap.run_all()
    except KeyboardInterrupt:
        cap.interrupted = True
        cap.write_runs()
        cap.write_manifest()
        log('interrupted: bundle is incomplete (complete=false)')
        cap.close()
        return 130
    cap.close()
    summarize(cap.rows)
    log('done in %.0f s: %s, complete=%s' % (time.monotonic() - cap.t0, out,
                                              str(complete).lower()))
    return 0 if complete else 1


if __name__ == '__main__':
    sys.exit(main())
