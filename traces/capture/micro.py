"""Micro-benchmarks of the costs Parsl's per-task path is made of.

Run as `python -m capture.micro OUT.json REPEATS WORKDIR` in a fresh process.
Each benchmark times a batch of `n` operations `repeats` times and reports
the per-operation cost in seconds: median, min, max, p25, p75 and every
sample.  Writes OUT.json atomically.
"""

import json
import logging
import os
import platform
import queue
import resource
import statistics
import sys
import threading
import time


def _summary(samples):
    s = sorted(samples)
    q = statistics.quantiles(s, n=4) if len(s) >= 2 else [s[0]] * 3
    return {'median_s': statistics.median(s), 'min_s': s[0], 'max_s': s[-1],
            'p25_s': q[0], 'p75_s': q[2], 'samples_s': s}


def bench(fn, n, repeats, setup=None, teardown=None, counters=False):
    """Time fn(n) `repeats` times; return per-operation seconds statistics.

    With counters, also the process's CPU seconds and voluntary context
    switches per operation (medians over the samples): what a hand-off
    costs in CPU, beside its wall time.
    """
    samples, cpu, vcsw = [], [], []
    for _ in range(repeats):
        state = setup() if setup else None
        if counters:
            r0, c0 = resource.getrusage(resource.RUSAGE_SELF), time.process_time()
        t = time.perf_counter()
        fn(n, state)
        samples.append((time.perf_counter() - t) / n)
        if counters:
            c1, r1 = time.process_time(), resource.getrusage(resource.RUSAGE_SELF)
            cpu.append((c1 - c0) / n)
            vcsw.append((r1.ru_nvcsw - r0.ru_nvcsw) / n)
        if teardown:
            teardown(state)
    out = _summary(samples)
    out['ops_per_sample'] = n
    out['repeats'] = repeats
    if counters:
        out['cpu_median_s'] = statistics.median(cpu)
        out['vcsw_per_op'] = statistics.median(vcsw)
    return out


def log_enabled(workdir):
    """A parsl logger with Parsl's own DEBUG FileHandler on a file."""
    from parsl.logconfigs.file import FileLogging
    import pathlib
    undo = FileLogging(level=logging.DEBUG).initialize_logging(
        log_dir=pathlib.Path(workdir), log_name='micro_parsl')
    logger = logging.getLogger('parsl.dataflow.dflow')

    def run(n, _):
        for i in range(n):
            logger.debug('Task %s will be sent to executor %s', i, 'htex')
    return run, undo


def log_dropped(workdir):
    """A DEBUG record that Parsl's set_file_logger(level=INFO) drops.

    set_file_logger sets the logger to DEBUG and only its handler to INFO,
    as the interchange and the manager run without worker_debug: every
    debug() call builds its LogRecord and hands it to the handler, whose
    level check drops it.
    """
    from parsl.log_utils import set_file_logger
    undo = set_file_logger(os.path.join(workdir, 'micro_dropped.log'),
                           name='parsl.micro.dropped', level=logging.INFO)
    logger = logging.getLogger('parsl.micro.dropped.interchange')

    def run(n, _):
        for i in range(n):
            logger.debug('Task %s will be sent to executor %s', i, 'htex')
    return run, undo


def log_disabled():
    logger = logging.getLogger('parsl.micro.disabled')
    logger.setLevel(logging.WARNING)

    def run(n, _):
        for i in range(n):
            logger.debug('Task %s will be sent to executor %s', i, 'htex')
    return run


def dill_roundtrip():
    """pack_apply_message/unpack_apply_message: what HTEX sends per task."""
    from parsl.serialize import pack_apply_message, unpack_apply_message

    def double(x):
        return x * 2

    def run(n, _):
        for i in range(n):
            buf = pack_apply_message(double, (i,), {})
            unpack_apply_message(buf)
    return run


def dill_result_roundtrip():
    from parsl.serialize import deserialize, serialize

    def run(n, _):
        for i in range(n):
            deserialize(serialize(i * 2))
    return run


def zmq_pingpong():
    """A DEALER->ROUTER->DEALER send/recv pair over tcp loopback."""
    import zmq

    def setup():
        ctx = zmq.Context()
        router = ctx.socket(zmq.ROUTER)
        port = router.bind_to_random_port('tcp://127.0.0.1')
        dealer = ctx.socket(zmq.DEALER)
        dealer.connect('tcp://127.0.0.1:%d' % port)
        dealer.send(b'hello')
        ident, _ = router.recv_multipart()
        router.send_multipart([ident, b'hello'])
        dealer.recv()
        return ctx, router, dealer, ident

    def run(n, state):
        _, router, dealer, ident = state
        payload = b'x' * 200
        for _ in range(n):
            dealer.send(payload)
            i, m = router.recv_multipart()
            router.send_multipart([i, m])
            dealer.recv()

    def teardown(state):
        ctx, router, dealer, _ = state
        router.close(0)
        dealer.close(0)
        ctx.term()
    return run, setup, teardown


def thread_handoff():
    """queue.Queue put -> get on another thread and back (one round trip)."""
    def setup():
        q_in, q_out = queue.Queue(), queue.Queue()

        def echo():
            while True:
                item = q_in.get()
                if item is None:
                    return
                q_out.put(item)
        t = threading.Thread(target=echo, daemon=True)
        t.start()
        return q_in, q_out, t

    def run(n, state):
        q_in, q_out, _ = state
        for i in range(n):
            q_in.put(i)
            q_out.get()

    def teardown(state):
        state[0].put(None)
        state[2].join()
    return run, setup, teardown


