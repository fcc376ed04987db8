// A dense layer with few output units (at most 16: a classifier's last layer) as one
// TensorFlow op on the CPU: y = activation(a w + bias).
//
// oneDNN's and Eigen's matrix products are made for wide outputs; with 10 columns they run
// at a tenth of the machine's speed (1024x512 by 512x10: ~210 us and the softmax ~50 us,
// where the two products of 512 columns before it run at ~320 GFLOP/s). Here w's columns,
// padded to 16, are one vector (two of 8 lanes) per row of w, lstm.h's Tile broadcasts
// each element of 12 (6) rows of a against it with the sums in registers, and the bias and
// the softmax are applied to each row's sums before they are stored. The batch's rows are
// split among the op's threads.
//
// KcoreNarrowDense(a (rows, inner), w (inner, units), bias (units,) or empty) -> y (rows,
// units), attr activation: "linear" or "softmax".
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "cpu_helpers.h"
#include "lstm.h"  // Tile (the product in registers), kLanes and Exp
#include "tensorflow/core/framework/op.h"
#include "tensorflow/core/framework/shape_inference.h"

namespace kcore_tf {
namespace {

using kcore_lstm::Exp;
using kcore_lstm::kLanes;
using kcore_lstm::Tile;
using tensorflow::OpKernel;
using tensorflow::OpKernelConstruction;
using tensorflow::OpKernelContext;
using tensorflow::Tensor;
using tensorflow::TensorShape;
using tensorflow::errors::InvalidArgument;
using tensorflow::shape_inference::DimensionHandle;
using tensorflow::shape_inference::InferenceContext;
using tensorflow::shape_inference::ShapeHandle;

constexpr int64_t kMaxUnits = 16;
constexpr int kVectors = kMaxUnits / kLanes;  // per row: 1 with AVX-512, 2 with 8 lanes
constexpr int kTileRows = 12 / kVectors;      // rows whose sums stay in registers

// One row's sums (kMaxUnits, padded with zeros) plus the bias, through the activation,
// into the row's ``units`` outputs. ``keep`` is 1 for the row's units and 0 for the padding;
// the loops over all kMaxUnits lanes vectorize.
inline void Finish(const float* sums, const float* bias, const float* keep, int64_t units,
                   bool softmax, float* out) {
  float z[kMaxUnits];
  for (int64_t j = 0; j < kMaxUnits; ++j) z[j] = sums[j] + bias[j];
  if (softmax) {
    float top = z[0];
    for (int64_t j = 1; j < units; ++j) top = z[j] > top ? z[j] : top;
    float e[kMaxUnits];
    for (int64_t j = 0; j < kMaxUnits; ++j) e[j] = Exp(z[j] - top) * keep[j];
    for (int64_t j = 0; j < kMaxUnits; ++j) z[j] = e[j];
    for (int64_t width = kMaxUnits / 2; width >= 1; width /= 2)  // pairwise sum into e[0]
      for (int64_t j = 0; j < width; ++j) e[j] += e[j + width];
    const float scale = 1.f / e[0];
    for (int64_t j = 0; j < kMaxUnits; ++j) z[j] *= scale;
  }
  std::memcpy(out, z, units * sizeof(float));
}

class NarrowDenseOp : public OpKernel {
 public:
  explicit NarrowDenseOp(OpKernelConstruction* ctx) : OpKernel(ctx) {
    std::string activation;
    OP_REQUIRES_OK(ctx, ctx->GetAttr("activation", &activation));
    OP_REQUIRES(ctx, activation == "linear" || activation == "softmax",
                InvalidArgument("KcoreNarrowDense: activation must be 'linear' or 'softmax'; "
                                "got '", activation, "'"));
    softmax_ = activation == "softmax";
  }

  void Compute(OpKernelContext* ctx) override {
    const Tensor& a = ctx->input(0);
    const Tensor& w = ctx->input(1);
    const Tensor& bias = ctx->input(2);
    OP_REQUIRES(ctx, a.dims() == 2 && w.dims() == 2 && a.dim_size(1) == w.dim_size(0),
                InvalidArgument("KcoreNarrowDense: expected inputs (rows, inner) and weights "
                                "(inner, units); got ", a.shape().DebugString(), " and ",
                                w.shape().DebugString()));
    const int64_t rows = a.dim_size(0), inner = a.dim_size(1), units = w.dim_size(1);
    OP_REQUIRES(ctx, units >= 1 && units <= kMaxUnits,
                InvalidArgument("KcoreNarrowDense: the weights must have 1 to ", kMaxUnits,
                                " columns; got ", w.shape().DebugString()));
    OP_REQUIRES(ctx, bias.NumElements() == 0 || bias.shape() == TensorShape({units}),
                InvalidArgument("KcoreNarrowDense: the bias must be (", units,
                                ",) or empty; got ", bias.shape().DebugString()));
    Tensor* y = nullptr;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, TensorShape({rows, units}), &y));
    if (rows == 0) return;

    // w and the bias with their columns padded to kMaxUnits (zeros): 64 KB at most for an
    // inner size of 1024, made once per call.
    std::vector<float> padded(inner * kMaxUnits, 0.f), padded_bias(kMaxUnits, 0.f),
        keep(kMaxUnits, 0.f);
    std::fill(keep.begin(), keep.begin() + units, 1.f);
    const float* w_data = w.flat<float>().data();
    for (int64_t k = 0; k < inner; ++k)
      std::memcpy(padded.data() + k * kMaxUnits, w_data + k * units, units * sizeof(float));
    if (bias.NumElements())
      std::memcpy(padded_bias.data(), bias.flat<float>().data(), units * sizeof(float));

    const float* a_data = a.flat<float>().data();
    float* out = y->flat<float>().data();
    const bool softmax = softmax_;
    ForRowBlocks(ctx, rows, [&](int64_t begin, int64_t end) {
      float sums[kTileRows * kMaxUnits];
      int64_t r = begin;
      for (; r + kTileRows <= end; r += kTileRows) {
        Tile<kTileRows, kVectors>(inner, a_data + r * inner, inner, padded.data(),
                                  kMaxUnits, sums, kMaxUnits);
        for (int i = 0; i < kTileRows; ++i)
          Finish(sums + i * kMaxUnits, padded_bias.data(), keep.data(), units, softmax,
                 out + (r + i) * units);
      }
      for (; r < end; ++r) {
        Tile<1, kVectors>(inner, a_data + r * inner, inner, padded.data(), kMaxUnits, sums,
                          kMaxUnits);
        Finish(sums, padded_bias.data(), keep.data(), units, softmax, out + r * units);
      }
    });
  }

 private:
  bool softmax_;
};

REGISTER_OP("KcoreNarrowDense")
    .Input("a: float")
    .Input("w: float")
    .Input("bias: float")
    .Output("y: float")
    .Attr("activation: string = 'linear'")
    .SetShapeFn([](InferenceContext* c) {
      ShapeHandle a, w;
      TF_RETURN_IF_ERROR(c->WithRank(c->input(0), 2, &a));
      TF_RETURN_IF_ERROR(c->WithRank(c->input(1), 2, &w));
      DimensionHandle inner;
      TF_RETURN_IF_ERROR(c->Merge(c->Dim(a, 1), c->Dim(w, 0), &inner));
      c->set_output(0, c->Matrix(c->Dim(a, 0), c->Dim(w, 1)));
      return tensorflow::OkStatus();
    });

REGISTER_KERNEL_BUILDER(Name("KcoreNarrowDense").Device(tensorflow::DEVICE_CPU),
                        NarrowDenseOp);

}  // namespace
}  // namespace kcore_tf
