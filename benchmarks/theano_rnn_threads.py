"""A/B of kcore-theano's recurrent kernels on A and B threads (KCORE_THEANO_RNN_THREADS, read
at every call) on the lstm or gru workload: one model, its training batches alternated
between the two settings so that both see the same machine load. Prints, per round, each
one's samples/s (from its median batch time) and the ratio A/B, then the median ratio.

    KCORE_BACKEND=theano .venv/bin/python benchmarks/theano_rnn_threads.py --cell lstm \\
        --a 2 --b 1 --rounds 5
"""
import argparse
import os
import statistics
import time

from lstm_ab import data, rounds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--cell', choices=('lstm', 'gru'), default='lstm')
    parser.add_argument('--a', default=str(len(os.sched_getaffinity(0))), help='threads of A')
    parser.add_argument('--b', default='1', help='threads of B')
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--samples', type=int, default=1600)
    args = parser.parse_args()
    from kcore.layers import GRU, LSTM, Dense, Embedding
    from kcore.models import Sequential
    cell = LSTM if args.cell == 'lstm' else GRU
    model = Sequential([Embedding(20000, 128, input_length=80),
                        cell(128, inner_activation='sigmoid'), Dense(1, activation='sigmoid')])
    model.compile('adam', 'binary_crossentropy')
    x, y = data(args.samples)
    model.fit(x[:320], y[:320], batch_size=32, nb_epoch=1, verbose=0)   # compile, warm up

    def measure():
        spent = {args.a: [], args.b: []}
        for start in range(0, len(x) - 31, 32):
            for threads in (args.a, args.b):
                os.environ['KCORE_THEANO_RNN_THREADS'] = threads
                begin = time.perf_counter()
                model.train_on_batch(x[start:start + 32], y[start:start + 32])
                spent[threads].append(time.perf_counter() - begin)
        return [32 / statistics.median(spent[t]) for t in (args.a, args.b)]

    rounds(args.rounds, measure)

if __name__ == '__main__':
    main()
