// What kcore-tf's CPU kernels share: Eigen's matrix product in the shape kcore/native's
// loops take, and the loop over blocks of a batch's rows on the op's thread pool.
#ifndef KCORE_TF_CPU_HELPERS_H_
#define KCORE_TF_CPU_HELPERS_H_

#include <Eigen/Core>

#include <algorithm>
#include <cstdint>

#include "tensorflow/core/framework/op_kernel.h"
#include "tensorflow/core/util/work_sharder.h"

namespace kcore_tf {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Rows = Eigen::Map<Matrix, 0, Eigen::OuterStride<>>;
using ConstRows = Eigen::Map<const Matrix, 0, Eigen::OuterStride<>>;

// C = A B or A B^T (row-major, leading dimensions lda, ldb, ldc) with Eigen.
inline void EigenGemm(int64_t rows, int64_t cols, int64_t inner, const float* a, int64_t lda,
                      const float* b, int64_t ldb, bool transpose_b, float* c, int64_t ldc) {
  ConstRows A(a, rows, inner, Eigen::OuterStride<>(lda));
  Rows C(c, rows, cols, Eigen::OuterStride<>(ldc));
  if (transpose_b) {
    C.noalias() = A * ConstRows(b, cols, inner, Eigen::OuterStride<>(ldb)).transpose();
  } else {
    C.noalias() = A * ConstRows(b, inner, cols, Eigen::OuterStride<>(ldb));
  }
}

// Run fn(first_row, end_row) over blocks of at least 8 rows of the batch, one block per
// worker thread at most.
template <typename Fn>
void ForRowBlocks(tensorflow::OpKernelContext* ctx, int64_t batch, Fn fn) {
  auto* workers = ctx->device()->tensorflow_cpu_worker_threads();
  const int64_t min_rows = 8;
  const int64_t blocks =
      std::max<int64_t>(1, std::min<int64_t>(workers->num_threads, batch / min_rows));
  const int64_t per_block = (batch + blocks - 1) / blocks;
  tensorflow::Shard(blocks, workers->workers, blocks, int64_t{1} << 40,
                    [&](int64_t first, int64_t last) {
                      for (int64_t block = first; block < last; ++block) {
                        const int64_t begin = block * per_block;
                        const int64_t end = std::min(batch, begin + per_block);
                        if (begin < end) fn(begin, end);
                      }
                    });
}

}  // namespace kcore_tf

#endif  // KCORE_TF_CPU_HELPERS_H_
