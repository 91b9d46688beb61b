"""Run one child process in its own session and leave nothing behind.

Parsl's HTEX starts an interchange (a child of the submitting process, same
process group) and, through LocalProvider, a worker pool that calls
os.setpgrp() (parsl/utils.py, execute_wait) and so lives in a process group of
its own.  Killing the run's process group is therefore not enough: while the
run is going we record every descendant (pid, create time, pgid), and after
the run we kill whichever of them is still alive, plus any process whose
command line names the run's scratch directory, and their children.
"""

import os
import signal
import subprocess
import time

import psutil


class Tracked:
    """A child started with start_new_session=True and its descendants."""

    def __init__(self, argv, cwd, env, stdout, stderr):
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=stdout,
                                     stderr=stderr, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        self.pgid = self.proc.pid
        self.seen = {}  # pid -> create_time, of every descendant ever seen
        self._note(self.proc.pid)

    def _note(self, pid):
        try:
            p = psutil.Process(pid)
            self.seen.setdefault(pid, p.create_time())
            for c in p.children(recursive=True):
                try:
                    self.seen.setdefault(c.pid, c.create_time())
                except psutil.Error:
                    pass
        except psutil.Error:
            pass

    def wait(self, timeout_s, poll_s=0.2):
        """Wait for the child; return its exit code, or None on timeout."""
        deadline = time.monotonic() + timeout_s
        while True:
            self._note(self.proc.pid)
            rc = self.proc.poll()
            if rc is not None:
                return rc
            if time.monotonic() >= deadline:
                return None
            time.sleep(poll_s)

    def kill_group(self):
        try:
            os.killpg(self.pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass

    def reap_strays(self, marker):
        """Kill leftovers of this run; return a list of (pid, cmdline) killed.

        marker: a string (the run's scratch dir) that appears in the command
        line of the run's worker pool processes.
        """
        victims = {}
        for pid, ctime in self.seen.items():
            if pid == self.proc.pid:
                continue
            try:
                p = psutil.Process(pid)
                if abs(p.create_time() - ctime) < 0.01:
                    victims[pid] = p
            except psutil.Error:
                pass
        for p in psutil.process_iter(['pid', 'cmdline']):
            try:
                if marker in ' '.join(p.info['cmdline'] or ()):
                    victims[p.pid] = p
            except psutil.Error:
                pass
        for p in list(victims.values()):
            try:
                for c in p.children(recursive=True):
                    victims[c.pid] = c
            except psutil.Error:
                pass
        victims.pop(os.getpid(), None)
        killed = []
        for pid, p in victims.items():
            try:
                cmd = ' '.join(p.cmdline())[:200]
                p.kill()
                killed.append((pid, cmd))
            except psutil.Error:
                pass
        psutil.wait_procs(list(victims.values()), timeout=3)
        return killed
