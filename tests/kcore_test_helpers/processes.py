"""Run kcore in a fresh interpreter, as a user would."""
import os
import subprocess
import sys
import textwrap


def run_python(code, env=None):
    """Run ``code`` in a fresh interpreter; return the CompletedProcess (text)."""
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)], capture_output=True,
                          text=True, env=env or dict(os.environ), timeout=300)


def run_cli(*args):
    return subprocess.run([sys.executable, '-m', 'kcore', *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=300)
