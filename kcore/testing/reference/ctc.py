"""Connectionist temporal classification: the forward algorithm, greedy and beam decoding.

Probabilities are per-step softmax outputs with the blank as the last class.
"""
import numpy as np


def ctc_log_likelihood(probs, labels):
    """log P(labels | probs) by the CTC forward algorithm in log space.

    probs: (time, classes) per-step softmax outputs, the blank is the last class;
    labels: a sequence of class indices (no blanks).
    """
    blank = probs.shape[1] - 1
    ext = [blank]
    for c in labels:
        ext += [int(c), blank]
    logp = np.log(probs)
    alpha = np.full(len(ext), -np.inf)
    alpha[0] = logp[0, ext[0]]
    if len(ext) > 1:
        alpha[1] = logp[0, ext[1]]
    for t in range(1, probs.shape[0]):
        new = np.full(len(ext), -np.inf)
        for s in range(len(ext)):
            terms = [alpha[s]]
            if s >= 1:
                terms.append(alpha[s - 1])
            if s >= 2 and ext[s] != blank and ext[s] != ext[s - 2]:
                terms.append(alpha[s - 2])
            new[s] = np.logaddexp.reduce(terms) + logp[t, ext[s]]
        alpha = new
    return np.logaddexp.reduce(alpha[-2:]) if len(ext) > 1 else alpha[-1]


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """(samples, 1) of -log P(label | softmax outputs) over each sample's input_length steps."""
    return np.array([[-ctc_log_likelihood(y_pred[i, :int(input_length[i, 0])],
                                          y_true[i, :int(label_length[i, 0])])]
                     for i in range(len(y_pred))])


def ctc_best_path(y_pred, input_length):
    """Greedy decoding: per-step argmax, repeats merged, blanks removed; with the best
    path's log probability."""
    blank = y_pred.shape[2] - 1
    decoded, log_probs = [], []
    for i in range(len(y_pred)):
        steps = y_pred[i, :int(input_length[i, 0])]
        best = steps.argmax(axis=1)
        seq = [int(c) for j, c in enumerate(best) if c != blank and (j == 0 or c != best[j - 1])]
        decoded.append(seq)
        log_probs.append([np.log(steps.max(axis=1)).sum()])
    return decoded, np.array(log_probs)


def ctc_prefix_beam_search(probs, beam_width, top_paths):
    """The ``top_paths`` most probable label sequences found by a prefix beam search that
    keeps ``beam_width`` prefixes, as [(labels, log probability)], most probable first.

    probs: (time, classes) one sample's softmax outputs, the blank is the last class. Each
    prefix carries the probability of its paths ending in a blank and in a label; a label
    equal to the prefix's last one extends it only from paths ending in a blank.
    """
    blank = probs.shape[1] - 1
    ends_blank, ends_label = {(): 1.0}, {(): 0.0}
    for step in probs:
        new_blank, new_label = {}, {}
        for prefix in ends_blank:
            total = ends_blank[prefix] + ends_label[prefix]
            new_blank[prefix] = new_blank.get(prefix, 0.0) + total * step[blank]
            if prefix:
                new_label[prefix] = (new_label.get(prefix, 0.0)
                                     + ends_label[prefix] * step[prefix[-1]])
            for c in range(blank):
                source = ends_blank[prefix] if prefix and prefix[-1] == c else total
                longer = prefix + (c,)
                new_label[longer] = new_label.get(longer, 0.0) + source * step[c]
        prefixes = set(new_blank) | set(new_label)
        score = {p: new_blank.get(p, 0.0) + new_label.get(p, 0.0) for p in prefixes}
        kept = sorted(prefixes, key=lambda p: -score[p])[:beam_width]
        ends_blank = {p: new_blank.get(p, 0.0) for p in kept}
        ends_label = {p: new_label.get(p, 0.0) for p in kept}
    ranked = sorted(ends_blank, key=lambda p: -(ends_blank[p] + ends_label[p]))[:top_paths]
    return [(list(p), np.log(ends_blank[p] + ends_label[p])) for p in ranked]


def ctc_beam_decode(y_pred, input_length, beam_width, top_paths):
    """``ctc_prefix_beam_search`` per sample over its input_length steps: (a list of
    ``top_paths`` lists of label sequences, log probabilities (samples, top_paths))."""
    found = [ctc_prefix_beam_search(y_pred[i, :int(input_length[i, 0])], beam_width, top_paths)
             for i in range(len(y_pred))]
    decoded = [[ranked[k][0] for ranked in found] for k in range(top_paths)]
    return decoded, np.array([[lp for _, lp in ranked] for ranked in found])
