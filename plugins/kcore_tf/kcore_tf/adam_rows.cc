// Adam's dense step from a gradient given as rows (an embedding's IndexedSlices), in place
// on the CPU: one pass over the variable and its moments, without forming the dense
// gradient first.
//
// KcoreAdamFromRows(var, m, v, beta_1_power, beta_2_power, lr, beta_1, beta_2, epsilon,
// indices, values): the gradient is zero except at the rows ``indices`` of var, where it is
// the sum of the ``values`` rows given for that row (duplicates add up). Every row takes
// kcore's (Keras 1's) step, including the rows without gradient, whose moments decay:
//   m = beta_1 m + (1 - beta_1) g;   v = beta_2 v + (1 - beta_2) g^2
//   var -= lr_t m / (sqrt(v) + epsilon),  lr_t = lr sqrt(1 - beta_2_power) / (1 - beta_1_power)
// The rows are split into blocks on the op's thread pool.
#define EIGEN_USE_THREADS  // the variable helpers copy a shared buffer on the thread pool

#include <cmath>
#include <cstdint>
#include <vector>

#include "cpu_helpers.h"
#include "tensorflow/core/framework/op.h"
#include "tensorflow/core/framework/resource_var.h"
#include "tensorflow/core/framework/shape_inference.h"
#include "tensorflow/core/kernels/training_op_helpers.h"

namespace kcore_tf {
namespace {

using tensorflow::OpKernel;
using tensorflow::OpKernelConstruction;
using tensorflow::OpKernelContext;
using tensorflow::Tensor;
using tensorflow::errors::InvalidArgument;

struct Hyper {
  float beta_1, beta_2, lr_t, epsilon;
};

// One row (or run of rows) of ``n`` elements; ``g`` null where the gradient is zero.
// Restrict-qualified and branch-free inside, so that each loop vectorizes (sqrt included:
// the library is built with -fno-math-errno).
inline void Step(const Hyper& h, int64_t n, const float* __restrict g, float* __restrict p,
                 float* __restrict m, float* __restrict v) {
  const float a = 1.f - h.beta_1, b = 1.f - h.beta_2;
  if (g) {
    for (int64_t j = 0; j < n; ++j) {
      const float mj = h.beta_1 * m[j] + a * g[j];
      const float vj = h.beta_2 * v[j] + b * (g[j] * g[j]);
      m[j] = mj;
      v[j] = vj;
      p[j] -= h.lr_t * mj / (std::sqrt(vj) + h.epsilon);
    }
  } else {
    for (int64_t j = 0; j < n; ++j) {
      const float mj = h.beta_1 * m[j];
      const float vj = h.beta_2 * v[j];
      m[j] = mj;
      v[j] = vj;
      p[j] -= h.lr_t * mj / (std::sqrt(vj) + h.epsilon);
    }
  }
}

float Scalar(OpKernelContext* ctx, int index) { return ctx->input(index).scalar<float>()(); }

template <typename Index>
class AdamFromRowsOp : public OpKernel {
 public:
  using OpKernel::OpKernel;

