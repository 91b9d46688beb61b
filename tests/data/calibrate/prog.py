import sys, os
import parsl
from parsl.config import Config
from parsl.executors import ThreadPoolExecutor, HighThroughputExecutor
from parsl.providers import LocalProvider
from parsl import python_app

@python_app
def double(x):
    return 2 * x

def main():
    kind = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    if kind == 'threads':
        ex = ThreadPoolExecutor(label='threads', max_threads=2)
    else:
        ex = HighThroughputExecutor(label='htex', max_workers_per_node=2,
                                    provider=LocalProvider(init_blocks=1, min_blocks=0, max_blocks=1))
    cfg = Config(executors=[ex], run_dir='runinfo_' + kind)
    with parsl.load(cfg):
        futs = [double(i) for i in range(n)]
        s = sum(f.result() for f in futs)
    print(s)

if __name__ == '__main__':
    main()
