"""One timing run of real Parsl, in a fresh Python process.

The orchestrator (capture.py) starts `python -m capture.runner SPEC.json` in a
new session for every run, so each run has exactly one parsl.load().  The
run loads a Config, warms the workers up, times the workload, cleans up, and
writes result.json (timings, task id range, workers started) beside the spec.
Parsl's own files land in <workdir>/runinfo/000/, which the orchestrator
copies into the bundle.
"""

import json
import logging
import os
import sys
import threading
import time
import traceback

T_PROCESS_START = time.perf_counter()
BACKGROUND = []   # busy-loop processes of the run (start_background)


def build_config(spec, run_dir):
    """Return the parsl Config for a run spec (executor, workers, logging)."""
    from parsl.config import Config
    from parsl.executors import HighThroughputExecutor, ThreadPoolExecutor
    from parsl.providers import LocalProvider

    workers = int(spec['workers'])
    if spec['executor'] == 'threads':
        executor = ThreadPoolExecutor(label='threads', max_threads=workers)
    elif spec['executor'] == 'htex':
        executor = HighThroughputExecutor(
            label='htex',
            max_workers_per_node=workers,
            worker_debug=bool(spec.get('worker_debug')),
            provider=LocalProvider(init_blocks=1, min_blocks=0, max_blocks=1),
        )
    else:
        raise ValueError('unknown executor %r' % spec['executor'])

    logmode = spec['logging']
    if logmode in ('on', 'info'):
        # info: Parsl's logging with the parsl logger at INFO (set after
        # parsl.load, set_logging_level): the DEBUG calls of the
        # submitting process make no record.
        init_logging = True
    elif logmode == 'off':
        init_logging = False
    elif logmode == 'off_all':
        # NoopLogging is a LogConfig: the DFK passes it to HTEX, which pickles
        # it to the interchange, the manager and every worker, so none of
        # them installs a file handler (parsl/logconfigs/noop.py).
        from parsl.logconfigs.noop import NoopLogging
        init_logging = NoopLogging()
    else:
        raise ValueError('unknown logging mode %r' % logmode)

    kwargs = {}
    if spec.get('monitoring'):
        from parsl.monitoring import MonitoringHub
        kwargs['monitoring'] = MonitoringHub(
            logging_endpoint='sqlite:///' + os.path.join(
                os.path.dirname(os.path.abspath(run_dir)), 'monitoring.db'),
            resource_monitoring_enabled=False,
        )
    return Config(executors=[executor], run_dir=run_dir,
                  initialize_logging=init_logging, **kwargs)


def set_logging_level(logmode):
    """For the info mode, raise the parsl logger from DEBUG to INFO.

    parsl.load's set_file_logger leaves the parsl logger at DEBUG, so
    about half of parsl.log's records a task are DEBUG ones.  A user can
    keep the log and drop those with one line after parsl.load; only the
    submitting process's logger is set: HTEX's interchange, manager and
    workers log as with `on`.
    """
    if logmode == 'info':
        logging.getLogger('parsl').setLevel(logging.INFO)


