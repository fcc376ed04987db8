// kcore's fused LSTM for the PyTensor backend: kcore/native/lstm.h (with its SmallGemm) as
// C functions that kcore_theano/lstm.py calls through ctypes. ``drop`` is the recurrent
// dropout mask (batch, drop_gates, units) or null. The batch is split into blocks of rows
// that run the whole sequence on up to ``threads`` threads (row_blocks.h). Each returns 0,
// or -1 for an activation name lstm.h doesn't know.
#include "lstm.h"
#include "row_blocks.h"

namespace {

bool Describe(int64_t batch, int64_t steps, int64_t units, const float* U, const float* h0,
              const float* c0, const float* mask, const float* drop, int64_t drop_gates,
              const char* act, const char* inner, kcore_lstm::Sequence* s) {
  *s = kcore_lstm::Sequence{batch, steps, units, U, h0, c0, mask};
  s->drop = drop;
  s->drop_gates = drop_gates;
  return kcore_lstm::ParseActivation(act, &s->act) &&
         kcore_lstm::ParseActivation(inner, &s->inner);
}

}  // namespace

extern "C" int kcore_lstm_forward(int64_t batch, int64_t steps, int64_t units,
                                  int64_t drop_gates, const float* zx, const float* U,
                                  const float* h0, const float* c0, const float* mask,
                                  const float* drop, const char* act, const char* inner,
                                  float* h, float* c, float* gates, int threads) {
  kcore_lstm::Sequence s;
  if (!Describe(batch, steps, units, U, h0, c0, mask, drop, drop_gates, act, inner, &s))
    return -1;
  kcore_theano::ForSequenceRows(batch, steps, units, 4, threads,
                                [&](int64_t begin, int64_t end) {
    kcore_lstm::Forward(s, zx, h, c, gates, begin, end, kcore_lstm::SmallGemm);
  });
  return 0;
}

extern "C" int kcore_lstm_backward(int64_t batch, int64_t steps, int64_t units,
                                   int64_t drop_gates, const float* U, const float* h0,
                                   const float* c0, const float* mask, const float* drop,
                                   const char* act, const char* inner, const float* h,
                                   const float* c, const float* gates, const float* grad_h,
                                   const float* grad_c, float* grad_zx, float* grad_h0,
                                   float* grad_c0, int threads) {
  kcore_lstm::Sequence s;
  if (!Describe(batch, steps, units, U, h0, c0, mask, drop, drop_gates, act, inner, &s))
    return -1;
  kcore_theano::ForSequenceRows(batch, steps, units, 4, threads,
                                [&](int64_t begin, int64_t end) {
    kcore_lstm::Backward(s, h, c, gates, grad_h, grad_c, grad_zx, grad_h0, grad_c0, begin,
                         end, kcore_lstm::SmallGemm);
  });
  return 0;
}
