// kcore's fused LSTM as TensorFlow ops on the CPU: kcore/native/lstm.h (the loop, forward
// and backward, with its SmallGemm), on the op's thread pool.
//
// KcoreLstm(zx, U, h0, c0, mask, dropout, bias) -> h, c (batch, time, units) and the gate
// activations (batch, time, 4 units); KcoreLstmGrad returns the gradients of zx, h0, c0 and
// bias. An empty mask, dropout or bias means none; dropout is the recurrent dropout mask,
// (batch, units) for all gates or (batch, 4, units) per gate; bias (4 units) is added to zx
// at every step (the caller's BiasAdd folded in: its gradient, a sum over all rows of the
// gradient of zx, costs little here, where each sample's rows were just written). The
// batch is split into blocks of rows that run the whole sequence on separate threads.
#include <algorithm>
#include <string>
#include <vector>

#include "cpu_helpers.h"
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

using kcore_tf::ForRowBlocks;

// Report ``status`` on ``ctx`` and return false.
bool Fail(OpKernelContext* ctx, const tensorflow::Status& status) {
  ctx->CtxFailure(status);
  return false;
}

// Check the shapes shared by both ops and fill ``s`` (with the activations act, inner);
// false after reporting an error.
bool Describe(OpKernelContext* ctx, const Tensor& zx, const Tensor& U, const Tensor& h0,
              const Tensor& c0, const Tensor& mask, const Tensor& dropout, Activation act,
              Activation inner, Sequence* s) {
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
  s->drop_gates = dropout.dims() == 3 ? dropout.dim_size(1) : 1;
  if (dropout.NumElements() > 0 &&
      dropout.shape() != TensorShape({s->batch, s->units}) &&
      dropout.shape() != TensorShape({s->batch, 4, s->units}))
    return Fail(ctx, InvalidArgument("KcoreLstm: the recurrent dropout mask must be (batch, "
                                     "units) = (", s->batch, ", ", s->units, "), (batch, 4, "
                                     "units) or empty; got ", dropout.shape().DebugString()));
  s->drop = dropout.NumElements() > 0 ? dropout.flat<float>().data() : nullptr;
  s->U = U.flat<float>().data();
  s->h0 = h0.flat<float>().data();
  s->c0 = c0.flat<float>().data();
  s->mask = masked ? mask.flat<float>().data() : nullptr;
  s->act = act;
  s->inner = inner;
  return true;
}

// The bias input: null when empty, else its data, which must be (4 units); false after
// reporting an error.
bool Bias(OpKernelContext* ctx, const Tensor& bias, const Sequence& s, const float** data) {
  *data = bias.NumElements() > 0 ? bias.flat<float>().data() : nullptr;
  if (!*data || bias.shape() == TensorShape({4 * s.units})) return true;
  return Fail(ctx, InvalidArgument("KcoreLstm: the bias must be (4 units) = (", 4 * s.units,
                                   ") or empty; got ", bias.shape().DebugString()));
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
    if (!Describe(ctx, zx, ctx->input(1), ctx->input(2), ctx->input(3), ctx->input(4),
                  ctx->input(5), act_, inner_, &s))
      return;
    Tensor *h, *c, *gates;
    const TensorShape out({s.batch, s.steps, s.units});
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, out, &h));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(1, out, &c));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(2, zx.shape(), &gates));
    const float* bias;
    if (!Bias(ctx, ctx->input(6), s, &bias) || s.steps == 0) return;
    const float* U = s.U;
    // The recurrent product plus the bias: lstm.h's Forward multiplies by U or by one
    // gate's columns of it, whose place in U is that of their bias.
    auto gemm = [bias, U](int64_t rows, int64_t cols, int64_t inner, const float* a,
                          int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc) {
      SmallGemm(rows, cols, inner, a, lda, b, ldb, c, ldc);
      if (!bias) return;
      const float* add = bias + (b - U);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < cols; ++j) c[r * ldc + j] += add[j];
    };
    ForRowBlocks(ctx, s.batch, [&](int64_t begin, int64_t end) {
      Forward(s, zx.flat<float>().data(), h->flat<float>().data(), c->flat<float>().data(),
              gates->flat<float>().data(), begin, end, gemm);
    });
  }
};

