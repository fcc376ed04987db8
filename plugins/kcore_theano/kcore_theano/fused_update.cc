// Keras 1's Adam step as one in-place pass over a float32 parameter and its two moments, for
// kcore_theano/fused_update.py. ``hyper`` is {lr_t, beta_1, 1 - beta_1, beta_2, 1 - beta_2,
// epsilon}, lr_t with the bias correction folded in:
//   m = beta_1 m + (1 - beta_1) g;  v = beta_2 v + (1 - beta_2) g^2;
//   p = p - lr_t m / (sqrt(v) + epsilon).
// The rows are shared among threads (row_blocks.h). kcore_adam_sparse takes the gradient as
// (element index, value) pairs into the flattened parameter, summing repeated indices, and
// still updates every element (the zero gradient decays the moments): Keras 1's Adam is
// dense.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#if defined(__AVX__) || defined(__SSE2__)
#include <immintrin.h>
#endif

#include "row_blocks.h"

namespace {

// A thread only for each 64K elements (about 0.1 ms of the memory-bound pass); blocks of
// about 16K elements, so a thread that is preempted holds the others up little.
const int64_t kElementsPerThread = 1 << 16, kBlockElements = 1 << 14;
int64_t BlocksPerThread(int64_t rows, int64_t cols, int threads) {
  return std::max<int64_t>(1, rows * cols / kBlockElements / std::max(threads, 1));
}
// Elements per chunk: the chunk's square roots stay in L1 between the loops.
const int64_t kChunk = 256;

// x = sqrt(x) + epsilon for n floats. The square roots are vector instructions where the
// target has them: gcc keeps a scalar call per element for std::sqrt (it may set errno).
inline void RootsPlus(int64_t n, float* x, float epsilon) {
  int64_t i = 0;
#if defined(__AVX__)
  const __m256 eps8 = _mm256_set1_ps(epsilon);
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(x + i, _mm256_add_ps(_mm256_sqrt_ps(_mm256_loadu_ps(x + i)), eps8));
#elif defined(__SSE2__)
  const __m128 eps4 = _mm_set1_ps(epsilon);
  for (; i + 4 <= n; i += 4)
    _mm_storeu_ps(x + i, _mm_add_ps(_mm_sqrt_ps(_mm_loadu_ps(x + i)), eps4));
#endif
  for (; i < n; ++i) x[i] = std::sqrt(x[i]) + epsilon;
}

struct Adam {
  float lr_t, beta_1, one_minus_beta_1, beta_2, one_minus_beta_2, epsilon;
  explicit Adam(const float* h)
      : lr_t(h[0]), beta_1(h[1]), one_minus_beta_1(h[2]), beta_2(h[3]),
        one_minus_beta_2(h[4]), epsilon(h[5]) {}

  // The step of n elements; g null: a zero gradient (the moments only decay).
  void Step(int64_t n, float* __restrict p, float* __restrict m, float* __restrict v,
            const float* __restrict g) const {
    float root[kChunk];
    for (int64_t at = 0; at < n; at += kChunk) {
      const int64_t k = std::min(kChunk, n - at);
      float *pc = p + at, *mc = m + at, *vc = v + at;
      if (g) {
        const float* gc = g + at;
        for (int64_t i = 0; i < k; ++i) {
          mc[i] = beta_1 * mc[i] + one_minus_beta_1 * gc[i];
          root[i] = vc[i] = beta_2 * vc[i] + one_minus_beta_2 * (gc[i] * gc[i]);
        }
      } else {
        for (int64_t i = 0; i < k; ++i) {
          mc[i] = beta_1 * mc[i];
          root[i] = vc[i] = beta_2 * vc[i];
        }
      }
      RootsPlus(k, root, epsilon);
      for (int64_t i = 0; i < k; ++i) pc[i] = pc[i] - lr_t * mc[i] / root[i];
    }
  }
};

}  // namespace

extern "C" void kcore_adam_dense(int64_t rows, int64_t cols, float* p, float* m, float* v,
                                 const float* g, const float* hyper, int threads) {
  const Adam adam(hyper);
  kcore_theano::ForRowBlocks(rows, threads, rows * cols, kElementsPerThread, 1,
                             BlocksPerThread(rows, cols, threads),
                             [&](int64_t begin, int64_t end) {
    const int64_t at = begin * cols;
    adam.Step((end - begin) * cols, p + at, m + at, v + at, g + at);
  });
}

// Returns 0, or -1 when an index is outside [-rows cols, rows cols) (negative ones count
// from the end, as numpy's).
extern "C" int kcore_adam_sparse(int64_t rows, int64_t cols, float* p, float* m, float* v,
                                 int64_t count, const int64_t* index, const float* values,
                                 const float* hyper, int threads) {
  const int64_t size = rows * cols;
  // The gradient's rows that have entries, summed in index order, as the dense increment.
  std::vector<int64_t> slot(rows, -1);
  std::vector<float> summed;
  summed.reserve(std::min(count, size));
  int64_t used = 0, first = 0, last = -1;   // the row of the previous index: [first, last]
  float* row = nullptr;
  for (int64_t k = 0; k < count; ++k) {
    int64_t e = index[k];
    if (e < 0) e += size;
    if (e < 0 || e >= size) return -1;
    if (e < first || e > last) {   // a division only where the row changes
      const int64_t r = e / cols;
      if (slot[r] < 0) {
        slot[r] = used++;
        summed.resize(used * cols, 0.f);
      }
      row = summed.data() + slot[r] * cols;
      first = r * cols;
      last = first + cols - 1;
    }
    row[e - first] += values[k];
  }
  const Adam adam(hyper);
  kcore_theano::ForRowBlocks(rows, threads, size, kElementsPerThread, 1,
                             BlocksPerThread(rows, cols, threads),
                             [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t at = r * cols;
      if (slot[r] < 0)
        adam.Step(cols, p + at, m + at, v + at, nullptr);
      else
        adam.Step(cols, p + at, m + at, v + at, summed.data() + slot[r] * cols);
    }
  });
  return 0;
}
