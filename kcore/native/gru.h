// kcore's fused GRU (Keras 1): the loop over time, forward and backward, for any backend.
//
// The input zx (batch, time, 3n) holds x.W + b with the gates side by side in the order
// z, r, h. With a = h_{t-1} and the recurrent dropout masks d_z, d_r, d_h (batch, n):
//   z = inner(zx_z + (a d_z) U_z);   r = inner(zx_r + (a d_r) U_r)
//   hh = act(zx_h + (r a d_h) U_h);  h_t = z a + (1 - z) hh
// A sample whose mask is 0 at a step keeps its previous h. Forward writes h at every step
// and the gates z, r, hh, which Backward reads. Backward gives the gradients of zx and
// h0; the gradient of U is a product of the previous outputs (times the masks, and r for
// U_h) with the gradient of zx, which the caller forms.
//
// Samples are independent: Forward and Backward work on rows [begin, end) of the batch.
// The host supplies the matrix product as for lstm.h.
#ifndef KCORE_NATIVE_GRU_H_
#define KCORE_NATIVE_GRU_H_

#include <cstdint>
#include <cstring>
#include <vector>

#include "lstm.h"

namespace kcore_gru {

using kcore_lstm::Activation;
using kcore_lstm::Apply;
using kcore_lstm::TimesDerivative;

struct Sequence {
  int64_t batch, steps, units;
  const float* U;        // (units, 3 units)
  const float* h0;       // (batch, units)
  const float* mask;     // (batch, time), or null for no mask
  const float* dropout;  // (batch, 3 units): d_z, d_r, d_h side by side, or null
  Activation act, inner;

