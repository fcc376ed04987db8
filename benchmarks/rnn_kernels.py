"""Fused vs generic GRU(128) and SimpleRNN(128) training on the lstm workload's shapes
(batch 32, 80 steps, 128 inputs from an embedding, Adam, forward + backward), on the
backend KCORE_BACKEND names. The generic model is built with the backend's switch
(KCORE_TF_FUSED_GRU=0, KCORE_THEANO_FUSED_SIMPLE_RNN=0, ...); the two models' batches
alternate, so that both see the same machine load. Prints per round each one's samples/s
(from its median batch time) and the ratio fused/generic, then the median ratio.

    KCORE_BACKEND=tensorflow .venv/bin/python benchmarks/rnn_kernels.py --rounds 5
"""
import argparse
import os
import statistics

from lstm_ab import data, rates   # the lstm workload's data; batches alternated

SWITCHES = {'tensorflow': 'KCORE_TF_FUSED_', 'theano': 'KCORE_THEANO_FUSED_'}


def build(cell, fused, dropout_U):
    from kcore import backend as K
    from kcore.layers import Dense, Embedding, GRU, SimpleRNN
    from kcore.models import Sequential
    switch = SWITCHES[K.backend()] + ('GRU' if cell == 'gru' else 'SIMPLE_RNN')
    saved = os.environ.get(switch)
    os.environ[switch] = '1' if fused else '0'   # read while the graph is built
    try:
        layer = (GRU(128, inner_activation='sigmoid', dropout_U=dropout_U) if cell == 'gru'
                 else SimpleRNN(128, dropout_U=dropout_U))
        model = Sequential([Embedding(20000, 128, input_length=80), layer,
                            Dense(1, activation='sigmoid')])
        model.compile('adam', 'binary_crossentropy')
        x, y = data(64)
        model.fit(x, y, batch_size=32, nb_epoch=1, verbose=0)   # builds the train function
    finally:
        if saved is None:
            os.environ.pop(switch)
        else:
            os.environ[switch] = saved
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--cells', default='gru,simple_rnn')
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--samples', type=int, default=640)
    parser.add_argument('--dropout-U', type=float, default=0.)
    args = parser.parse_args()
    x, y = data(args.samples)
    for cell in args.cells.split(','):
        models = [build(cell, fused, args.dropout_U) for fused in (True, False)]
        rates(models, x[:160], y[:160])   # warm-up
        ratios = []
        for i in range(args.rounds):
            fused, generic = rates(models, x, y)
            ratios.append(fused / generic)
            print('%s round %d: fused %.0f  generic %.0f samples/s  fused/generic %.2f  '
                  '(load %.2f)' % (cell, i, fused, generic, ratios[-1], os.getloadavg()[0]),
                  flush=True)
        print('%s: median fused/generic %.2f over %d rounds (dropout_U %g)'
              % (cell, statistics.median(ratios), len(ratios), args.dropout_U), flush=True)


if __name__ == '__main__':
    main()