def start_background(n):
    """Start n busy-loop processes, the machine's other load for a run.

    On a 2-core machine one busy core makes Parsl's logging-on thread pool
    1.5-2 times faster (docs/validate.md): a record's flush then finds no
    idle core for the waiting thread to wake on.  They run at the run's
    own priority and are stopped, by their process ids, after the timed
    section (stop_background).
    """
    import subprocess
    for _ in range(n):
        BACKGROUND.append(subprocess.Popen(
            [sys.executable, '-c', 'while True: pass'], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return list(BACKGROUND)


def stop_background():
    for p in BACKGROUND:
        p.kill()
    for p in BACKGROUND:
        p.wait()
    del BACKGROUND[:]


def wait_for_htex(executor, deadline):
    """Wait until a manager has registered; return its worker_count.

    The manager registers once, reporting the workers it will spawn:
    min(max_workers_per_node, floor(cores / cores_per_worker)).  Returns
    None if no manager registered before the deadline (time.monotonic).
    """
    while time.monotonic() < deadline:
        try:
            managers = executor.connected_managers()
        except Exception:
            managers = []
        if managers:
            return sum(int(m.get('worker_count', 0)) for m in managers)
        time.sleep(0.02)
    return None


def warm_up(spec, dfk, result):
    """Make every worker ready; fill workers_started and warm-up details."""
    from capture.workloads import warm

    executor = dfk.executors[spec['executor']]
    workers = int(spec['workers'])
    if spec['executor'] == 'htex':
        t = time.perf_counter()
        started = wait_for_htex(executor,
                                time.monotonic() + spec.get('warmup_timeout_s', 60))
        result['manager_wait_s'] = time.perf_counter() - t
        if started is None:
            raise RuntimeError('no HTEX manager registered')
        result['workers_started'] = started
        n = 2 * started
    else:
        n = 2 * workers
    # Repeat batches until every worker has answered (distinct pids for
    # HTEX, distinct thread ids for threads), at most 10 batches.  Threads:
    # one task per thread, sleeping longer than the batch takes to submit,
    # so the pool must create every thread; the sleep doubles per batch.
    want = n // 2
    if spec['executor'] == 'threads':
        n = workers
    delay = 0.02 + 0.002 * n
    seen = set()
    batches = 0
    tasks = 0
    while batches < 10 and len(seen) < want:
        futs = [warm(delay) for _ in range(n)]
        for f in futs:
            pid, tid = f.result()
            seen.add(pid if spec['executor'] == 'htex' else tid)
        batches += 1
        tasks += n
        delay *= 2
    # Then the same steady batch for every configuration, so a run with 4
    # workers is as warm as one with 192 (which warmed with 192 tasks):
    # the first few hundred tasks of a fresh DFK run measurably slower.
    steady = int(spec.get('warmup_steady_tasks', 256))
    for f in [warm(0) for _ in range(steady)]:
        f.result()
    tasks += steady
    result['warmup_tasks'] = tasks
    result['warmup_batches'] = batches
    result['warmup_workers_seen'] = len(seen)
    if spec['executor'] == 'threads':
        result['workers_started'] = len(getattr(executor.executor, '_threads', ()))


class GcRecorder:
    """CPython's cyclic garbage collections during the timed section.

    A full (generation 2) collection walks every tracked object with the
    GIL held, so its pause grows with the futures the program holds: the
    simulator models it (docs/bundle.md, gc.csv).  Each event is
    [seconds since start, generation, duration_s, tasks submitted so far,
    objects collected, tasks not yet wiped from dfk.tasks]; the callback
    costs a few microseconds a collection.
    """

    def __init__(self, dfk, first_task):
        self.dfk = dfk
        self.first_task = first_task
        self.events = []
        self.t0 = 0.0
        self.started = 0.0

    def callback(self, phase, info):
        now = time.perf_counter()
        if phase == 'start':
            self.started = now
            return
        self.events.append([round(self.started - self.t0, 6), info['generation'],
                            round(now - self.started, 7),
                            self.dfk.task_count - self.first_task, info['collected'],
                            len(self.dfk.tasks)])

    def start(self):
        import gc
        self.t0 = time.perf_counter()
        gc.callbacks.append(self.callback)

    def stop(self, result):
        import gc
        gc.callbacks.remove(self.callback)
        full = [e for e in self.events if e[1] == 2]
        result['gc_events'] = self.events
        result['gc_full'] = len(full)
        result['gc_full_s'] = sum(e[2] for e in full)
        result['gc_young_s'] = sum(e[2] for e in self.events if e[1] != 2)


class ProcessCpu:
    """CPU time of HTEX's own processes during the timed section.

    The interchange is a child of this process; the worker pool (manager)
    is started by LocalProvider in a session of its own, so it is found by
    its command line, which names this run's log directory; its workers are
    its descendants.  CPU is user + system seconds (psutil).  Together with
    timed_cpu_s this says where a task's CPU goes, process by process.
    """

    def __init__(self, run_dir):
        import psutil
        self.psutil = psutil
        me = psutil.Process()
        self.groups = {'interchange': [], 'manager': [], 'workers': []}
        for p in me.children(recursive=True):
            if 'interchange' in ' '.join(self._cmdline(p)):
                self.groups['interchange'].append(p)
        for p in psutil.process_iter():
            line = ' '.join(self._cmdline(p))
            if 'process_worker_pool' in line and run_dir in line:
                self.groups['manager'].append(p)
                self.groups['workers'] += self._children(p)
        self.start = self._sample()

    def _cmdline(self, p):
        try:
            return p.cmdline()
        except self.psutil.Error:
            return []

    def _children(self, p):
        try:
            return p.children(recursive=True)
        except self.psutil.Error:
            return []

    def _sample(self):
        out = {}
        for name, procs in self.groups.items():
            total = 0.0
            for p in procs:
                try:
                    t = p.cpu_times()
                    total += t.user + t.system
                except self.psutil.Error:
                    pass
            out[name] = total
        return out

    def stop(self, result):
        end = self._sample()
        for name in self.groups:
            if self.groups[name]:
                result['cpu_%s_s' % name] = end[name] - self.start[name]


def count_htex_records(run_dir, t0, t1, tasks, result):
    """Records per task in the timed section of each HTEX log.

    Lines start with %(created)f; with worker_debug the interchange and
    the manager write their DEBUG records too, which is how a plan counts
    the records that logging creates and the handler's level then drops.
    """
    import glob
    found = {'interchange': glob.glob(os.path.join(run_dir, '*', 'interchange.log')),
             'manager': glob.glob(os.path.join(run_dir, '*', 'block-*', '*', 'manager.log')),
             'workers': glob.glob(os.path.join(run_dir, '*', 'block-*', '*', 'worker_*.log'))}
    for name, paths in found.items():
        if not paths or tasks <= 0:
            continue
        n = 0
        for path in paths:
            with open(path, errors='replace') as f:
                for line in f:
                    try:
                        created = float(line.split(' ', 1)[0])
                    except ValueError:
                        continue
                    n += t0 <= created <= t1
        result['records_%s' % name] = n / tasks


def cleanup_after_failure():
    """Best-effort DFK cleanup (bounded to 20 s) so HTEX stops its processes.

    The orchestrator kills whatever is left, but a clean shutdown is kinder.
    """
    try:
        import parsl
        dfk = parsl.dfk()
    except Exception:
        return
    t = threading.Thread(target=dfk.cleanup, daemon=True)
    t.start()
    t.join(20)


def context_switches():
    """(voluntary, involuntary) context switches of this process, all threads.

    A voluntary one is a thread blocking: on the GIL, a lock, a queue.  How
    often the submitting process's threads hand the GIL over is what the
    simulator's wake-ups model.
    """
    import resource
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_nvcsw, r.ru_nivcsw


def thread_role(name):
    """Which of the submitting process's threads a thread name is."""
    if name == 'MainThread':
        return 'main'
    if name.startswith('Task-Launch'):
        return 'launch'
    if name.startswith('HTEX-Result-Queue-Thread'):
        return 'result'
    if '_parsl_internal' in name:
        return 'join'
    if name.startswith('ThreadPoolExecutor-'):
        return 'workers'
    return 'other'


def thread_stats():
    """{native thread id: (role, CPU seconds, voluntary switches)} for this
    process's Python threads: CPU from each thread's own clock (ns), the
    switches from /proc.  Which thread does what, per task, is what the
    simulator's stages and wake-ups stand for (docs/bundle.md)."""
    out = {}
    for t in threading.enumerate():
        try:
            cpu = time.clock_gettime(time.pthread_getcpuclockid(t.ident))
            with open('/proc/self/task/%d/status' % t.native_id) as f:
                vcsw = next(int(line.split()[1]) for line in f
                            if line.startswith('voluntary_ctxt_switches'))
        except (OSError, ValueError, StopIteration, TypeError):
            continue
        out[t.native_id] = (thread_role(t.name), cpu, vcsw)
    return out


def thread_deltas(before, after, result):
    """Per role: the threads' CPU and voluntary switches between two
    thread_stats(); a thread started in between counts from its start."""
    from capture.bundle import THREAD_ROLES
    for role in THREAD_ROLES:
        result['thread_cpu_%s_s' % role] = 0.0
        result['thread_vcsw_%s' % role] = 0
    for tid, (role, cpu, vcsw) in after.items():
        _, cpu0, vcsw0 = before.get(tid, (role, 0.0, 0))
        result['thread_cpu_%s_s' % role] += cpu - cpu0
        result['thread_vcsw_%s' % role] += vcsw - vcsw0


def speed_probe_parsl_s(workdir):
    """Seconds for a fixed piece of Parsl's own per-task work, the median
    of three: 300 DEBUG records through a FileHandler with Parsl's format
    (flushed each) and 200 pack/unpack_apply_message round trips.  The
    pure-Python loop of speed_probe_s missed a slower host on 2026-12-03
    (Parsl 1.2-1.6x slower, the loop not), so this one does what the
    runs do."""
    from parsl.log_utils import DEFAULT_FORMAT
    from capture.micro import dill_roundtrip

    apply_roundtrips = dill_roundtrip()
    path = os.path.join(workdir, 'speed_probe.log')
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter(DEFAULT_FORMAT))
    logger = logging.getLogger('capture.speed_probe')
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    times = []
    try:
        for _ in range(3):
            t = time.perf_counter()
            for i in range(300):
                logger.debug('Task %s will be sent to executor %s', i, 'htex')
            apply_roundtrips(200, None)
            times.append(time.perf_counter() - t)
    finally:
        logger.removeHandler(handler)
        handler.close()
        os.remove(path)
    return sorted(times)[1]


def speed_probe_s():
    """Seconds for a fixed pure-Python loop, the median of five: the
    machine's speed around a run.  Quiet, it is the same for every run of a
    capture; when other tenants slow the host it grows with them, which
    timed_host_busy_s does not show when the slowdown is below the guest."""
    times = []
    for _ in range(5):
        t = time.perf_counter()
        x = 0
        for i in range(50000):
            x += i * i % 7
        times.append(time.perf_counter() - t)
    return sorted(times)[2]


def host_busy_s():
    """Machine-wide busy CPU seconds so far (all cores), from /proc/stat.

    Busy = user + nice + system + irq + softirq + steal.  None if unknown.
    """
    try:
        with open('/proc/stat') as f:
            fields = f.readline().split()
        ticks = [int(x) for x in fields[1:9]]
        busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]
        return busy / os.sysconf('SC_CLK_TCK')
    except (OSError, ValueError, IndexError):
        return None


