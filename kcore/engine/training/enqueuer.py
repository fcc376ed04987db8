"""Running a data generator ahead of training: worker threads (or processes, with
``pickle_safe=True``) fill a bounded queue while the model trains on earlier batches.

An exception raised by the generator reaches the consumer at its next ``get`` with the
generator's traceback; ``stop`` (or leaving the ``with`` block) ends every worker."""
import multiprocessing
import pickle
import queue
import threading
import traceback

import numpy as np

_POLL = 0.05   # seconds between checks of the stop flag and the workers' health


class GeneratorError(RuntimeError):
    """The generator failed in a worker process; the message holds its traceback."""


class GeneratorExhausted(RuntimeError):
    """The generator ended (StopIteration) after ``items`` items; the loops reword it
    with the number of samples they received."""

    def __init__(self, items):
        super().__init__('The generator stopped (StopIteration) after %d item(s). Generators '
                         'given to fit_generator and friends must loop forever (`while True:` '
                         'around the `yield`).' % items)
        self.items = items


class GeneratorEnqueuer:
    """Pulls items from ``generator`` in ``nb_worker`` workers into a queue of at most
    ``max_q_size`` items. Threads share the generator (one ``next`` at a time); processes
    (``pickle_safe=True``) each run a copy of it, forked with the parent's state, so each
    yields the same sequence unless it draws from numpy's random generator (seeded
    differently in every process). A generator run in processes must not use the backend:
    a forked copy of a backend session is not usable."""

    def __init__(self, generator, max_q_size=10, nb_worker=1, pickle_safe=False):
        if not hasattr(generator, '__next__'):
            raise TypeError('Expected a generator (an object with __next__, e.g. a function that '
                            'yields batches in a `while True:` loop); got %s.'
                            % type(generator).__name__)
        if nb_worker < 1 or max_q_size < 1:
            raise ValueError('nb_worker and max_q_size must be at least 1; got %r and %r.'
                             % (nb_worker, max_q_size))
        self.generator = generator
        self.max_q_size, self.nb_worker = int(max_q_size), int(nb_worker)
        self.pickle_safe = bool(pickle_safe)
        self.workers = []
        self._exhausted = False
        self.produced = 0

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # ---------------------------------------------------------------- start
    def start(self):
        """Start the workers."""
        if self.pickle_safe:
            self._start_processes()
        else:
            self._start_threads()

    def _start_threads(self):
        self._stop = threading.Event()
        self._queue = queue.Queue(self.max_q_size)
        self._errors = queue.Queue()
        lock = threading.Lock()
        for _ in range(self.nb_worker):
            worker = threading.Thread(
                target=_thread_work, name='kcore-generator', daemon=True,
                args=(self.generator, lock, self._queue, self._errors, self._stop))
            worker.start()
            self.workers.append(worker)

    def _start_processes(self):
        try:
            context = multiprocessing.get_context('fork')
        except ValueError:
            raise RuntimeError('pickle_safe=True runs copies of the generator in forked '
                               'processes, which this platform cannot fork; use '
                               'pickle_safe=False (threads).') from None
        self._stop = context.Event()
        self._queue = context.Queue(self.max_q_size)
        self._errors = context.Queue()
        seeds = np.random.randint(0, 2 ** 31 - 1, size=self.nb_worker)
        for seed in seeds:
            worker = context.Process(target=_process_work, daemon=True, args=(
                self.generator, self._queue, self._errors, self._stop, int(seed)))
            worker.start()
            self.workers.append(worker)

    # ------------------------------------------------------------------ get
    def get(self):
        """The next item of the generator: waits for one; raises the generator's error, or
        a RuntimeError once a finite generator has run out."""
        while True:
            self._check_errors()
            try:
                item = self._queue.get(timeout=_POLL)
            except queue.Empty:
                if not any(w.is_alive() for w in self.workers):
                    return self._last_items()
                continue
            self.produced += 1
            return pickle.loads(item) if self.pickle_safe else item

    def qsize(self):
        """How many items wait in the queue (0 before ``start``)."""
        return self._queue.qsize() if self.workers else 0

    def _last_items(self):
        """Items still queued after every worker ended, else the reason there are none."""
        self._check_errors()
        try:
            item = self._queue.get(timeout=_POLL)
        except queue.Empty:
            if self._exhausted:
                raise GeneratorExhausted(self.produced) from None
            raise RuntimeError('Every generator worker ended without an error or data '
                               '(killed?).') from None
        self.produced += 1
        return pickle.loads(item) if self.pickle_safe else item

    def _check_errors(self):
        while True:
            try:
                kind, error, text = self._errors.get_nowait()
            except queue.Empty:
                return
            if kind == 'exhausted':
                self._exhausted = True
                continue
            self.stop()
            if error is None:
                raise GeneratorError('The generator raised an exception in a worker process:\n%s'
                                     % text)
            if self.pickle_safe:
                raise error from GeneratorError('Traceback in the worker process:\n%s' % text)
            raise error

    # ----------------------------------------------------------------- stop
    def stop(self, timeout=5.):
        """Stop and join every worker (processes still running after ``timeout`` seconds
        are terminated)."""
        if not self.workers:
            return
        self._stop.set()
        for worker in self.workers:
            worker.join(timeout)
            if self.pickle_safe and worker.is_alive():
                worker.terminate()
                worker.join(timeout)
        if self.pickle_safe:
            self._queue.close()
            self._errors.close()
        self.workers = []


def _put(target, item, stop):
    """Put ``item`` on a bounded queue, giving up when ``stop`` is set."""
    while not stop.is_set():
        try:
            target.put(item, timeout=_POLL)
            return True
        except queue.Full:
            continue
    return False


def _thread_work(generator, lock, items, errors, stop):
    while not stop.is_set():
        try:
            with lock:
                item = next(generator)
        except StopIteration:
            errors.put(('exhausted', None, ''))
            return
        except BaseException as e:   # reported to the consumer, which re-raises it
            errors.put(('error', e, traceback.format_exc()))
            return
        if not _put(items, item, stop):
            return


def _process_work(generator, items, errors, stop, seed):
    np.random.seed(seed)
    while not stop.is_set():
        try:
            item = pickle.dumps(next(generator), protocol=pickle.HIGHEST_PROTOCOL)
        except StopIteration:
            errors.put(('exhausted', None, ''))
            return   # the items queued so far are flushed as the process exits
        except BaseException as e:
            errors.put(('error', _picklable(e), traceback.format_exc()))
            break
        if not _put(items, item, stop):
            break
    items.cancel_join_thread()   # nobody reads the items any more: exit without flushing


def _picklable(error):
    """``error`` if it survives pickling (to cross to the parent), else None."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return None
