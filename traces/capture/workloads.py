"""The seed paper's three programs as Parsl apps.

double, increment and fibonacci are written as in the seed
(shared/seeds/000_dba51e5a2102b4f3.txt), with one fix: the increment chain
starts from futs[0] = 0, a plain int, which is what the seed's isinstance
check implies.  Apps are defined at import time but bind to the DFK loaded
when they are called, so this module can be imported before parsl.load().
"""

from parsl.app.app import join_app, python_app


@python_app
def double(x):
    return x * 2


@python_app
def increment(x):
    return x + 1


@python_app
def add(*args):
    """Add all of the arguments together (0 for no arguments)."""
    accumulator = 0
    for v in args:
        accumulator += v
    return accumulator


@join_app
def fibonacci(n):
    if n == 0:
        return add()
    elif n == 1:
        return add(1)
    else:
        return add(fibonacci(n - 1), fibonacci(n - 2))


@python_app
def warm(delay):
    """Warm-up task: sleeps a little so that tasks spread over workers.

    Returns (pid, thread id) so the caller can tell which workers answered.
    """
    import os
    import threading
    import time
    time.sleep(delay)
    return os.getpid(), threading.get_ident()


def parallel_execution(n):
    res = []
    for i in range(n):
        res.append(double(i))
    x = sum([fut.result() for fut in res if not isinstance(fut, int)])
    return x


def perform_increment(depth=5):
    futs = {0: 0}
    for i in range(1, depth):
        futs[i] = increment(futs[i - 1])
    x = sum([futs[i].result() for i in futs if not isinstance(futs[i], int)])
    return x


def run_fibonacci(n):
    return fibonacci(n).result()


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def task_count(workload, size):
    """Number of Parsl tasks the workload submits for a size parameter."""
    if workload == 'double':
        return size
    if workload == 'increment':
        return max(size - 1, 0)
    if workload == 'fibonacci':
        return 4 * fib(size + 1) - 2
    raise ValueError('unknown workload %r' % workload)


def expected_result(workload, size):
    if workload == 'double':
        return size * (size - 1)
    if workload == 'increment':
        return (size - 1) * size // 2
    if workload == 'fibonacci':
        return fib(size)
    raise ValueError('unknown workload %r' % workload)


PROGRAMS = {
    'double': parallel_execution,
    'increment': perform_increment,
    'fibonacci': run_fibonacci,
}
