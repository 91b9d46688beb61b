"""Writing a trace bundle: machine facts, atomic files, copied run logs.

The format itself is described in docs/bundle.md.  Everything here writes
through a temporary file and os.replace(), so a reader never sees a half
written manifest.json, runs.csv or micro.json.
"""

import csv
import glob
import gzip
import hashlib
import io
import json
import os
import platform
import re
import shutil
import socket
from importlib import metadata

FORMAT_VERSION = 1

# The submitting process's threads by role (runner.thread_role), per run.
THREAD_ROLES = ('main', 'launch', 'workers', 'join', 'result', 'other')
THREAD_COLUMNS = [column for role in THREAD_ROLES
                  for column in ('thread_cpu_%s_s' % role, 'thread_vcsw_%s' % role)]

RUN_COLUMNS = [
    'run_id', 'group', 'workload', 'size', 'tasks', 'executor',
    'workers_requested', 'workers_started', 'workers_started_log', 'logging',
    'rep', 'role', 'profile', 'monitoring', 'background', 'status', 'makespan_s',
    'tasks_per_s', 'timed_cpu_s', 'timed_host_busy_s', 'speed_probe_s', 'speed_probe_parsl_s', 'timed_vcsw', 'timed_ivcsw', 'loadavg_1m', 'import_s', 'load_s', 'warmup_s', 'manager_wait_s',
    'cleanup_s', 'wall_s', 'timeout_s', 'task_id_first', 'task_id_last',
    't_start_unix', 't_end_unix', 'parsl_log_lines', 'logs_kept', 'strays_killed',
    'gc_full', 'gc_full_s', 'gc_young_s', 'worker_debug', 'cpu_interchange_s',
    'cpu_manager_s', 'cpu_workers_s', 'records_interchange', 'records_manager',
    'records_workers', *THREAD_COLUMNS, 'error', 'files',
]

GC_COLUMNS = ['run_id', 't_s', 'generation', 'duration_s', 'tasks_submitted', 'collected',
              'tasks_pending']


def host_id():
    """sha256 of the host name, first 12 hex digits."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:12]


def _cpuinfo():
    """The first processor's fields of /proc/cpuinfo."""
    fields = {}
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if not line.strip():
                    break
                key, _, value = line.partition(':')
                fields[key.strip()] = value.strip()
    except OSError:
        pass
    return fields


def _cpu_id(info):
    """'family F model M stepping S': a VM's 'AMD EPYC' names no generation."""
    if 'cpu family' not in info:
        return None
    return 'family %s model %s stepping %s' % (info['cpu family'], info.get('model', '?'),
                                               info.get('stepping', '?'))


def _mem_total_bytes():
    try:
        with open('/proc/meminfo') as f:
            for line in f:
                if line.startswith('MemTotal:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def machine():
    info = _cpuinfo()
    return {
        'cores': os.cpu_count(),
        'cpu_model': info.get('model name') or platform.processor() or 'unknown',
        'cpu_id': _cpu_id(info),
        'mem_total_bytes': _mem_total_bytes(),
        'os': platform.platform(),
        'kernel': platform.release(),
        'host_id': host_id(),
    }


def versions():
    out = {'python': platform.python_version(),
           'python_implementation': platform.python_implementation()}
    for name in ('parsl', 'pyinstrument', 'dill', 'pyzmq', 'psutil', 'PyYAML'):
        try:
            out[name.lower()] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name.lower()] = None
    return out


def write_atomic(path, text):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_json(path, doc):
    write_atomic(path, json.dumps(doc, indent=1, sort_keys=False) + '\n')


def write_runs_csv(path, rows):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=RUN_COLUMNS, extrasaction='ignore',
                       lineterminator='\n')
    w.writeheader()
    for row in rows:
        w.writerow({k: _cell(row.get(k)) for k in RUN_COLUMNS})
    write_atomic(path, buf.getvalue())


