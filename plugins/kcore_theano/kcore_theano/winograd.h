// Winograd F(2x2, 3x3) for conv_kernel.cc's 3x3, stride 1, undilated convolutions,
// channels-last float32: each 2x2 block of outputs comes from a 4x4 block of the input
// through 16 products of (blocks, channels) by (channels, filters) instead of 36, so a
// convolution takes 4/9 of im2col's multiply-adds and no im2col (Lavin and Gray, "Fast
// Algorithms for Convolutional Neural Networks", 2016). The products' inner dimension is
// the channels, short enough that sgemm runs at two thirds of its speed: Product below
// keeps its sums in registers instead.
#ifndef KCORE_THEANO_WINOGRAD_H_
#define KCORE_THEANO_WINOGRAD_H_

#include <algorithm>
#include <cstdint>
#include <vector>

extern "C" void scipy_cblas_sgemm(int order, int transpose_a, int transpose_b, int m, int n,
                                  int k, float alpha, const float* a, int lda, const float* b,
                                  int ldb, float beta, float* c, int ldc);

namespace kcore_theano {
namespace winograd {

// Samples per group of products: one, so that its transformed input and products (1 MB
// for 26x26x32 -> 24x24x64) stay in the cache; 2 to 8 measured slower.
const int64_t kSamples = 1;

// u (16, channels, filters): G g G^T of each (channel, filter) of kernel (3, 3, channels,
// filters), with G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1].
inline void TransformKernel(int64_t channels, int64_t filters, const float* kernel,
                            float* u) {
  const int64_t size = channels * filters;
  std::vector<float> t(12 * size);  // G g: (4, 3, channels, filters)
  for (int64_t b = 0; b < 3; ++b) {
    const float* g0 = kernel + b * size;
    const float* g1 = kernel + (3 + b) * size;
    const float* g2 = kernel + (6 + b) * size;
    float* t0 = t.data() + b * size;
    float* t1 = t0 + 3 * size;
    float* t2 = t1 + 3 * size;
    float* t3 = t2 + 3 * size;
    for (int64_t k = 0; k < size; ++k) {
      t0[k] = g0[k];
      t1[k] = 0.5f * (g0[k] + g1[k] + g2[k]);
      t2[k] = 0.5f * (g0[k] - g1[k] + g2[k]);
      t3[k] = g2[k];
    }
  }
  for (int64_t i = 0; i < 4; ++i) {
    const float* r0 = t.data() + (i * 3) * size;
    const float* r1 = r0 + size;
    const float* r2 = r1 + size;
    float* u0 = u + (i * 4) * size;
    float* u1 = u0 + size;
    float* u2 = u1 + size;
    float* u3 = u2 + size;
    for (int64_t k = 0; k < size; ++k) {
      u0[k] = r0[k];
      u1[k] = 0.5f * (r0[k] + r1[k] + r2[k]);
      u2[k] = 0.5f * (r0[k] - r1[k] + r2[k]);
      u3[k] = r2[k];
    }
  }
}

// v (16, rows, c): B^T d B of the 4x4 input block of each output block of `count` samples
// of x (rows, cols, c) starting at x; its row (s * blocks + by * block_cols + bx). Pixels
// outside the image (the padding at top, left, and past the last row or column) are 0.
// B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
inline void TransformInput(int64_t count, int64_t rows, int64_t cols, int64_t c, int64_t top,
                           int64_t left, int64_t block_rows, int64_t block_cols,
                           const float* x, const float* zeros, float* v) {
  const int64_t blocks = block_rows * block_cols, stride = count * blocks * c;
  for (int64_t s = 0; s < count; ++s) {
    const float* image = x + s * rows * cols * c;
    for (int64_t by = 0; by < block_rows; ++by) {
      for (int64_t bx = 0; bx < block_cols; ++bx) {
        const float* d[16];
        for (int64_t i = 0; i < 4; ++i) {
          const int64_t iy = 2 * by - top + i;
          for (int64_t j = 0; j < 4; ++j) {
            const int64_t ix = 2 * bx - left + j;
            const bool inside = iy >= 0 && iy < rows && ix >= 0 && ix < cols;
            d[i * 4 + j] = inside ? image + (iy * cols + ix) * c : zeros;
          }
        }
        float* out = v + ((s * block_rows + by) * block_cols + bx) * c;
#pragma GCC ivdep  // out is a buffer of its own: no d[] aliases it
        for (int64_t k = 0; k < c; ++k) {
          float t[16];
          for (int64_t j = 0; j < 4; ++j) {
            t[j] = d[j][k] - d[8 + j][k];
            t[4 + j] = d[4 + j][k] + d[8 + j][k];
            t[8 + j] = d[8 + j][k] - d[4 + j][k];
            t[12 + j] = d[4 + j][k] - d[12 + j][k];
          }
          for (int64_t i = 0; i < 4; ++i) {
            out[(i * 4) * stride + k] = t[i * 4] - t[i * 4 + 2];
            out[(i * 4 + 1) * stride + k] = t[i * 4 + 1] + t[i * 4 + 2];
            out[(i * 4 + 2) * stride + k] = t[i * 4 + 2] - t[i * 4 + 1];
            out[(i * 4 + 3) * stride + k] = t[i * 4 + 1] - t[i * 4 + 3];
          }
        }
      }
    }
  }
}

// y (out rows, out cols, f) of sample s from m (16, rows, f): A^T m A of each block, the
// outputs past the last row or column dropped. A^T = [1 1 1 0; 0 1 -1 -1].
inline void TransformOutput(int64_t s, int64_t out_rows, int64_t out_cols, int64_t f,
                            int64_t block_rows, int64_t block_cols, int64_t stride,
                            const float* m, float* y) {
  for (int64_t by = 0; by < block_rows; ++by) {
    for (int64_t bx = 0; bx < block_cols; ++bx) {
      const float* in = m + ((s * block_rows + by) * block_cols + bx) * f;
      const int64_t oy = 2 * by, ox = 2 * bx;
      const bool full_row = oy + 1 < out_rows, full_col = ox + 1 < out_cols;
      float* y00 = y + (oy * out_cols + ox) * f;
      float* y01 = y00 + f;
      float* y10 = y00 + out_cols * f;
      float* y11 = y10 + f;
#pragma GCC ivdep  // y is the output, m a buffer of its own
      for (int64_t k = 0; k < f; ++k) {
        float t[8];  // A^T m: (2, 4)
        for (int64_t j = 0; j < 4; ++j) {
          const float m0 = in[j * stride + k], m1 = in[(4 + j) * stride + k];
          const float m2 = in[(8 + j) * stride + k], m3 = in[(12 + j) * stride + k];
          t[j] = m0 + m1 + m2;
          t[4 + j] = m1 - m2 - m3;
        }
        y00[k] = t[0] + t[1] + t[2];
        if (full_col) y01[k] = t[1] - t[2] - t[3];
        if (full_row) {
          y10[k] = t[4] + t[5] + t[6];
          if (full_col) y11[k] = t[5] - t[6] - t[7];
        }
      }
    }
  }
}

// 16 floats in a vector register (two or four of them without AVX-512).
typedef float Vector __attribute__((vector_size(64)));
// The same at any float's address (loads and stores of the arrays).
typedef float Unaligned __attribute__((vector_size(64), aligned(4), may_alias));

// c (rows, 16 kVectors) (row stride f) = a (rows, k) b (k, 16 kVectors) (row stride f): the
// rows' sums stay in registers (24 of them) while t runs.
template <int kRows, int kVectors>
inline void ProductRows(int64_t f, int64_t k, const float* a, const float* b, float* c) {
  Vector sums[kRows][kVectors] = {};
  for (int64_t t = 0; t < k; ++t) {
    const Unaligned* w = reinterpret_cast<const Unaligned*>(b + t * f);
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r) {
      const float value = a[r * k + t];
#pragma GCC unroll 4
      for (int q = 0; q < kVectors; ++q) sums[r][q] += value * w[q];
    }
  }
  for (int r = 0; r < kRows; ++r) {
    Unaligned* to = reinterpret_cast<Unaligned*>(c + r * f);
    for (int q = 0; q < kVectors; ++q) to[q] = sums[r][q];
  }
}

// c (n, f) = a (n, k) b (k, f), row-major, in column blocks of kVectors * 16.
template <int kRows, int kVectors>
inline void ProductBlocks(int64_t n, int64_t f, int64_t k, const float* a, const float* b,
                          float* c) {
  for (int64_t j = 0; j < f; j += 16 * kVectors) {
    int64_t i = 0;
    for (; i + kRows <= n; i += kRows) {
      ProductRows<kRows, kVectors>(f, k, a + i * k, b + j, c + i * f + j);
    }
    for (; i < n; ++i) ProductRows<1, kVectors>(f, k, a + i * k, b + j, c + i * f + j);
  }
}

// c (n, f) = a (n, k) b (k, f), row-major, for a short k (the channels), where sgemm runs at
// two thirds of its speed; false (c untouched) unless f is a multiple of 32.
inline bool Product(int64_t n, int64_t f, int64_t k, const float* a, const float* b,
                    float* c) {
  if (f % 64 == 0) {
    ProductBlocks<6, 4>(n, f, k, a, b, c);
  } else if (f % 32 == 0) {
    ProductBlocks<12, 2>(n, f, k, a, b, c);
  } else {
    return false;
  }
  return true;
}

// Buffers of one thread.
struct Workspace {
  std::vector<float> v, m, zeros;
};

// The correlation of `count` samples of x (rows, cols, channels) with the transformed
// kernel u (16, channels, filters): sample s's output (out rows, out cols, filters) is
// written at target(s), then done(s, that output) is called.
template <typename Target, typename Done>
void Correlate(int64_t count, int64_t rows, int64_t cols, int64_t channels, int64_t filters,
               int64_t out_rows, int64_t out_cols, int64_t top, int64_t left, const float* x,
               const float* u, Workspace* work, const Target& target, const Done& done) {
  const int64_t block_rows = (out_rows + 1) / 2, block_cols = (out_cols + 1) / 2;
  const int64_t n = count * block_rows * block_cols;
  work->v.resize(16 * n * channels);
  work->m.resize(16 * n * filters);
  work->zeros.assign(channels, 0.f);
  TransformInput(count, rows, cols, channels, top, left, block_rows, block_cols, x,
                 work->zeros.data(), work->v.data());
  for (int64_t e = 0; e < 16; ++e) {
    if (Product(n, filters, channels, work->v.data() + e * n * channels,
                u + e * channels * filters, work->m.data() + e * n * filters)) {
      continue;
    }
    scipy_cblas_sgemm(101, 111, 111, n, filters, channels, 1.f,
                      work->v.data() + e * n * channels, channels,
                      u + e * channels * filters, filters, 0.f,
                      work->m.data() + e * n * filters, filters);
  }
  for (int64_t s = 0; s < count; ++s) {
    float* y = target(s);
    TransformOutput(s, out_rows, out_cols, filters, block_rows, block_cols, n * filters,
                    work->m.data(), y);
    done(s, y);
  }
}

}  // namespace winograd
}  // namespace kcore_theano

#endif  // KCORE_THEANO_WINOGRAD_H_