def main(spec_path):
    with open(spec_path) as f:
        spec = json.load(f)
    workdir = os.path.dirname(os.path.abspath(spec_path))
    result = {'run_id': spec['run_id'], 'status': 'failed', 'pid': os.getpid()}
    res_path = os.path.join(workdir, 'result.json')

    def write_result():
        tmp = res_path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(result, f, indent=1, sort_keys=True)
        os.replace(tmp, res_path)

    try:
        t = time.perf_counter()
        import parsl
        from capture import workloads
        result['import_s'] = time.perf_counter() - t

        config = build_config(spec, os.path.join(workdir, 'runinfo'))
        t = time.perf_counter()
        dfk = parsl.load(config)
        result['load_s'] = time.perf_counter() - t
        set_logging_level(spec['logging'])
        result['parsl_run_dir'] = os.path.relpath(dfk.run_dir, workdir)
        write_result()

        logging.getLogger('parsl.capture').info(
            'capture: warm-up start run_id=%s', spec['run_id'])
        result['t_warmup_start_unix'] = time.time()
        t = time.perf_counter()
        warm_up(spec, dfk, result)
        result['warmup_s'] = time.perf_counter() - t
        write_result()

        program = workloads.PROGRAMS[spec['workload']]
        size = int(spec['size'])
        marker = logging.getLogger('parsl.capture')
        result['task_id_first'] = dfk.task_count
        profiler = None
        if spec.get('profile'):
            from pyinstrument import Profiler
            profiler = Profiler()
        collections = GcRecorder(dfk, result['task_id_first'])
        processes = ProcessCpu(dfk.run_dir) if spec['executor'] == 'htex' else None
        background = start_background(int(spec.get('background', 0)))
        if background:
            time.sleep(0.2)   # let them reach a core before the timed section
        marker.info('capture: timed section start run_id=%s', spec['run_id'])
        result['t_start_unix'] = time.time()
        if profiler is not None:
            profiler.start()
        busy0 = host_busy_s()
        collections.start()
        switches0 = context_switches()
        threads0 = thread_stats()
        cpu0 = time.process_time()
        t = time.perf_counter()
        value = program(size)
        makespan = time.perf_counter() - t
        result['timed_cpu_s'] = time.process_time() - cpu0
        stop_background()
        thread_deltas(threads0, thread_stats(), result)
        switches1 = context_switches()
        result['timed_vcsw'] = switches1[0] - switches0[0]
        result['timed_ivcsw'] = switches1[1] - switches0[1]
        collections.stop(result)
        if processes is not None:
            processes.stop(result)
        busy1 = host_busy_s()
        if busy0 is not None and busy1 is not None:
            result['timed_host_busy_s'] = busy1 - busy0
        if profiler is not None:
            profiler.stop()
        result['t_end_unix'] = time.time()
        result['speed_probe_s'] = speed_probe_s()
        result['speed_probe_parsl_s'] = speed_probe_parsl_s(workdir)
        marker.info('capture: timed section end run_id=%s', spec['run_id'])
        result['makespan_s'] = makespan
        result['task_id_last'] = dfk.task_count - 1
        result['tasks_submitted'] = dfk.task_count - result['task_id_first']
        result['result_ok'] = value == workloads.expected_result(spec['workload'], size)
        result['threads_alive'] = threading.active_count()
        if profiler is not None:
            from pyinstrument.renderers import JSONRenderer
            with open(os.path.join(workdir, 'profile.json'), 'w') as f:
                f.write(profiler.output(JSONRenderer()))
        write_result()

        t = time.perf_counter()
        dfk.cleanup()
        parsl.clear()
        result['cleanup_s'] = time.perf_counter() - t
        if spec['executor'] == 'htex':
            count_htex_records(dfk.run_dir, result['t_start_unix'], result['t_end_unix'],
                               result['tasks_submitted'], result)
        result['total_s'] = time.perf_counter() - T_PROCESS_START
        result['status'] = 'ok' if result['result_ok'] else 'failed'
        if not result['result_ok']:
            result['error'] = 'wrong result %r' % (value,)
    except BaseException as e:
        result['status'] = 'failed'
        result['error'] = ''.join(traceback.format_exception(e))[-4000:]
        stop_background()
        write_result()
        cleanup_after_failure()
    write_result()
    return 0 if result['status'] == 'ok' else 1


if __name__ == '__main__':
    rc = main(sys.argv[1])
    sys.stdout.flush()
    sys.stderr.flush()
    # Parsl may leave non-daemon threads behind after a failure; the
    # result is written, so leave without waiting for them.
    os._exit(rc)
