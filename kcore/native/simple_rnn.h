// kcore's fused SimpleRNN (Keras 1): the loop over time, forward and backward, for any
// backend. The input zx (batch, time, n) holds x.W + b; with the recurrent dropout mask d
// (batch, n), h_t = act(zx_t + (h_{t-1} d) U). A sample whose mask is 0 at a step keeps
// its previous h. Backward gives the gradients of zx and h0; the gradient of U is one
// product of the previous outputs (times d) with the gradient of zx, which the caller
// forms. Samples are independent: both work on rows [begin, end) of the batch; the host
// supplies the matrix product as for lstm.h.
#ifndef KCORE_NATIVE_SIMPLE_RNN_H_
#define KCORE_NATIVE_SIMPLE_RNN_H_

#include <cstdint>
#include <cstring>
#include <vector>

#include "lstm.h"

namespace kcore_simple_rnn {

using kcore_lstm::Activation;
using kcore_lstm::Apply;
using kcore_lstm::TimesDerivative;

struct Sequence {
  int64_t batch, steps, units;
  const float* U;        // (units, units)
  const float* h0;       // (batch, units)
  const float* mask;     // (batch, time), or null for no mask
  const float* dropout;  // (batch, units), or null
  Activation act;

  bool Keep(int64_t b, int64_t t) const { return !mask || mask[b * steps + t] != 0.f; }
  int64_t At(int64_t b, int64_t t) const { return (b * steps + t) * units; }
  const float* Previous(const float* h, int64_t b, int64_t t) const {
    return t ? h + At(b, t - 1) : h0 + b * units;
  }
};

template <typename Gemm>
void Forward(const Sequence& s, const float* zx, float* h, int64_t begin, int64_t end,
             Gemm gemm) {
  const int64_t n = s.units, rows = end - begin, ld = s.steps * n;
  std::vector<float> masked(s.dropout ? rows * n : 0);
  for (int64_t t = 0; t < s.steps; ++t) {
    const float* a = s.Previous(h, begin, t);
    int64_t lda = t ? ld : n;
    if (s.dropout) {
      for (int64_t b = begin; b < end; ++b) {
        const float* row = s.Previous(h, b, t);
        const float* d = s.dropout + b * n;
        float* m = masked.data() + (b - begin) * n;
        for (int64_t j = 0; j < n; ++j) m[j] = row[j] * d[j];
      }
      a = masked.data();
      lda = n;
    }
    gemm(rows, n, n, a, lda, s.U, n, false, h + s.At(begin, t), ld);
    for (int64_t b = begin; b < end; ++b) {
      float* out = h + s.At(b, t);
      if (!s.Keep(b, t)) {
        std::memcpy(out, s.Previous(h, b, t), n * sizeof(float));
        continue;
      }
      const float* x = zx + s.At(b, t);
      for (int64_t j = 0; j < n; ++j) out[j] += x[j];
      Apply(s.act, out, n);
    }
  }
}

template <typename Gemm>
void Backward(const Sequence& s, const float* h, const float* grad_h, float* grad_zx,
              float* grad_h0, int64_t begin, int64_t end, Gemm gemm) {
  const int64_t n = s.units, rows = end - begin, ld = s.steps * n;
  std::vector<float> dh(rows * n, 0.f), through(rows * n);
  for (int64_t t = s.steps - 1; t >= 0; --t) {
    for (int64_t b = begin; b < end; ++b) {
      float* dh_b = dh.data() + (b - begin) * n;
      const float* gh = grad_h + s.At(b, t);
      float* dz = grad_zx + s.At(b, t);
      for (int64_t j = 0; j < n; ++j) dh_b[j] += gh[j];
      if (!s.Keep(b, t)) {  // h was carried over: its gradient passes through
        std::memset(dz, 0, n * sizeof(float));
        continue;
      }
      std::memcpy(dz, dh_b, n * sizeof(float));
      TimesDerivative(s.act, h + s.At(b, t), dz, n);
    }
    gemm(rows, n, n, grad_zx + s.At(begin, t), ld, s.U, n, true, through.data(), n);
    for (int64_t b = begin; b < end; ++b) {
      if (!s.Keep(b, t)) continue;
      float* dh_b = dh.data() + (b - begin) * n;
      const float* th = through.data() + (b - begin) * n;
      const float* d = s.dropout ? s.dropout + b * n : nullptr;
      for (int64_t j = 0; j < n; ++j) dh_b[j] = d ? th[j] * d[j] : th[j];
    }
  }
  std::memcpy(grad_h0 + begin * n, dh.data(), rows * n * sizeof(float));
}

}  // namespace kcore_simple_rnn

#endif  // KCORE_NATIVE_SIMPLE_RNN_H_
