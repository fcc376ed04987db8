"""``kcore distribute``: run N workers of a training script on this machine.

Each worker is ``python SCRIPT.py [args]`` (or ``python -m MODULE [args]``) with ``TF_CONFIG``
naming all the workers at 127.0.0.1 on free ports and its own index, which is what
``MultiWorker()`` reads. Worker 0 writes to this terminal as it is; the others' lines are
prefixed with ``[worker i]``. When a worker fails, the others get ``grace`` seconds to stop
by themselves (they raise ``WorkerTimeoutError`` naming it), then they are terminated.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

HOST = '127.0.0.1'


def free_ports(count, host=HOST):
    """``count`` distinct TCP ports that are free on ``host`` right now."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def tf_config(addresses, index):
    """The ``TF_CONFIG`` of worker ``index`` of the workers at ``addresses``."""
    return json.dumps({'cluster': {'worker': list(addresses)},
                       'task': {'type': 'worker', 'index': index}})


def launch(program, workers=2, grace=30.0, timeout=None, env=None, host=HOST):
    """Run ``program`` (['script.py', args...] or ['-m', 'module', args...]) as ``workers``
    processes and wait for them; return 0 when all succeed, else the exit status of the first
    that failed (124 when ``timeout`` seconds passed first)."""
    if workers < 1:
        raise ValueError('kcore distribute: --workers must be at least 1; got %d.' % workers)
    addresses = ['%s:%d' % (host, port) for port in free_ports(workers, host)]
    processes, copiers = [], []
    try:
        for index in range(workers):
            child_env = dict(os.environ if env is None else env,
                             TF_CONFIG=tf_config(addresses, index))
            pipe = None if index == 0 else subprocess.PIPE
            process = subprocess.Popen([sys.executable] + list(program), env=child_env,
                                       stdout=pipe, stderr=subprocess.STDOUT if pipe else None)
            processes.append(process)
            if pipe:
                copiers.append(threading.Thread(target=_copy_lines, args=(process.stdout, index),
                                                daemon=True))
                copiers[-1].start()
        return _wait(processes, grace, timeout)
    finally:
        _stop(processes)
        for copier in copiers:  # the last lines of the workers that just ended
            copier.join(5.0)


def _copy_lines(stream, index):
    for line in iter(stream.readline, b''):
        sys.stdout.write('[worker %d] %s' % (index, line.decode('utf-8', 'replace')))
        sys.stdout.flush()


def _wait(processes, grace, timeout):
    started, failed, failed_at = time.monotonic(), None, None
    while True:
        codes = [p.poll() for p in processes]
        if all(code is not None for code in codes):
            if failed is None:
                failed = next((i for i, code in enumerate(codes) if code), None)
            return _status(codes[failed]) if failed is not None else 0
        if failed is None:
            failed = next((i for i, code in enumerate(codes) if code), None)
            if failed is not None:
                failed_at = time.monotonic()
                _say('worker %d exited with %s; the others have %g s to stop.'
                     % (failed, _describe(codes[failed]), grace))
        if failed is not None and time.monotonic() - failed_at > grace:
            _say('stopping the workers still running after worker %d failed.' % failed)
            return _status(codes[failed])
        if timeout is not None and time.monotonic() - started > timeout:
            _say('the workers ran past --timeout %g s; stopping them.' % timeout)
            return 124
        time.sleep(0.1)


def _stop(processes, wait=5.0):
    """Terminate the processes still running; kill those that do not end within ``wait``."""
    running = [p for p in processes if p.poll() is None]
    for p in running:
        p.terminate()
    deadline = time.monotonic() + wait
    for p in running:
        try:
            p.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def _status(code):
    return 128 - code if code < 0 else code


def _describe(code):
    if code < 0:
        try:
            return 'signal %s' % signal.Signals(-code).name
        except ValueError:
            return 'signal %d' % -code
    return 'code %d' % code


def _say(message):
    print('kcore distribute: %s' % message, file=sys.stderr, flush=True)


def cmd_distribute(args):
    """Run N workers of a training script on this machine (TF_CONFIG on 127.0.0.1)."""
    program = ['-m'] + args.module if args.module else list(args.program)
    if not program:
        print('kcore distribute: name the script to run (SCRIPT.py [args] or -m MODULE).',
              file=sys.stderr)
        return 2
    return launch(program, workers=args.workers, grace=args.grace, timeout=args.timeout)


def add_cli(commands):
    """Add ``distribute`` to the ``kcore`` command's subparsers."""
    p = commands.add_parser('distribute', help=cmd_distribute.__doc__,
                            description=cmd_distribute.__doc__)
    p.add_argument('--workers', type=int, default=2, help='how many workers (default 2)')
    p.add_argument('--grace', type=float, default=30.0,
                   help='seconds the other workers get to stop after one failed (default 30)')
    p.add_argument('--timeout', type=float, help='stop all workers after this many seconds')
    p.add_argument('-m', dest='module', nargs=argparse.REMAINDER, metavar='MODULE [args]',
                   help='run a module, as python -m does')
    p.add_argument('program', nargs=argparse.REMAINDER, help='SCRIPT.py [args ...]')
    p.set_defaults(run=cmd_distribute)
    return p
