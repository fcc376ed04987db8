// kcore's fused LSTM as TensorFlow ops on the CPU: kcore/native/lstm.h (the loop, forward
// and backward) with Eigen's matrix product, on the op's thread pool.
//
// KcoreLstm(zx, U, h0, c0, mask) -> h, c (batch, time, units) and the gate activations
// (batch, time, 4 units); KcoreLstmGrad returns the gradients of zx, h0 and c0. An empty
// mask means none. The batch is split into blocks of rows that run the whole sequence on
// separate threads.
#include <Eigen/Core>

#include <algorithm>
#include <string>

#include "lstm.h"
#include "tensorflow/core/framework/op.h"
#include "tensorflow/core/framework/op_kernel.h"
#include "tensorflow/core/framework/shape_inference.h"
#include "tensorflow/core/util/work_sharder.h"

namespace kcore_lstm {

using tensorflow::OpKernel;
using tensorflow::OpKernelConstruction;
using tensorflow::OpKernelContext;
using tensorflow::Tensor;
using tensorflow::TensorShape;
using tensorflow::shape_inference::InferenceContext;
using tensorflow::shape_inference::ShapeHandle;
using tensorflow::errors::InvalidArgument;

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Rows = Eigen::Map<Matrix, 0, Eigen::OuterStride<>>;
using ConstRows = Eigen::Map<const Matrix, 0, Eigen::OuterStride<>>;

// C = A B or A B^T (row-major, leading dimensions lda, ldb, ldc) with Eigen.
void EigenGemm(int64_t rows, int64_t cols, int64_t inner, const float* a, int64_t lda,
               const float* b, int64_t ldb, bool transpose_b, float* c, int64_t ldc) {
  ConstRows A(a, rows, inner, Eigen::OuterStride<>(lda));
  Rows C(c, rows, cols, Eigen::OuterStride<>(ldc));
  if (transpose_b) {
    C.noalias() = A * ConstRows(b, cols, inner, Eigen::OuterStride<>(ldb)).transpose();
  } else {
    C.noalias() = A * ConstRows(b, inner, cols, Eigen::OuterStride<>(ldb));
  }
}

// Run fn(first_row, end_row) over blocks of the batch on the op's thread pool.
template <typename Fn>
void ForRowBlocks(OpKernelContext* ctx, int64_t batch, Fn fn) {
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

// Report ``status`` on ``ctx`` and return false.
bool Fail(OpKernelContext* ctx, const tensorflow::Status& status) {
  ctx->CtxFailure(status);
  return false;
}

// Check the shapes shared by both ops and fill ``s`` (with the activations act, inner);
// false after reporting an error.
bool Describe(OpKernelContext* ctx, const Tensor& zx, const Tensor& U, const Tensor& h0,
              const Tensor& c0, const Tensor& mask, Activation act, Activation inner,
              Sequence* s) {
  if (zx.dims() != 3)
    return Fail(ctx, InvalidArgument("KcoreLstm: zx must be (batch, time, 4 units); got shape ",
                                     zx.shape().DebugString()));
  s->batch = zx.dim_size(0);
  s->steps = zx.dim_size(1);
  s->units = U.dims() == 2 ? U.dim_size(0) : -1;
  if (s->units < 0 || U.dim_size(1) != 4 * s->units || zx.dim_size(2) != 4 * s->units)
    return Fail(ctx, InvalidArgument("KcoreLstm: the recurrent kernel must be (units, 4 units) "
                                     "and zx must end in 4 units; got kernel ",
                                     U.shape().DebugString(), ", zx ", zx.shape().DebugString()));
  const TensorShape state({s->batch, s->units});
  if (h0.shape() != state || c0.shape() != state)
    return Fail(ctx, InvalidArgument("KcoreLstm: the initial states must be ", state.DebugString(),
                                     "; got ", h0.shape().DebugString(), " and ",
                                     c0.shape().DebugString()));
  const bool masked = mask.NumElements() > 0;
  if (masked && mask.shape() != TensorShape({s->batch, s->steps}))
    return Fail(ctx, InvalidArgument("KcoreLstm: the mask must be (batch, time) = (", s->batch,
                                     ", ", s->steps, ") or empty; got ",
                                     mask.shape().DebugString()));
  s->U = U.flat<float>().data();
  s->h0 = h0.flat<float>().data();
  s->c0 = c0.flat<float>().data();
  s->mask = masked ? mask.flat<float>().data() : nullptr;
  s->act = act;
  s->inner = inner;
  return true;
}

class ActivationsKernel : public OpKernel {
 public:
  explicit ActivationsKernel(OpKernelConstruction* ctx) : OpKernel(ctx) {
    std::string act, inner;
    OP_REQUIRES_OK(ctx, ctx->GetAttr("activation", &act));
    OP_REQUIRES_OK(ctx, ctx->GetAttr("inner_activation", &inner));
    OP_REQUIRES(ctx, ParseActivation(act, &act_) && ParseActivation(inner, &inner_),
                InvalidArgument("KcoreLstm: activations must be tanh, sigmoid, hard_sigmoid, "
                                "relu or linear; got ", act, " and ", inner));
  }

 protected:
  Activation act_, inner_;
};

class LstmOp : public ActivationsKernel {
 public:
  using ActivationsKernel::ActivationsKernel;

  void Compute(OpKernelContext* ctx) override {
    const Tensor& zx = ctx->input(0);
    Sequence s{};
    if (!Describe(ctx, zx, ctx->input(1), ctx->input(2), ctx->input(3), ctx->input(4), act_,
                  inner_, &s))
      return;
    Tensor *h, *c, *gates;
    const TensorShape out({s.batch, s.steps, s.units});
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, out, &h));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(1, out, &c));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(2, zx.shape(), &gates));
    if (s.steps == 0) return;
    ForRowBlocks(ctx, s.batch, [&](int64_t begin, int64_t end) {
      Forward(s, zx.flat<float>().data(), h->flat<float>().data(), c->flat<float>().data(),
              gates->flat<float>().data(), begin, end, EigenGemm);
    });
  }
};

