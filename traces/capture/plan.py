"""Capture plans: YAML files that list the timing runs of a bundle.

A plan has top-level defaults and a list of groups; each group is a
cartesian product of workloads x sizes x executors x workers x logging,
repeated `reps` times.  expand() turns a plan into an ordered list of run
specs (dicts) with stable run ids.  Repetitions are the outer loop, so that
slow drift of the machine spreads over all configurations.
"""

import itertools

import yaml

from capture.workloads import task_count

WORKLOADS = ('double', 'increment', 'fibonacci')
EXECUTORS = ('threads', 'htex')
LOGGING = ('on', 'off', 'off_all', 'info')
ROLES = ('calibration', 'heldout')
MAX_TASKS = 200000
GROUP_KEYS = {'name', 'workloads', 'sizes', 'executors', 'workers', 'logging',
              'role', 'reps', 'profile', 'monitoring', 'worker_debug', 'timeout_s',
              'keep_logs', 'background'}
KEEP_LOGS = ('all', 'first', 'none')


class PlanError(ValueError):
    pass


def load(path):
    """Return the plan in the YAML file at path; raise PlanError if invalid."""
    with open(path) as f:
        plan = yaml.safe_load(f)
    validate(plan, path)
    return plan


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _logmode(v):
    # YAML 1.1 reads bare on/off as booleans; accept them as the mode names.
    if v is True:
        return 'on'
    if v is False:
        return 'off'
    return v


def validate(plan, where='plan'):
    """Check a loaded plan in place (normalizing logging modes)."""
    if not isinstance(plan, dict) or not isinstance(plan.get('groups'), list):
        raise PlanError('%s: a plan is a mapping with a list of groups' % where)
    for i, group in enumerate(plan['groups']):
        if not isinstance(group, dict):
            raise PlanError('%s: group %d is not a mapping' % (where, i + 1))
        group['logging'] = [_logmode(v) for v in _as_list(group.get('logging', 'on'))]
        place = '%s: group %d' % (where, i + 1)
        unknown = set(group) - GROUP_KEYS
        if unknown:
            raise PlanError('%s: unknown key %r' % (place, sorted(unknown)[0]))
        for key, allowed in (('workloads', WORKLOADS), ('executors', EXECUTORS),
                             ('logging', LOGGING)):
            for v in _as_list(group.get(key, [])):
                if v not in allowed:
                    raise PlanError('%s: %s must be one of %s, not %r'
                                    % (place, key, ', '.join(allowed), v))
        for key in ('workloads', 'sizes', 'executors', 'workers'):
            if key not in group:
                raise PlanError('%s: missing key %r' % (place, key))
        for w in _as_list(group['workloads']):
            for n in _as_list(group['sizes']):
                if not isinstance(n, int) or n < 0 or task_count(w, n) > MAX_TASKS:
                    raise PlanError('%s: size %r of %s is not an integer giving '
                                    'at most %d tasks' % (place, n, w, MAX_TASKS))
        for key in ('profile', 'monitoring', 'worker_debug'):
            if not isinstance(group.get(key, False), bool):
                raise PlanError('%s: %s must be true or false, not %r'
                                % (place, key, group[key]))
        background = group.get('background', 0)
        if not isinstance(background, int) or isinstance(background, bool) or \
                not 0 <= background <= 64:
            raise PlanError('%s: background must be an integer from 0 to 64, not %r'
                            % (place, background))
        if background and group.get('role', 'calibration') != 'heldout':
            raise PlanError('%s: a group with background runs on a busy machine, which '
                            'sim calibrate does not fit: give it role: heldout' % place)
        if group.get('keep_logs', 'first') not in KEEP_LOGS:
            raise PlanError('%s: keep_logs must be all, first or none' % place)
        if group.get('role', 'calibration') not in ROLES:
            raise PlanError('%s: role must be calibration or heldout' % place)


def expand(plan):
    """Return the plan's runs as a list of dicts, in execution order."""
    default_reps = int(plan.get('repetitions', 3))
    default_timeout = float(plan.get('timeout_s', 120))
    configs = []
    for gi, group in enumerate(plan['groups']):
        product = itertools.product(
            _as_list(group['workloads']), _as_list(group['sizes']),
            _as_list(group['executors']), _as_list(group['workers']),
            _as_list(group.get('logging', 'on')))
        for workload, size, executor, workers, logmode in product:
            configs.append({
                'group': group.get('name', 'g%d' % (gi + 1)),
                'workload': workload,
                'size': int(size),
                'tasks': task_count(workload, int(size)),
                'executor': executor,
                'workers': int(workers),
                'logging': logmode,
                'role': group.get('role', 'calibration'),
                'profile': bool(group.get('profile', False)),
                'monitoring': bool(group.get('monitoring', False)),
                'worker_debug': bool(group.get('worker_debug', False)),
                'timeout_s': float(group.get('timeout_s', default_timeout)),
                'reps': int(group.get('reps', default_reps)),
                'keep_logs': group.get('keep_logs'),
                'background': int(group.get('background', 0)),
            })
    runs = []
    seen = set()
    max_reps = max([c['reps'] for c in configs] or [0])
    for rep in range(max_reps):
        for c in configs:
            if rep >= c['reps']:
                continue
            run = dict(c, rep=rep)
            del run['reps']
            flags = ('-prof' if c['profile'] else '') + ('-mon' if c['monitoring'] else '') + \
                ('-dbg' if c['worker_debug'] else '') + \
                ('-bg%d' % c['background'] if c['background'] else '')
            base = '%s-%s-n%d-%s-w%d-log_%s%s-r%d' % (
                c['group'], c['workload'], c['size'], c['executor'], c['workers'],
                c['logging'], flags, rep)
            run_id = base
            k = 2
            while run_id in seen:
                run_id = '%s-%d' % (base, k)
                k += 1
            seen.add(run_id)
            run['run_id'] = run_id
            runs.append(run)
    return runs
