// kcore's fused LSTM for the PyTensor backend: kcore/native/lstm.h with scipy-openblas32's
// matrix product, as C functions that kcore_theano/lstm.py calls through ctypes. Each
// returns 0, or -1 for an activation name lstm.h doesn't know.
#include "lstm.h"

extern "C" void scipy_cblas_sgemm(int order, int transpose_a, int transpose_b, int m, int n,
                                  int k, float alpha, const float* a, int lda, const float* b,
                                  int ldb, float beta, float* c, int ldc);

namespace {

void BlasGemm(int64_t rows, int64_t cols, int64_t inner, const float* a, int64_t lda,
              const float* b, int64_t ldb, bool transpose_b, float* c, int64_t ldc) {
  const int kRowMajor = 101, kNoTrans = 111, kTrans = 112;
  scipy_cblas_sgemm(kRowMajor, kNoTrans, transpose_b ? kTrans : kNoTrans, rows, cols, inner,
                    1.f, a, lda, b, ldb, 0.f, c, ldc);
}

bool Describe(int64_t batch, int64_t steps, int64_t units, const float* U, const float* h0,
              const float* c0, const float* mask, const char* act, const char* inner,
              kcore_lstm::Sequence* s) {
  *s = kcore_lstm::Sequence{batch, steps, units, U, h0, c0, mask};
  return kcore_lstm::ParseActivation(act, &s->act) &&
         kcore_lstm::ParseActivation(inner, &s->inner);
}

}  // namespace

extern "C" int kcore_lstm_forward(int64_t batch, int64_t steps, int64_t units,
                                  const float* zx, const float* U, const float* h0,
                                  const float* c0, const float* mask, const char* act,
                                  const char* inner, float* h, float* c, float* gates) {
  kcore_lstm::Sequence s;
  if (!Describe(batch, steps, units, U, h0, c0, mask, act, inner, &s)) return -1;
  kcore_lstm::Forward(s, zx, h, c, gates, 0, batch, BlasGemm);
  return 0;
}

extern "C" int kcore_lstm_backward(int64_t batch, int64_t steps, int64_t units,
                                   const float* U, const float* h0, const float* c0,
                                   const float* mask, const char* act, const char* inner,
                                   const float* h, const float* c, const float* gates,
                                   const float* grad_h, const float* grad_c, float* grad_zx,
                                   float* grad_h0, float* grad_c0) {
  kcore_lstm::Sequence s;
  if (!Describe(batch, steps, units, U, h0, c0, mask, act, inner, &s)) return -1;
  kcore_lstm::Backward(s, h, c, gates, grad_h, grad_c, grad_zx, grad_h0, grad_c0, 0, batch,
                       BlasGemm);
  return 0;
}