class LstmGradOp : public ActivationsKernel {
 public:
  using ActivationsKernel::ActivationsKernel;

  void Compute(OpKernelContext* ctx) override {
    const Tensor& gates = ctx->input(6);
    Sequence s{};
    if (!Describe(ctx, gates, ctx->input(0), ctx->input(1), ctx->input(2), ctx->input(3), act_,
                  inner_, &s))
      return;
    const TensorShape seq({s.batch, s.steps, s.units});
    for (int index : {4, 5, 7, 8}) {
      OP_REQUIRES(ctx, ctx->input(index).shape() == seq,
                  InvalidArgument("KcoreLstmGrad: input ", index, " must be ",
                                  seq.DebugString(), "; got ",
                                  ctx->input(index).shape().DebugString()));
    }
    Tensor *grad_zx, *grad_h0, *grad_c0;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, gates.shape(), &grad_zx));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(1, ctx->input(1).shape(), &grad_h0));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(2, ctx->input(2).shape(), &grad_c0));
    auto data = [&](int index) { return ctx->input(index).flat<float>().data(); };
    ForRowBlocks(ctx, s.batch, [&](int64_t begin, int64_t end) {
      Backward(s, data(4), data(5), gates.flat<float>().data(), data(7), data(8),
               grad_zx->flat<float>().data(), grad_h0->flat<float>().data(),
               grad_c0->flat<float>().data(), begin, end, EigenGemm);
    });
  }
};

tensorflow::Status SequenceShapes(InferenceContext* c, ShapeHandle zx, ShapeHandle U,
                                  ShapeHandle* seq) {
  TF_RETURN_IF_ERROR(c->WithRank(zx, 3, &zx));
  TF_RETURN_IF_ERROR(c->WithRank(U, 2, &U));
  *seq = c->MakeShape({c->Dim(zx, 0), c->Dim(zx, 1), c->Dim(U, 0)});
  return tensorflow::OkStatus();
}

REGISTER_OP("KcoreLstm")
    .Input("zx: float")
    .Input("recurrent_kernel: float")
    .Input("h0: float")
    .Input("c0: float")
    .Input("mask: float")
    .Output("h: float")
    .Output("c: float")
    .Output("gates: float")
    .Attr("activation: string")
    .Attr("inner_activation: string")
    .SetShapeFn([](InferenceContext* c) {
      ShapeHandle seq;
      TF_RETURN_IF_ERROR(SequenceShapes(c, c->input(0), c->input(1), &seq));
      c->set_output(0, seq);
      c->set_output(1, seq);
      c->set_output(2, c->input(0));
      return tensorflow::OkStatus();
    });

REGISTER_OP("KcoreLstmGrad")
    .Input("recurrent_kernel: float")
    .Input("h0: float")
    .Input("c0: float")
    .Input("mask: float")
    .Input("h: float")
    .Input("c: float")
    .Input("gates: float")
    .Input("grad_h: float")
    .Input("grad_c: float")
    .Output("grad_zx: float")
    .Output("grad_h0: float")
    .Output("grad_c0: float")
    .Attr("activation: string")
    .Attr("inner_activation: string")
    .SetShapeFn([](InferenceContext* c) {
      c->set_output(0, c->input(6));
      c->set_output(1, c->input(1));
      c->set_output(2, c->input(2));
      return tensorflow::OkStatus();
    });

REGISTER_KERNEL_BUILDER(Name("KcoreLstm").Device(tensorflow::DEVICE_CPU), LstmOp);
REGISTER_KERNEL_BUILDER(Name("KcoreLstmGrad").Device(tensorflow::DEVICE_CPU), LstmGradOp);

}  // namespace kcore_lstm