class LstmGradOp : public ActivationsKernel {
 public:
  using ActivationsKernel::ActivationsKernel;

  void Compute(OpKernelContext* ctx) override {
    const Tensor& gates = ctx->input(7);
    Sequence s{};
    if (!Describe(ctx, gates, ctx->input(0), ctx->input(1), ctx->input(2), ctx->input(3),
                  ctx->input(4), act_, inner_, &s))
      return;
    const TensorShape seq({s.batch, s.steps, s.units});
    for (int index : {5, 6, 8, 9}) {
      OP_REQUIRES(ctx, ctx->input(index).shape() == seq,
                  InvalidArgument("KcoreLstmGrad: input ", index, " must be ",
                                  seq.DebugString(), "; got ",
                                  ctx->input(index).shape().DebugString()));
    }
    const float* bias;
    if (!Bias(ctx, ctx->input(10), s, &bias)) return;
    Tensor *grad_zx, *grad_h0, *grad_c0, *grad_bias;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, gates.shape(), &grad_zx));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(1, ctx->input(1).shape(), &grad_h0));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(2, ctx->input(2).shape(), &grad_c0));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(3, ctx->input(10).shape(), &grad_bias));
    auto data = [&](int index) { return ctx->input(index).flat<float>().data(); };
    float* dz = grad_zx->flat<float>().data();
    const int64_t width = 4 * s.units;
    // Each sample's sum over its steps of dz, then the samples' sums in order (the same
    // result for any split of the batch).
    std::vector<float> sample_sums(bias ? s.batch * width : 0, 0.f);
    ForRowBlocks(ctx, s.batch, [&](int64_t begin, int64_t end) {
      Backward(s, data(5), data(6), gates.flat<float>().data(), data(8), data(9), dz,
               grad_h0->flat<float>().data(), grad_c0->flat<float>().data(), begin, end,
               SmallGemm);
      for (int64_t b = begin; bias && b < end; ++b) {
        float* sum = sample_sums.data() + b * width;
        for (int64_t t = 0; t < s.steps; ++t) {
          const float* row = dz + s.At(b, t, width);
          for (int64_t j = 0; j < width; ++j) sum[j] += row[j];
        }
      }
    });
    if (!bias) return;
    float* out = grad_bias->flat<float>().data();
    std::fill(out, out + width, 0.f);
    for (int64_t b = 0; b < s.batch; ++b)
      for (int64_t j = 0; j < width; ++j) out[j] += sample_sums[b * width + j];
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
    .Input("dropout: float")
    .Input("bias: float")
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
    .Input("dropout: float")
    .Input("h: float")
    .Input("c: float")
    .Input("gates: float")
    .Input("grad_h: float")
    .Input("grad_c: float")
    .Input("bias: float")
    .Output("grad_zx: float")
    .Output("grad_h0: float")
    .Output("grad_c0: float")
    .Output("grad_bias: float")
    .Attr("activation: string")
    .Attr("inner_activation: string")
    .SetShapeFn([](InferenceContext* c) {
      c->set_output(0, c->input(7));
      c->set_output(1, c->input(1));
      c->set_output(2, c->input(2));
      c->set_output(3, c->input(10));
      return tensorflow::OkStatus();
    });

REGISTER_KERNEL_BUILDER(Name("KcoreLstm").Device(tensorflow::DEVICE_CPU), LstmOp);
REGISTER_KERNEL_BUILDER(Name("KcoreLstmGrad").Device(tensorflow::DEVICE_CPU), LstmGradOp);

}  // namespace kcore_lstm
