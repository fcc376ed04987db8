"""The part of ``ctc_decode`` that backends share, written with protocol functions."""
import numpy as np

from kcore.backend.arguments import ctc_dictionary


def dictionary_decode(K, log_likelihood, log_probs, lengths, nb_classes, dict_seq_lens,
                      dict_values, top_paths):
    """``ctc_decode`` with a dictionary: per sample, the ``top_paths`` entries of highest CTC
    log-likelihood, as ``ctc_decode`` returns them (decoded, log_probabilities).

    ``log_probs`` (samples, time, classes) and the int ``lengths`` (samples,) are the
    decoder's inputs; ``log_likelihood(labels, label_lengths, log_probs, input_lengths)`` is
    the backend's CTC forward pass, one log-likelihood per row. Every sample is scored
    against every entry in one batch; an entry needing more steps than a sample has gets
    -inf (its row's score is ignored).
    """
    table, entry_lens, needed = ctc_dictionary(dict_seq_lens, dict_values, nb_classes)
    nb_entries, int_dtype = len(table), K.dtype(lengths)
    table = K.constant(table, dtype=int_dtype)
    entry_lens = K.constant(entry_lens, dtype=int_dtype)
    batch = K.shape(log_probs)[0]
    log_like = log_likelihood(K.tile(table, (batch, 1)), K.tile(entry_lens, (batch,)),
                              K.repeat_elements(log_probs, nb_entries, axis=0),
                              K.repeat_elements(lengths, nb_entries, axis=0))
    log_like = K.reshape(log_like, (-1, nb_entries))
    dtype = K.dtype(log_like)
    feasible = K.greater_equal(K.expand_dims(lengths, 1),
                               K.expand_dims(K.constant(needed, dtype=int_dtype), 0))
    log_like = log_like + K.log(K.cast(feasible, dtype))
    # The top k by repeated argmax: a taken entry drops to -inf, the others are kept finite
    # so that none is taken twice (ties go to the lower index, as TensorFlow's top_k).
    candidates = K.maximum(log_like, np.finfo(dtype).min)
    decoded, log_prob = [], []
    for _ in range(top_paths):
        best = K.argmax(candidates, axis=1)
        taken = K.cast(K.one_hot(best, nb_entries), dtype)
        log_prob.append(K.max(log_like + K.log(taken), axis=1))
        candidates = candidates + K.log(1 - taken)
        width = K.max(K.gather(entry_lens, best))
        decoded.append(K.cast(K.gather(table, best)[:, :width], 'int64'))
    return decoded, K.stack(log_prob, axis=1)