  bool Keep(int64_t b, int64_t t) const { return !mask || mask[b * steps + t] != 0.f; }
  int64_t At(int64_t b, int64_t t, int64_t width) const { return (b * steps + t) * width; }
  const float* Previous(const float* h, int64_t b, int64_t t) const {
    return t ? h + At(b, t - 1, units) : h0 + b * units;
  }
  // The dropout mask of ``gate`` (0, 1, 2 for z, r, h) for sample b, or null.
  const float* Drop(int64_t b, int gate) const {
    return dropout ? dropout + b * 3 * units + gate * units : nullptr;
  }
};

// out[j] = a[j] * d[j] for a block's rows, a with stride lda; d may be null (then a copy).
inline void MaskedRows(const Sequence& s, const float* a, int64_t lda, int gate, int64_t begin,
                       int64_t end, float* out) {
  const int64_t n = s.units;
  for (int64_t b = begin; b < end; ++b) {
    const float* row = a + (b - begin) * lda;
    const float* d = s.Drop(b, gate);
    float* o = out + (b - begin) * n;
    for (int64_t j = 0; j < n; ++j) o[j] = d ? row[j] * d[j] : row[j];
  }
}

template <typename Gemm>
void Forward(const Sequence& s, const float* zx, float* h, float* gates, int64_t begin,
             int64_t end, Gemm gemm) {
  const int64_t n = s.units, rows = end - begin, ld = s.steps * 3 * n;
  std::vector<float> masked(rows * n), q(rows * n);
  for (int64_t t = 0; t < s.steps; ++t) {
    const float* a = s.Previous(h, begin, t);
    const int64_t lda = t ? s.steps * n : n;
    float* g = gates + s.At(begin, t, 3 * n);
    if (s.dropout) {  // each gate sees its own masked copy of a
      for (int gate = 0; gate < 2; ++gate) {
        MaskedRows(s, a, lda, gate, begin, end, masked.data());
        gemm(rows, n, n, masked.data(), n, s.U + gate * n, 3 * n, false, g + gate * n, ld);
      }
    } else {
      gemm(rows, 2 * n, n, a, lda, s.U, 3 * n, false, g, ld);
    }
    for (int64_t b = begin; b < end; ++b) {
      float* z = gates + s.At(b, t, 3 * n);
      const float* x = zx + s.At(b, t, 3 * n);
      const float* ap = s.Previous(h, b, t);
      const float* d = s.Drop(b, 2);
      for (int64_t j = 0; j < 2 * n; ++j) z[j] += x[j];
      Apply(s.inner, z, 2 * n);
      float* qb = q.data() + (b - begin) * n;
      for (int64_t j = 0; j < n; ++j) qb[j] = z[n + j] * ap[j] * (d ? d[j] : 1.f);
    }
    gemm(rows, n, n, q.data(), n, s.U + 2 * n, 3 * n, false, g + 2 * n, ld);
    for (int64_t b = begin; b < end; ++b) {
      float* z = gates + s.At(b, t, 3 * n);
      const float* x = zx + s.At(b, t, 3 * n);
      const float* ap = s.Previous(h, b, t);
      float* hh = z + 2 * n;
      for (int64_t j = 0; j < n; ++j) hh[j] += x[2 * n + j];
      Apply(s.act, hh, n);
      float* out = h + s.At(b, t, n);
      if (!s.Keep(b, t)) {
        std::memcpy(out, ap, n * sizeof(float));
        continue;
      }
      for (int64_t j = 0; j < n; ++j) out[j] = z[j] * ap[j] + (1.f - z[j]) * hh[j];
    }
  }
}

template <typename Gemm>
void Backward(const Sequence& s, const float* h, const float* gates, const float* grad_h,
              float* grad_zx, float* grad_h0, int64_t begin, int64_t end, Gemm gemm) {
  const int64_t n = s.units, rows = end - begin, ld = s.steps * 3 * n;
  // dh: the gradient reaching h_t from later steps, per row of the block.
  std::vector<float> dh(rows * n, 0.f), dq(rows * n), through(rows * n),
      through_r(s.dropout ? rows * n : 0);
  for (int64_t t = s.steps - 1; t >= 0; --t) {
    float* dzx = grad_zx + s.At(begin, t, 3 * n);
    for (int64_t b = begin; b < end; ++b) {
      float* dh_b = dh.data() + (b - begin) * n;
      const float* gh = grad_h + s.At(b, t, n);
      for (int64_t j = 0; j < n; ++j) dh_b[j] += gh[j];
      float* dz = grad_zx + s.At(b, t, 3 * n);
      if (!s.Keep(b, t)) {  // h was carried over: its gradient passes through
        std::memset(dz, 0, 3 * n * sizeof(float));
        continue;
      }
      const float* z = gates + s.At(b, t, 3 * n);
      const float* hh = z + 2 * n;
      const float* ap = s.Previous(h, b, t);
      for (int64_t j = 0; j < n; ++j) {
        dz[j] = dh_b[j] * (ap[j] - hh[j]);
        dz[2 * n + j] = dh_b[j] * (1.f - z[j]);
      }
      TimesDerivative(s.inner, z, dz, n);
      TimesDerivative(s.act, hh, dz + 2 * n, n);
    }
    // dq = dhh U_h^T, then dr from it.
    gemm(rows, n, n, dzx + 2 * n, ld, s.U + 2 * n, 3 * n, true, dq.data(), n);
    for (int64_t b = begin; b < end; ++b) {
      float* dz = grad_zx + s.At(b, t, 3 * n);
      if (!s.Keep(b, t)) continue;
      const float* z = gates + s.At(b, t, 3 * n);
      const float* ap = s.Previous(h, b, t);
      const float* d = s.Drop(b, 2);
      float* dq_b = dq.data() + (b - begin) * n;
      for (int64_t j = 0; j < n; ++j) {
        if (d) dq_b[j] *= d[j];   // now the gradient of r a
        dz[n + j] = dq_b[j] * ap[j];
      }
      TimesDerivative(s.inner, z + n, dz + n, n);
    }
    // The gradient of a through the z and r products.
    if (s.dropout) {
      gemm(rows, n, n, dzx, ld, s.U, 3 * n, true, through.data(), n);
      gemm(rows, n, n, dzx + n, ld, s.U + n, 3 * n, true, through_r.data(), n);
    } else {
      gemm(rows, n, 2 * n, dzx, ld, s.U, 3 * n, true, through.data(), n);
    }
    for (int64_t b = begin; b < end; ++b) {
      if (!s.Keep(b, t)) continue;
      const float* z = gates + s.At(b, t, 3 * n);
      const float* dz_d = s.Drop(b, 0);
      const float* dr_d = s.Drop(b, 1);
      float* dh_b = dh.data() + (b - begin) * n;
      const float* dq_b = dq.data() + (b - begin) * n;
      const float* th = through.data() + (b - begin) * n;
      if (s.dropout) {
        const float* tr = through_r.data() + (b - begin) * n;
        for (int64_t j = 0; j < n; ++j)
          dh_b[j] = dh_b[j] * z[j] + dq_b[j] * z[n + j] + th[j] * dz_d[j] + tr[j] * dr_d[j];
      } else {
        for (int64_t j = 0; j < n; ++j) dh_b[j] = dh_b[j] * z[j] + dq_b[j] * z[n + j] + th[j];
      }
    }
  }
  std::memcpy(grad_h0 + begin * n, dh.data(), rows * n * sizeof(float));
}

}  // namespace kcore_gru

#endif  // KCORE_NATIVE_GRU_H_
