// kcore's fused LSTM: the loop over time, forward and backward, for any backend.
//
// The input zx (batch, time, 4n) holds x.W + b with the gates side by side in the order
// i, f, c, o. With z_t = zx_t + h_{t-1} U:
//   i, f, o = inner(z_i), inner(z_f), inner(z_o);   g = act(z_c)
//   c_t = f c_{t-1} + i g;                           h_t = o act(c_t)
// A sample whose mask is 0 at a step keeps its previous h and c. With recurrent dropout,
// h_{t-1} is multiplied by a per-sample mask before each gate's product (z_g = zx_g +
// (h_{t-1} m_g) U_g): one mask for all gates or one per gate, the same at every step.
// Forward writes h and c at every step and the gate activations, which Backward reads.
// Backward gives the gradients of zx, h0 and c0; the gradient of U is one product of the
// (masked) previous outputs with the gradient of zx, which the caller forms.
//
// Samples are independent: Forward and Backward work on rows [begin, end) of the batch,
// so a caller can run blocks of rows on separate threads without synchronising. The host
// supplies the matrix product: Gemm(rows, cols, inner, a, lda, b, ldb, c, ldc) sets
// C = A B, all row-major; SmallGemm below is one (Backward multiplies by a transposed copy
// of U that it makes once per call).
#ifndef KCORE_NATIVE_LSTM_H_
#define KCORE_NATIVE_LSTM_H_

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace kcore_lstm {

enum Activation { kTanh, kSigmoid, kHardSigmoid, kRelu, kLinear };

inline bool ParseActivation(const std::string& name, Activation* out) {
  static const char* const kNames[] = {"tanh", "sigmoid", "hard_sigmoid", "relu", "linear"};
  for (int a = 0; a < 5; ++a) {
    if (name == kNames[a]) {
      *out = static_cast<Activation>(a);
      return true;
    }
  }
  return false;
}

// exp(x) in float32 without libm, so that loops over it vectorize: x = k ln2 + r with
// |r| <= ln2 / 2, e^r from its Taylor series to r^7 (relative error under 1e-8), times
// 2^k built in the exponent bits. Saturates beyond +-87; NaN stays NaN.
inline float Exp(float x) {
  const float clamped = x < -87.f ? -87.f : (x > 87.f ? 87.f : x);
  const float k = std::floor(clamped * 1.44269504f + 0.5f);
  const float r = (clamped - k * 0.693145752f) - k * 1.42860677e-6f;  // ln2 in two parts
  float p = 1.f / 5040;
  p = p * r + 1.f / 720;
  p = p * r + 1.f / 120;
  p = p * r + 1.f / 24;
  p = p * r + 1.f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.f;
  p = p * r + 1.f;
  const int32_t bits = (static_cast<int32_t>(k) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return x == x ? p * scale : x;
}

// tanh: (1 - e) / (1 + e) with e = exp(-2|x|), and below |x| = 1/4, where 1 - e loses
// digits, the odd Taylor polynomial to x^11. Both are computed, one is kept: no branches.
inline float Tanh(float x) {
  const float a = std::fabs(x), x2 = x * x;
  const float small = x * (1.f + x2 * (-0.33333333f + x2 * (0.13333333f + x2 * (-0.053968254f
                      + x2 * (0.021869489f + x2 * -0.0088632355f)))));
  const float e = Exp(-2.f * a);
  const float large = std::copysign((1.f - e) / (1.f + e), x);
  return a < 0.25f ? small : large;
}

inline float Sigmoid(float x) { return 1.f / (1.f + Exp(-x)); }

// x = activation(x), in place.
inline void Apply(Activation a, float* x, int64_t n) {
  switch (a) {
    case kTanh: for (int64_t j = 0; j < n; ++j) x[j] = Tanh(x[j]); break;
    case kSigmoid: for (int64_t j = 0; j < n; ++j) x[j] = Sigmoid(x[j]); break;
    case kHardSigmoid:
      for (int64_t j = 0; j < n; ++j) {
        const float y = 0.2f * x[j] + 0.5f;
        x[j] = y < 0.f ? 0.f : (y > 1.f ? 1.f : y);
      }
      break;
    case kRelu: for (int64_t j = 0; j < n; ++j) x[j] = x[j] > 0.f ? x[j] : 0.f; break;
    case kLinear: break;
  }
}

// g *= activation'(x), the derivative written with the activation's output y.
inline void TimesDerivative(Activation a, const float* y, float* g, int64_t n) {
  switch (a) {
    case kTanh: for (int64_t j = 0; j < n; ++j) g[j] *= 1.f - y[j] * y[j]; break;
    case kSigmoid: for (int64_t j = 0; j < n; ++j) g[j] *= y[j] * (1.f - y[j]); break;
    case kHardSigmoid:
      for (int64_t j = 0; j < n; ++j) g[j] *= (y[j] > 0.f && y[j] < 1.f) ? 0.2f : 0.f;
      break;
    case kRelu: for (int64_t j = 0; j < n; ++j) g[j] *= y[j] > 0.f ? 1.f : 0.f; break;
    case kLinear: break;
  }
}

// C = A B, row-major with leading dimensions lda, ldb, ldc: the recurrent products, whose
// few rows (a block of the batch) times U make a general GEMM's packing of U at every
// step its main cost. Here B is read in place: a tile of kWide vectors of columns stays in
// registers' reach for every group of 4 rows, their sums in vector registers (GCC/Clang
// vector extensions: AVX-512 under -march=native, 8 lanes otherwise).
#if defined(__AVX512F__)
constexpr int kLanes = 16, kWide = 4;
#else
constexpr int kLanes = 8, kWide = 2;
#endif
typedef float Vec __attribute__((vector_size(kLanes * sizeof(float))));

inline Vec Load(const float* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void Store(float* p, const Vec& v) { std::memcpy(p, &v, sizeof v); }

// Every lane x. Written x - 0, which is x exactly, so that it compiles to a broadcast that
// an FMA reads from memory; 0 + x is not x for x = -0, and compiled to an add and a shuffle
// per element, which took the FMAs' port (narrow products 1.8x slower).
inline Vec Splat(float x) { return x - Vec{}; }

// R rows by W vectors of columns.
template <int R, int W>
inline void Tile(int64_t inner, const float* a, int64_t lda, const float* b, int64_t ldb,
                 float* c, int64_t ldc) {
  Vec sum[R][W];
  for (int r = 0; r < R; ++r)
    for (int w = 0; w < W; ++w) sum[r][w] = Vec{};
  for (int64_t k = 0; k < inner; ++k) {
    Vec row[W];
    for (int w = 0; w < W; ++w) row[w] = Load(b + k * ldb + w * kLanes);
    for (int r = 0; r < R; ++r) {
      const Vec x = Splat(a[r * lda + k]);
      for (int w = 0; w < W; ++w) sum[r][w] += x * row[w];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int w = 0; w < W; ++w) Store(c + r * ldc + w * kLanes, sum[r][w]);
}

template <int W>
void TileColumns(int64_t rows, int64_t inner, const float* a, int64_t lda, const float* b,
                 int64_t ldb, float* c, int64_t ldc) {
  int64_t r = 0;
  for (; r + 4 <= rows; r += 4) Tile<4, W>(inner, a + r * lda, lda, b, ldb, c + r * ldc, ldc);
  switch (rows - r) {
    case 3: Tile<3, W>(inner, a + r * lda, lda, b, ldb, c + r * ldc, ldc); break;
    case 2: Tile<2, W>(inner, a + r * lda, lda, b, ldb, c + r * ldc, ldc); break;
    case 1: Tile<1, W>(inner, a + r * lda, lda, b, ldb, c + r * ldc, ldc); break;
  }
}

inline void SmallGemm(int64_t rows, int64_t cols, int64_t inner, const float* a, int64_t lda,
                      const float* b, int64_t ldb, float* c, int64_t ldc) {
  int64_t j = 0;
  for (; j + kWide * kLanes <= cols; j += kWide * kLanes)
    TileColumns<kWide>(rows, inner, a, lda, b + j, ldb, c + j, ldc);
  for (; j + kLanes <= cols; j += kLanes)
    TileColumns<1>(rows, inner, a, lda, b + j, ldb, c + j, ldc);
  for (int64_t r = 0; r < rows && j < cols; ++r) {  // the last columns, fewer than a vector
    for (int64_t col = j; col < cols; ++col) c[r * ldc + col] = 0.f;
    for (int64_t k = 0; k < inner; ++k) {
      for (int64_t col = j; col < cols; ++col)
        c[r * ldc + col] += a[r * lda + k] * b[k * ldb + col];
    }
  }
}

// Shapes and inputs shared by Forward and Backward; sequences are (batch, time, ...).
struct Sequence {
  int64_t batch, steps, units;
  const float* U;      // (units, 4 units)
  const float* h0;     // (batch, units)
  const float* c0;
  const float* mask;   // (batch, time), or null for no mask
  Activation act, inner;
  const float* drop;   // recurrent dropout (batch, drop_gates, units), or null for none
  int64_t drop_gates;  // 1: one mask for all gates; 4: one per gate i, f, c, o

  bool Keep(int64_t b, int64_t t) const { return !mask || mask[b * steps + t] != 0.f; }
  int64_t At(int64_t b, int64_t t, int64_t width) const { return (b * steps + t) * width; }
  const float* Previous(const float* seq, const float* initial, int64_t b, int64_t t) const {
    return t ? seq + At(b, t - 1, units) : initial + b * units;
  }
  const float* Drop(int64_t b, int64_t gate) const {
    return drop + (b * drop_gates + gate) * units;
  }
};

// The gates' recurrent terms of rows [begin, end) at step t into z (leading dimension ldz):
// h_{t-1} U, or with dropout (h_{t-1} m_g) U_g, the masked rows built in ``masked``.
template <typename Gemm>
void RecurrentProduct(const Sequence& s, const float* h, int64_t t, int64_t begin,
                      int64_t end, float* z, int64_t ldz, std::vector<float>& masked,
                      Gemm gemm) {
  const int64_t n = s.units, rows = end - begin;
  const float* previous = s.Previous(h, s.h0, begin, t);
  const int64_t ld = t ? s.steps * n : n;
  if (!s.drop) {
    gemm(rows, 4 * n, n, previous, ld, s.U, 4 * n, z, ldz);
    return;
  }
  for (int64_t gate = 0; gate < s.drop_gates; ++gate) {
    for (int64_t b = begin; b < end; ++b) {
      const float* hp = previous + (b - begin) * ld;
      const float* m = s.Drop(b, gate);
      float* out = masked.data() + (b - begin) * n;
      for (int64_t j = 0; j < n; ++j) out[j] = hp[j] * m[j];
    }
    const int64_t cols = s.drop_gates == 1 ? 4 * n : n;
    gemm(rows, cols, n, masked.data(), n, s.U + gate * n, 4 * n, z + gate * n, ldz);
  }
}

template <typename Gemm>
void Forward(const Sequence& s, const float* zx, float* h, float* c, float* gates,
             int64_t begin, int64_t end, Gemm gemm) {
  const int64_t n = s.units, rows = end - begin;
  std::vector<float> cell(n), masked(s.drop ? rows * n : 0);
  for (int64_t t = 0; t < s.steps; ++t) {
    // z = h_{t-1} U for the block's rows, straight into the gates' rows.
    RecurrentProduct(s, h, t, begin, end, gates + s.At(begin, t, 4 * n), s.steps * 4 * n,
                     masked, gemm);
    for (int64_t b = begin; b < end; ++b) {
      float* z = gates + s.At(b, t, 4 * n);
      const float* x = zx + s.At(b, t, 4 * n);
      const float* hp = s.Previous(h, s.h0, b, t);
      const float* cp = s.Previous(c, s.c0, b, t);
      float* h_out = h + s.At(b, t, n);
      float* c_out = c + s.At(b, t, n);
      if (!s.Keep(b, t)) {
        std::memcpy(h_out, hp, n * sizeof(float));
        std::memcpy(c_out, cp, n * sizeof(float));
        continue;
      }
      for (int64_t j = 0; j < 4 * n; ++j) z[j] += x[j];
      Apply(s.inner, z, 2 * n);           // i, f
      Apply(s.act, z + 2 * n, n);         // g
      Apply(s.inner, z + 3 * n, n);       // o
      const float *i = z, *f = z + n, *g = z + 2 * n, *o = z + 3 * n;
      for (int64_t j = 0; j < n; ++j) c_out[j] = cell[j] = f[j] * cp[j] + i[j] * g[j];
      Apply(s.act, cell.data(), n);
      for (int64_t j = 0; j < n; ++j) h_out[j] = o[j] * cell[j];
    }
  }
}

// dz (before the activations' derivatives) and dc_{t-1} of one sample at one step, from
// the gates z, c_{t-1}, act(c_t), dh_t o act'(c_t) (``work``), dh_t and dc_t (in dc).
// Restrict-qualified, so the loop vectorizes.
inline void GateGradients(int64_t n, const float* __restrict z, const float* __restrict cp,
                          const float* __restrict cell, const float* __restrict work,
                          const float* __restrict dh, float* __restrict dc,
                          float* __restrict dz) {
  for (int64_t j = 0; j < n; ++j) {
    const float dc_j = dc[j] + work[j];
    dz[j] = dc_j * z[2 * n + j];        // i: times g
    dz[n + j] = dc_j * cp[j];           // f: times c_{t-1}
    dz[2 * n + j] = dc_j * z[j];        // g: times i
    dz[3 * n + j] = dh[j] * cell[j];    // o: times act(c_t)
    dc[j] = dc_j * z[n + j];            // times f
  }
}

template <typename Gemm>
void Backward(const Sequence& s, const float* h, const float* c, const float* gates,
              const float* grad_h, const float* grad_c, float* grad_zx, float* grad_h0,
              float* grad_c0, int64_t begin, int64_t end, Gemm gemm) {
  const int64_t n = s.units, rows = end - begin;
  // dh, dc: the gradients reaching h_t and c_t from later steps, per row of the block.
  std::vector<float> dh(rows * n, 0.f), dc(rows * n, 0.f), through(rows * n), cell(n),
      work(n), gate_part(s.drop && s.drop_gates > 1 ? rows * n : 0);
  // U^T (4 units, units), so that dz U^T is a product with B read row by row.
  std::vector<float> Ut(4 * n * n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < 4 * n; ++j) Ut[j * n + i] = s.U[i * 4 * n + j];
  for (int64_t t = s.steps - 1; t >= 0; --t) {
    for (int64_t b = begin; b < end; ++b) {
      float* dh_b = dh.data() + (b - begin) * n;
      float* dc_b = dc.data() + (b - begin) * n;
      const float* gh = grad_h + s.At(b, t, n);
      const float* gc = grad_c + s.At(b, t, n);
      for (int64_t j = 0; j < n; ++j) {
        dh_b[j] += gh[j];
        dc_b[j] += gc[j];
      }
      float* dz = grad_zx + s.At(b, t, 4 * n);
      if (!s.Keep(b, t)) {  // h and c were carried over: their gradients pass through
        std::memset(dz, 0, 4 * n * sizeof(float));
        continue;
      }
      const float* z = gates + s.At(b, t, 4 * n);
      const float* o = z + 3 * n;
      const float* cp = s.Previous(c, s.c0, b, t);
      std::memcpy(cell.data(), c + s.At(b, t, n), n * sizeof(float));
      Apply(s.act, cell.data(), n);
      for (int64_t j = 0; j < n; ++j) work[j] = dh_b[j] * o[j];
      TimesDerivative(s.act, cell.data(), work.data(), n);
      GateGradients(n, z, cp, cell.data(), work.data(), dh_b, dc_b, dz);
      TimesDerivative(s.inner, z, dz, 2 * n);
      TimesDerivative(s.act, z + 2 * n, dz + 2 * n, n);
      TimesDerivative(s.inner, z + 3 * n, dz + 3 * n, n);
    }
    // dh_{t-1} = dz_t U^T (with dropout: sum over gates of (dz_g U_g^T) m_g) on the rows
    // that stepped; carried rows keep their dh.
    const float* dz_rows = grad_zx + s.At(begin, t, 4 * n);
    const int64_t ldz = s.steps * 4 * n;
    if (!s.drop || s.drop_gates == 1) {
      gemm(rows, n, 4 * n, dz_rows, ldz, Ut.data(), n, through.data(), n);
      for (int64_t b = begin; s.drop && b < end; ++b) {
        float* out = through.data() + (b - begin) * n;
        const float* m = s.Drop(b, 0);
        for (int64_t j = 0; j < n; ++j) out[j] *= m[j];
      }
    } else {
      for (int64_t gate = 0; gate < s.drop_gates; ++gate) {
        gemm(rows, n, n, dz_rows + gate * n, ldz, Ut.data() + gate * n * n, n,
             gate_part.data(), n);
        for (int64_t b = begin; b < end; ++b) {
          float* out = through.data() + (b - begin) * n;
          const float* part = gate_part.data() + (b - begin) * n;
          const float* m = s.Drop(b, gate);
          for (int64_t j = 0; j < n; ++j) out[j] = (gate ? out[j] : 0.f) + part[j] * m[j];
        }
      }
    }
    for (int64_t b = begin; b < end; ++b) {
      if (s.Keep(b, t)) {
        std::memcpy(dh.data() + (b - begin) * n, through.data() + (b - begin) * n,
                    n * sizeof(float));
      }
    }
  }
  std::memcpy(grad_h0 + begin * n, dh.data(), rows * n * sizeof(float));
  std::memcpy(grad_c0 + begin * n, dc.data(), rows * n * sizeof(float));
}

}  // namespace kcore_lstm

#endif  // KCORE_NATIVE_LSTM_H_
