"""What the fault suite shares: the counters printed at the end of its run, a deadline
that turns a hang into a failure, small models, and fresh interpreters with hard timeouts."""
import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import threading

import numpy as np

# Printed by conftest.pytest_terminal_summary: what the run did to kcore.
COUNTS = {'kills': 0, 'byte_flips': 0, 'fuzz_examples': 0, 'threads': 0}

# Every child process gets this long at most; a hang fails its test instead of the run.
CHILD_TIMEOUT = 120


def count(name, n=1):
    COUNTS[name] += n


class Hang(AssertionError):
    """Raised in the main thread when a call outlives its deadline."""


@contextlib.contextmanager
def deadline(seconds, what):
    """Fail with :class:`Hang` if the block runs longer than ``seconds`` (main thread only:
    SIGALRM interrupts the Python loop that spins)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise Hang('%s did not finish within %d s' % (what, seconds))

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(int(seconds))
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def child_env(**extra):
    """The environment for a child interpreter: this one's, kcore's test settings kept."""
    env = dict(os.environ)
    env.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start_python(code, **extra_env):
    """A child interpreter running ``code`` (dedented), its output in pipes."""
    return subprocess.Popen([sys.executable, '-c', textwrap.dedent(code)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=child_env(**extra_env))


def run_python(code, timeout=CHILD_TIMEOUT, **extra_env):
    """Run ``code`` in a fresh interpreter to its end; (returncode, stdout, stderr)."""
    process = start_python(code, **extra_env)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise Hang('child process did not finish within %d s; its output:\n%s\n%s'
                   % (timeout, out[-3000:], err[-3000:])) from None
    return process.returncode, out, err


def dense_model(input_dim=4, hidden=3, activation='relu', loss='mse', optimizer='sgd'):
    """A compiled two-layer Sequential model."""
    from kcore.layers import Dense
    from kcore.models import Sequential
    model = Sequential([Dense(hidden, input_dim=input_dim, activation=activation), Dense(1)])
    model.compile(optimizer, loss)
    return model


def regression_data(rows=20, input_dim=4, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(rows, input_dim).astype('float32')
    return x, x.sum(axis=1, keepdims=True).astype('float32')
