import parsl
from parsl.config import Config
from parsl.executors import ThreadPoolExecutor
from parsl import python_app, join_app

@python_app
def add(*args):
    return sum(args)

@python_app
def inc(x):
    return x + 1

@join_app
def fib(n):
    if n < 2:
        return add(n)
    return add(fib(n - 1), fib(n - 2))

cfg = Config(executors=[ThreadPoolExecutor(label='threads', max_threads=2)], run_dir='run_join')
with parsl.load(cfg):
    print(fib(5).result())
    f = inc(0)
    for i in range(5):
        f = inc(f)
    print(f.result())