def write_gc_csv(path, rows):
    """gc.csv: every run's cyclic collections in its timed section."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator='\n')
    w.writerow(GC_COLUMNS)
    for row in rows:
        for event in row.get('gc_events') or ():
            w.writerow([row['run_id']] + ['%.9g' % v if isinstance(v, float) else v
                                          for v in event])
    write_atomic(path, buf.getvalue())


def _cell(v):
    if v is None:
        return ''
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float):
        return '%.6f' % v
    if isinstance(v, (list, tuple)):
        return ';'.join(str(x) for x in v)
    return str(v).replace('\n', ' ')


def copy_file(src, dst, gzip_over):
    """Copy src to dst, gzipped (dst + '.gz') if larger than gzip_over bytes.

    gzip_over=0 always compresses.  Returns the path written.
    """
    if os.path.getsize(src) > gzip_over or gzip_over == 0:
        dst += '.gz'
        with open(src, 'rb') as fi, gzip.open(dst, 'wb', compresslevel=9) as fo:
            shutil.copyfileobj(fi, fo)
    else:
        shutil.copyfile(src, dst)
    return dst


def count_lines(path):
    n = 0
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            n += chunk.count(b'\n')
    return n


SPAWN_RE = re.compile(r'Manager will spawn (\d+) workers')


def collect_run_files(parsl_run_dir, workdir, dest, keep_logs=True):
    """Copy a run's logs and artefacts into dest; return (files, facts).

    files: paths relative to dest.  facts: workers_started_log (from the
    manager log, or the number of worker logs) and parsl_log_lines.  With
    keep_logs False the bulky per-task logs (parsl.log, worker_*.log) are
    counted but not copied; the small interchange and manager logs always are.
    """
    os.makedirs(dest, exist_ok=True)
    files, facts = [], {}
    if parsl_run_dir and os.path.isdir(parsl_run_dir):
        log = os.path.join(parsl_run_dir, 'parsl.log')
        if os.path.exists(log):
            facts['parsl_log_lines'] = count_lines(log)
            if keep_logs:
                files.append(copy_file(log, os.path.join(dest, 'parsl.log'), 0))
        for name in sorted(os.listdir(parsl_run_dir)):
            # monitoring and other submit-side components' logs
            src = os.path.join(parsl_run_dir, name)
            if name.endswith('.log') and name != 'parsl.log' and os.path.isfile(src):
                files.append(copy_file(src, os.path.join(dest, name), 65536))
        ix = os.path.join(parsl_run_dir, 'htex', 'interchange.log')
        if os.path.exists(ix):
            files.append(copy_file(ix, os.path.join(dest, 'interchange.log'), 65536))
        spawned, worker_logs = None, 0
        for mdir in sorted(glob.glob(os.path.join(parsl_run_dir, 'htex', 'block-*', '*'))):
            block = os.path.basename(os.path.dirname(mdir))
            sub = os.path.join(dest, block)
            os.makedirs(sub, exist_ok=True)
            for name in sorted(os.listdir(mdir)):
                if not name.endswith('.log'):
                    continue
                src = os.path.join(mdir, name)
                if name == 'manager.log':
                    with open(src, errors='replace') as f:
                        m = SPAWN_RE.search(f.read())
                    if m:
                        spawned = (spawned or 0) + int(m.group(1))
                elif name.startswith('worker_'):
                    worker_logs += 1
                    if not keep_logs:
                        continue
                files.append(copy_file(src, os.path.join(sub, name), 65536))
        if spawned is not None:
            facts['workers_started_log'] = spawned
        elif worker_logs:
            facts['workers_started_log'] = worker_logs
    for name, limit in (('profile.json', 500 * 1024), ('result.json', 1 << 30),
                        ('stderr.txt', 65536), ('monitoring.db', 1 << 40)):
        src = os.path.join(workdir, name)
        if os.path.exists(src) and os.path.getsize(src) > 0:
            files.append(copy_file(src, os.path.join(dest, name), limit))
    return [os.path.relpath(f, dest) for f in files], facts


def list_files(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith('.tmp') or name == 'manifest.json':
                continue
            p = os.path.join(dirpath, name)
            out.append({'path': os.path.relpath(p, root),
                        'size_bytes': os.path.getsize(p)})
    return out