  void Compute(OpKernelContext* ctx) override {
    using CPU = Eigen::ThreadPoolDevice;
    auto locks = tensorflow::MaybeLockVariableInputMutexesInOrder<CPU, float>(
        ctx, /*do_lock=*/true, /*sparse=*/false, {0, 1, 2});
    Tensor var, m, v;
    OP_REQUIRES_OK(ctx, tensorflow::GetInputTensorFromVariable<CPU, float>(ctx, 0, true, false,
                                                                           &var));
    OP_REQUIRES_OK(ctx, tensorflow::GetInputTensorFromVariable<CPU, float>(ctx, 1, true, false,
                                                                           &m));
    OP_REQUIRES_OK(ctx, tensorflow::GetInputTensorFromVariable<CPU, float>(ctx, 2, true, false,
                                                                           &v));
    OP_REQUIRES(ctx, var.IsInitialized() && m.IsInitialized() && v.IsInitialized(),
                InvalidArgument("KcoreAdamFromRows: the variable or its moments are not "
                                "initialized"));
    OP_REQUIRES(ctx, var.dims() >= 1 && var.shape() == m.shape() && var.shape() == v.shape(),
                InvalidArgument("KcoreAdamFromRows: the variable and its moments must have "
                                "one shape of rank >= 1; got ", var.shape().DebugString(), ", ",
                                m.shape().DebugString(), " and ", v.shape().DebugString()));
    for (int index = 3; index < 9; ++index) {
      OP_REQUIRES(ctx, tensorflow::TensorShapeUtils::IsScalar(ctx->input(index).shape()),
                  InvalidArgument("KcoreAdamFromRows: input ", index, " must be a scalar; got ",
                                  ctx->input(index).shape().DebugString()));
    }
    const Tensor& indices = ctx->input(9);
    const Tensor& values = ctx->input(10);
    const int64_t rows = var.dim_size(0);
    const int64_t width = rows ? var.NumElements() / rows : 0;
    const int64_t given = indices.NumElements();
    OP_REQUIRES(ctx, indices.dims() == 1 && values.dims() >= 1 &&
                         values.dim_size(0) == given && values.NumElements() == given * width,
                InvalidArgument("KcoreAdamFromRows: indices must be (n,) and values (n, ...) "
                                "with rows of ", width, " elements (the variable's ",
                                var.shape().DebugString(), "); got indices ",
                                indices.shape().DebugString(), ", values ",
                                values.shape().DebugString()));
    if (rows == 0) return;

    // The gradient's rows, duplicates summed, and each variable row's place among them.
    auto index = indices.flat<Index>();
    const float* given_rows = values.flat<float>().data();
    std::vector<int64_t> slot(rows, -1);
    std::vector<float> sums;
    sums.reserve(given * width);
    for (int64_t k = 0; k < given; ++k) {
      const int64_t row = static_cast<int64_t>(index(k));
      OP_REQUIRES(ctx, row >= 0 && row < rows,
                  InvalidArgument("KcoreAdamFromRows: index ", row, " at position ", k,
                                  " is outside the variable's ", rows, " rows"));
      const float* from = given_rows + k * width;
      if (slot[row] < 0) {
        slot[row] = static_cast<int64_t>(sums.size());
        sums.insert(sums.end(), from, from + width);
      } else {
        float* to = sums.data() + slot[row];
        for (int64_t j = 0; j < width; ++j) to[j] += from[j];
      }
    }

    Hyper h;
    h.beta_1 = Scalar(ctx, 6);
    h.beta_2 = Scalar(ctx, 7);
    h.epsilon = Scalar(ctx, 8);
    h.lr_t = Scalar(ctx, 5) * std::sqrt(1.f - Scalar(ctx, 4)) / (1.f - Scalar(ctx, 3));
    float* p = var.flat<float>().data();
    float* mp = m.flat<float>().data();
    float* vp = v.flat<float>().data();
    ForRowBlocks(ctx, rows, [&](int64_t begin, int64_t end) {
      int64_t row = begin;
      while (row < end) {
        // A run of rows without gradient is one flat loop; a row with one, a loop of its own.
        int64_t last = row;
        while (last < end && slot[last] < 0) ++last;
        if (last > row) {
          const int64_t at = row * width;
          Step(h, (last - row) * width, nullptr, p + at, mp + at, vp + at);
          row = last;
          continue;
        }
        const int64_t at = row * width;
        Step(h, width, sums.data() + slot[row], p + at, mp + at, vp + at);
        ++row;
      }
    });
  }
};

REGISTER_OP("KcoreAdamFromRows")
    .Input("var: resource")
    .Input("m: resource")
    .Input("v: resource")
    .Input("beta_1_power: float")
    .Input("beta_2_power: float")
    .Input("lr: float")
    .Input("beta_1: float")
    .Input("beta_2: float")
    .Input("epsilon: float")
    .Input("indices: Tindices")
    .Input("values: float")
    .Attr("Tindices: {int32, int64}")
    .SetShapeFn(tensorflow::shape_inference::NoOutputs);

REGISTER_KERNEL_BUILDER(Name("KcoreAdamFromRows")
                            .Device(tensorflow::DEVICE_CPU)
                            .TypeConstraint<int32_t>("Tindices"),
                        AdamFromRowsOp<int32_t>);
REGISTER_KERNEL_BUILDER(Name("KcoreAdamFromRows")
                            .Device(tensorflow::DEVICE_CPU)
                            .TypeConstraint<int64_t>("Tindices"),
                        AdamFromRowsOp<int64_t>);

}  // namespace
}  // namespace kcore_tf
