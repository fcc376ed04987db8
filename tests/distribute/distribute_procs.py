"""Worker processes for the tests: started together, each under a hard timeout, all killed
when the test ends. Where the system allows it (``unshare -rn`` and ``ip``), they run in a
network namespace of their own with only the loopback interface up, so the servers they
start (TensorFlow's listens on every interface) are reachable from nowhere else."""
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_WORKER = os.path.join(HERE, 'distribute_train_worker.py')
_netns = None


def netns_available():
    """Whether commands can run in a private network namespace (tested once)."""
    global _netns
    if _netns is None:
        _netns = bool(shutil.which('unshare') and shutil.which('ip'))
        if _netns:
            try:
                _netns = subprocess.run(['unshare', '-rn', 'ip', 'link', 'set', 'lo', 'up'],
                                        capture_output=True, timeout=20).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                _netns = False
    return _netns


def worker_env(**extra):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2', PYTHONUNBUFFERED='1')
    env.pop('TF_CONFIG', None)
    env.update(extra)
    return env


class Finished:
    """What the commands left: ``codes[i]`` (137: killed at the timeout), ``outputs[i]``
    (stdout and stderr together) and ``seconds`` (wall time of them all)."""

    def __init__(self, codes, outputs, seconds):
        self.codes, self.outputs, self.seconds = codes, outputs, seconds

    def report(self):
        return '\n'.join('--- command %d: exit %s\n%s' % (i, code, out[-6000:])
                         for i, (code, out) in enumerate(zip(self.codes, self.outputs)))


def run_together(commands, folder, timeout, env=None):
    """Run ``commands`` (argument lists) at the same time, each killed after ``timeout``
    seconds; wait for all of them and return a ``Finished``."""
    lines = ['ip link set lo up'] if netns_available() else []
    for i, command in enumerate(commands):
        log = os.path.join(str(folder), 'command%d.log' % i)
        lines.append('timeout --foreground -s KILL %d %s > %s 2>&1 & pid%d=$!'
                     % (timeout, ' '.join(map(shlex.quote, command)), shlex.quote(log), i))
    for i in range(len(commands)):
        lines.append('wait $pid%d; echo $? > %s'
                     % (i, shlex.quote(os.path.join(str(folder), 'command%d.code' % i))))
    shell = ['bash', '-c', '\n'.join(lines)]
    if netns_available():
        shell = ['unshare', '-rn'] + shell
    started = time.monotonic()
    process = subprocess.Popen(shell, env=env or worker_env(), start_new_session=True)
    try:
        process.wait(timeout + 30)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
    seconds = time.monotonic() - started
    codes, outputs = [], []
    for i in range(len(commands)):
        code_file = os.path.join(str(folder), 'command%d.code' % i)
        log_file = os.path.join(str(folder), 'command%d.log' % i)
        codes.append(int(open(code_file).read()) if os.path.exists(code_file) else None)
        outputs.append(open(log_file, errors='replace').read() if os.path.exists(log_file)
                       else '')
    return Finished(codes, outputs, seconds)


def python(*args):
    return [sys.executable] + [str(a) for a in args]