def lock_handoff():
    """threading.Lock released to a thread blocked on it, and back: the
    waiter takes the lock without the GIL (CPython blocks outside it), as a
    thread woken for concurrent.futures' pool lock does (one round trip)."""
    def setup():
        there, back = threading.Lock(), threading.Lock()
        there.acquire()
        back.acquire()
        count = [0]

        def echo():
            while True:
                there.acquire()
                if count[0] < 0:
                    return
                back.release()
        t = threading.Thread(target=echo, daemon=True)
        t.start()
        return there, back, count, t

    def run(n, state):
        there, back, _, _ = state
        for _ in range(n):
            there.release()
            back.acquire()

    def teardown(state):
        there, _, count, t = state
        count[0] = -1
        there.release()
        t.join()
    return run, setup, teardown


def thread_start():
    """threading.Thread.start() of a thread that stays alive, as
    concurrent.futures.ThreadPoolExecutor starts each new worker: start()
    returns once the new thread runs."""
    def setup():
        return threading.Event(), []

    def run(n, state):
        stop, threads = state
        for _ in range(n):
            t = threading.Thread(target=stop.wait, daemon=True)
            t.start()
            threads.append(t)

    def teardown(state):
        state[0].set()
        for t in state[1]:
            t.join()
    return run, setup, teardown


def pool_submit():
    """concurrent.futures.ThreadPoolExecutor.submit, all of which runs under
    the module's _global_shutdown_lock (the lock the DFK's threads convoy
    on: docs/model.md).  The pool's one worker is kept busy, so the submits
    only queue.  The cyclic collector is off while it runs: the queued
    futures would make full collections (modelled apart, gc.csv) part of
    some samples and not others."""
    import gc
    from concurrent.futures import ThreadPoolExecutor

    def setup():
        release = threading.Event()
        pool = ThreadPoolExecutor(max_workers=1)
        pool.submit(release.wait)
        gc.collect()
        gc.disable()
        return release, pool

    def run(n, state):
        submit = state[1].submit
        for _ in range(n):
            submit(int)

    def teardown(state):
        gc.enable()
        state[0].set()
        state[1].shutdown()
    return run, setup, teardown


def future_done():
    """One dependency checked by the DFK's _count_deps: done() on a future."""
    from concurrent.futures import Future
    f = Future()
    f.set_result(1)
    deps = [f] * 100

    def run(n, _):
        for _ in range(n // 100):
            count = 0
            for d in deps:
                if not d.done():
                    count += 1
    return run


def future_result_done():
    """The seed's collect: sum([f.result() for f in res if not isinstance(f, int)])
    over futures already done, per future."""
    from concurrent.futures import Future
    f = Future()
    f.set_result(2)
    futs = [f] * 1000

    def run(n, _):
        for _ in range(n // 1000):
            sum([fut.result() for fut in futs if not isinstance(fut, int)])
    return run


def _noop():
    pass


def spawn(method):
    import multiprocessing
    ctx = multiprocessing.get_context(method)

    def run(n, _):
        for _ in range(n):
            p = ctx.Process(target=_noop)
            p.start()
            p.join()
    return run


def main(out_path, repeats, workdir):
    from capture.runner import speed_probe_s

    os.makedirs(workdir, exist_ok=True)
    # The runs' own probe, before and after: a set measured while the host
    # was slow (one EPYC capture's came out 1.5-1.8x its neighbours') shows
    # against the runs' probes instead of passing as the machine's costs.
    probe_before = speed_probe_s()
    results = {}
    log_run, undo = log_enabled(workdir)
    results['log_record_enabled'] = bench(log_run, 2000, repeats)
    undo()
    log_run, undo = log_dropped(workdir)
    results['log_record_dropped'] = bench(log_run, 10000, repeats)
    undo()
    results['log_record_disabled'] = bench(log_disabled(), 20000, repeats)
    results['dill_apply_roundtrip'] = bench(dill_roundtrip(), 500, repeats)
    results['dill_result_roundtrip'] = bench(dill_result_roundtrip(), 2000, repeats)
    run, setup, teardown = zmq_pingpong()
    results['zmq_roundtrip_tcp'] = bench(run, 1000, repeats, setup, teardown)
    run, setup, teardown = thread_handoff()
    results['thread_handoff_roundtrip'] = bench(run, 2000, repeats, setup, teardown,
                                                counters=True)
    run, setup, teardown = lock_handoff()
    results['lock_handoff_roundtrip'] = bench(run, 2000, repeats, setup, teardown,
                                              counters=True)
    run, setup, teardown = thread_start()
    results['thread_start'] = bench(run, 50, repeats, setup, teardown)
    run, setup, teardown = pool_submit()
    results['pool_submit'] = bench(run, 2000, repeats, setup, teardown)
    results['future_done'] = bench(future_done(), 100000, repeats)
    results['future_result_done'] = bench(future_result_done(), 100000, repeats)
    results['process_spawn_fork'] = bench(spawn('fork'), 5, repeats)
    results['process_spawn_spawn'] = bench(spawn('spawn'), 2, max(3, repeats // 3))
    doc = {
        'python': platform.python_version(),
        'repeats': repeats,
        'unit': 'seconds per operation',
        'switch_interval_s': sys.getswitchinterval(),
        'speed_probe_s': {'before': probe_before, 'after': speed_probe_s()},
        'benchmarks': results,
    }
    tmp = out_path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    os.replace(tmp, out_path)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
