// kcore's fused GRU and SimpleRNN for the PyTensor backend: kcore/native/gru.h and
// simple_rnn.h with scipy-openblas32's matrix product, as C functions that
// kcore_theano/fused_rnn.py calls through ctypes. The batch is split into blocks of rows
// that run the whole sequence on up to ``threads`` threads (row_blocks.h). Each returns 0,
// or -1 for an activation name the kernels don't know.
#include "gru.h"
#include "row_blocks.h"
#include "simple_rnn.h"

extern "C" void scipy_cblas_sgemm(int order, int transpose_a, int transpose_b, int m, int n,
                                  int k, float alpha, const float* a, int lda, const float* b,
                                  int ldb, float beta, float* c, int ldc);

namespace {

void RnnBlasGemm(int64_t rows, int64_t cols, int64_t inner, const float* a, int64_t lda,
                 const float* b, int64_t ldb, bool transpose_b, float* c, int64_t ldc) {
  const int kRowMajor = 101, kNoTrans = 111, kTrans = 112;
  scipy_cblas_sgemm(kRowMajor, kNoTrans, transpose_b ? kTrans : kNoTrans, rows, cols, inner,
                    1.f, a, lda, b, ldb, 0.f, c, ldc);
}

bool ParseGru(int64_t batch, int64_t steps, int64_t units, const float* U, const float* h0,
              const float* mask, const float* dropout, const char* act, const char* inner,
              kcore_gru::Sequence* s) {
  *s = kcore_gru::Sequence{batch, steps, units, U, h0, mask, dropout};
  return kcore_lstm::ParseActivation(act, &s->act) &&
         kcore_lstm::ParseActivation(inner, &s->inner);
}

bool ParseSimpleRnn(int64_t batch, int64_t steps, int64_t units, const float* U,
                    const float* h0, const float* mask, const float* dropout, const char* act,
                    kcore_simple_rnn::Sequence* s) {
  *s = kcore_simple_rnn::Sequence{batch, steps, units, U, h0, mask, dropout};
  return kcore_lstm::ParseActivation(act, &s->act);
}

}  // namespace

extern "C" int kcore_gru_forward(int64_t batch, int64_t steps, int64_t units, const float* zx,
                                 const float* U, const float* h0, const float* mask,
                                 const float* dropout, const char* act, const char* inner,
                                 float* h, float* gates, int threads) {
  kcore_gru::Sequence s;
  if (!ParseGru(batch, steps, units, U, h0, mask, dropout, act, inner, &s)) return -1;
  kcore_theano::ForSequenceRows(batch, steps, units, 3, threads,
                                [&](int64_t begin, int64_t end) {
    kcore_gru::Forward(s, zx, h, gates, begin, end, RnnBlasGemm);
  });
  return 0;
}

extern "C" int kcore_gru_backward(int64_t batch, int64_t steps, int64_t units,
                                  const float* U, const float* h0, const float* mask,
                                  const float* dropout, const char* act, const char* inner,
                                  const float* h, const float* gates, const float* grad_h,
                                  float* grad_zx, float* grad_h0, int threads) {
  kcore_gru::Sequence s;
  if (!ParseGru(batch, steps, units, U, h0, mask, dropout, act, inner, &s)) return -1;
  kcore_theano::ForSequenceRows(batch, steps, units, 3, threads,
                                [&](int64_t begin, int64_t end) {
    kcore_gru::Backward(s, h, gates, grad_h, grad_zx, grad_h0, begin, end, RnnBlasGemm);
  });
  return 0;
}

extern "C" int kcore_simple_rnn_forward(int64_t batch, int64_t steps, int64_t units,
                                        const float* zx, const float* U, const float* h0,
                                        const float* mask, const float* dropout,
                                        const char* act, float* h, int threads) {
  kcore_simple_rnn::Sequence s;
  if (!ParseSimpleRnn(batch, steps, units, U, h0, mask, dropout, act, &s)) return -1;
  kcore_theano::ForSequenceRows(batch, steps, units, 1, threads,
                                [&](int64_t begin, int64_t end) {
    kcore_simple_rnn::Forward(s, zx, h, begin, end, RnnBlasGemm);
  });
  return 0;
}

extern "C" int kcore_simple_rnn_backward(int64_t batch, int64_t steps, int64_t units,
                                         const float* U, const float* h0, const float* mask,
                                         const float* dropout, const char* act,
                                         const float* h, const float* grad_h, float* grad_zx,
                                         float* grad_h0, int threads) {
  kcore_simple_rnn::Sequence s;
  if (!ParseSimpleRnn(batch, steps, units, U, h0, mask, dropout, act, &s)) return -1;
  kcore_theano::ForSequenceRows(batch, steps, units, 1, threads,
                                [&](int64_t begin, int64_t end) {
    kcore_simple_rnn::Backward(s, h, grad_h, grad_zx, grad_h0, begin, end, RnnBlasGemm);
  });
  return 0;
}
