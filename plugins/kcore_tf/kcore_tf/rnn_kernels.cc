// kcore's fused GRU and SimpleRNN as TensorFlow ops on the CPU: kcore/native/gru.h and
// simple_rnn.h with Eigen's matrix product, the batch split into blocks of rows that run
// the whole sequence on separate threads of the op's pool.
//
// KcoreGru(zx, U, h0, mask, dropout) -> h (batch, time, units) and the gates z, r, hh
// (batch, time, 3 units); KcoreSimpleRnn(zx, U, h0, mask, dropout) -> h. Their *Grad ops
// return the gradients of zx and h0. An empty mask or dropout means none.
#include <string>

#include "cpu_helpers.h"
#include "gru.h"
#include "simple_rnn.h"
#include "tensorflow/core/framework/op.h"
#include "tensorflow/core/framework/shape_inference.h"

namespace kcore_tf {
namespace {

using kcore_lstm::Activation;
using tensorflow::OpKernel;
using tensorflow::OpKernelConstruction;
using tensorflow::OpKernelContext;
using tensorflow::Tensor;
using tensorflow::TensorShape;
using tensorflow::errors::InvalidArgument;
using tensorflow::shape_inference::InferenceContext;
using tensorflow::shape_inference::ShapeHandle;

// The shapes and data a cell's loop reads; ``gates`` is 3 for the GRU, 1 for SimpleRNN.
struct Inputs {
  int64_t batch, steps, units;
  const float *U, *h0, *mask, *dropout;
};

// Check (zx or gates, U, h0, mask, dropout) and fill ``in``; false after reporting.
bool Describe(OpKernelContext* ctx, const char* op, int gates, const Tensor& zx,
              const Tensor& U, const Tensor& h0, const Tensor& mask, const Tensor& dropout,
              Inputs* in) {
  auto fail = [&](const tensorflow::Status& status) {
    ctx->CtxFailure(status);
    return false;
  };
  if (zx.dims() != 3)
    return fail(InvalidArgument(op, ": the inputs must be (batch, time, ", gates,
                                " units); got shape ", zx.shape().DebugString()));
  in->batch = zx.dim_size(0);
  in->steps = zx.dim_size(1);
  in->units = U.dims() == 2 ? U.dim_size(0) : -1;
  if (in->units < 0 || U.dim_size(1) != gates * in->units ||
      zx.dim_size(2) != gates * in->units)
    return fail(InvalidArgument(op, ": the recurrent kernel must be (units, ", gates,
                                " units) and the inputs must end in ", gates,
                                " units; got kernel ", U.shape().DebugString(), ", inputs ",
                                zx.shape().DebugString()));
  if (h0.shape() != TensorShape({in->batch, in->units}))
    return fail(InvalidArgument(op, ": the initial state must be (", in->batch, ", ",
                                in->units, "); got ", h0.shape().DebugString()));
  const bool masked = mask.NumElements() > 0, dropped = dropout.NumElements() > 0;
  if (masked && mask.shape() != TensorShape({in->batch, in->steps}))
    return fail(InvalidArgument(op, ": the mask must be (batch, time) = (", in->batch, ", ",
                                in->steps, ") or empty; got ", mask.shape().DebugString()));
  if (dropped && dropout.shape() != TensorShape({in->batch, gates * in->units}))
    return fail(InvalidArgument(op, ": the recurrent dropout mask must be (batch, ", gates,
                                " units) = (", in->batch, ", ", gates * in->units,
                                ") or empty; got ", dropout.shape().DebugString()));
  in->U = U.flat<float>().data();
  in->h0 = h0.flat<float>().data();
  in->mask = masked ? mask.flat<float>().data() : nullptr;
  in->dropout = dropped ? dropout.flat<float>().data() : nullptr;
  return true;
}

// A kernel with the attributes ``activation`` and, for the GRU, ``inner_activation``.
class CellKernel : public OpKernel {
 public:
  CellKernel(OpKernelConstruction* ctx, bool gated) : OpKernel(ctx) {
    std::string act, inner = "linear";
    OP_REQUIRES_OK(ctx, ctx->GetAttr("activation", &act));
    if (gated) OP_REQUIRES_OK(ctx, ctx->GetAttr("inner_activation", &inner));
    OP_REQUIRES(ctx, kcore_lstm::ParseActivation(act, &act_) &&
                         kcore_lstm::ParseActivation(inner, &inner_),
                InvalidArgument(name(), ": activations must be tanh, sigmoid, hard_sigmoid, "
                                "relu or linear; got ", act, " and ", inner));
  }

 protected:
  kcore_gru::Sequence Gru(const Inputs& in) const {
    return {in.batch, in.steps, in.units, in.U, in.h0, in.mask, in.dropout, act_, inner_};
  }
  kcore_simple_rnn::Sequence SimpleRnn(const Inputs& in) const {
    return {in.batch, in.steps, in.units, in.U, in.h0, in.mask, in.dropout, act_};
  }
  static float* Out(Tensor* t) { return t->flat<float>().data(); }
  static const float* In(OpKernelContext* ctx, int i) {
    return ctx->input(i).flat<float>().data();
  }
  // Check that input ``index`` is the shape ``shape``; false after reporting.
  bool Requires(OpKernelContext* ctx, int index, const TensorShape& shape) const {
    if (ctx->input(index).shape() == shape) return true;
    ctx->CtxFailure(InvalidArgument(name(), ": input ", index, " must be ",
                                    shape.DebugString(), "; got ",
                                    ctx->input(index).shape().DebugString()));
    return false;
  }

  Activation act_, inner_;
};

class GruOp : public CellKernel {
 public:
  explicit GruOp(OpKernelConstruction* ctx) : CellKernel(ctx, true) {}

  void Compute(OpKernelContext* ctx) override {
    Inputs in;
    const Tensor& zx = ctx->input(0);
    if (!Describe(ctx, "KcoreGru", 3, zx, ctx->input(1), ctx->input(2), ctx->input(3),
                  ctx->input(4), &in))
      return;
    Tensor *h, *gates;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, {in.batch, in.steps, in.units}, &h));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(1, zx.shape(), &gates));
    if (in.steps == 0) return;
    const kcore_gru::Sequence s = Gru(in);
    ForRowBlocks(ctx, in.batch, [&](int64_t begin, int64_t end) {
      kcore_gru::Forward(s, In(ctx, 0), Out(h), Out(gates), begin, end, EigenGemm);
    });
  }
};

class GruGradOp : public CellKernel {
 public:
  explicit GruGradOp(OpKernelConstruction* ctx) : CellKernel(ctx, true) {}

  void Compute(OpKernelContext* ctx) override {
    Inputs in;
    const Tensor& gates = ctx->input(5);
    if (!Describe(ctx, "KcoreGruGrad", 3, gates, ctx->input(0), ctx->input(1), ctx->input(2),
                  ctx->input(3), &in))
      return;
    const TensorShape seq({in.batch, in.steps, in.units});
    if (!Requires(ctx, 4, seq) || !Requires(ctx, 6, seq)) return;
    Tensor *grad_zx, *grad_h0;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, gates.shape(), &grad_zx));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(1, ctx->input(1).shape(), &grad_h0));
    const kcore_gru::Sequence s = Gru(in);
    ForRowBlocks(ctx, in.batch, [&](int64_t begin, int64_t end) {
      kcore_gru::Backward(s, In(ctx, 4), In(ctx, 5), In(ctx, 6), Out(grad_zx), Out(grad_h0),
                          begin, end, EigenGemm);
    });
  }
};

class SimpleRnnOp : public CellKernel {
 public:
  explicit SimpleRnnOp(OpKernelConstruction* ctx) : CellKernel(ctx, false) {}

  void Compute(OpKernelContext* ctx) override {
    Inputs in;
    if (!Describe(ctx, "KcoreSimpleRnn", 1, ctx->input(0), ctx->input(1), ctx->input(2),
                  ctx->input(3), ctx->input(4), &in))
      return;
    Tensor* h;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, ctx->input(0).shape(), &h));
    if (in.steps == 0) return;
    const kcore_simple_rnn::Sequence s = SimpleRnn(in);
    ForRowBlocks(ctx, in.batch, [&](int64_t begin, int64_t end) {
      kcore_simple_rnn::Forward(s, In(ctx, 0), Out(h), begin, end, EigenGemm);
    });
  }
};

class SimpleRnnGradOp : public CellKernel {
 public:
  explicit SimpleRnnGradOp(OpKernelConstruction* ctx) : CellKernel(ctx, false) {}

  void Compute(OpKernelContext* ctx) override {
    Inputs in;
    const Tensor& h = ctx->input(4);
    if (!Describe(ctx, "KcoreSimpleRnnGrad", 1, h, ctx->input(0), ctx->input(1),
                  ctx->input(2), ctx->input(3), &in))
      return;
    if (!Requires(ctx, 5, h.shape())) return;
    Tensor *grad_zx, *grad_h0;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, h.shape(), &grad_zx));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(1, ctx->input(1).shape(), &grad_h0));
    const kcore_simple_rnn::Sequence s = SimpleRnn(in);
    ForRowBlocks(ctx, in.batch, [&](int64_t begin, int64_t end) {
      kcore_simple_rnn::Backward(s, In(ctx, 4), In(ctx, 5), Out(grad_zx), Out(grad_h0), begin,
                                 end, EigenGemm);
    });
  }
};

// (batch, time, units) from the inputs (batch, time, k units) and U (units, k units).
tensorflow::Status SequenceShape(InferenceContext* c, ShapeHandle* seq) {
  ShapeHandle zx, U;
  TF_RETURN_IF_ERROR(c->WithRank(c->input(0), 3, &zx));
  TF_RETURN_IF_ERROR(c->WithRank(c->input(1), 2, &U));
  *seq = c->MakeShape({c->Dim(zx, 0), c->Dim(zx, 1), c->Dim(U, 0)});
  return tensorflow::OkStatus();
}

}  // namespace

REGISTER_OP("KcoreGru")
    .Input("zx: float")
    .Input("recurrent_kernel: float")
    .Input("h0: float")
    .Input("mask: float")
    .Input("dropout: float")
    .Output("h: float")
    .Output("gates: float")
    .Attr("activation: string")
    .Attr("inner_activation: string")
    .SetShapeFn([](InferenceContext* c) {
      ShapeHandle seq;
      TF_RETURN_IF_ERROR(SequenceShape(c, &seq));
      c->set_output(0, seq);
      c->set_output(1, c->input(0));
      return tensorflow::OkStatus();
    });

REGISTER_OP("KcoreGruGrad")
    .Input("recurrent_kernel: float")
    .Input("h0: float")
    .Input("mask: float")
    .Input("dropout: float")
    .Input("h: float")
    .Input("gates: float")
    .Input("grad_h: float")
    .Output("grad_zx: float")
    .Output("grad_h0: float")
    .Attr("activation: string")
    .Attr("inner_activation: string")
    .SetShapeFn([](InferenceContext* c) {
      c->set_output(0, c->input(5));
      c->set_output(1, c->input(1));
      return tensorflow::OkStatus();
    });

REGISTER_OP("KcoreSimpleRnn")
    .Input("zx: float")
    .Input("recurrent_kernel: float")
    .Input("h0: float")
    .Input("mask: float")
    .Input("dropout: float")
    .Output("h: float")
    .Attr("activation: string")
    .SetShapeFn([](InferenceContext* c) {
      ShapeHandle seq;
      TF_RETURN_IF_ERROR(SequenceShape(c, &seq));
      c->set_output(0, seq);
      return tensorflow::OkStatus();
    });

REGISTER_OP("KcoreSimpleRnnGrad")
    .Input("recurrent_kernel: float")
    .Input("h0: float")
    .Input("mask: float")
    .Input("dropout: float")
    .Input("h: float")
    .Input("grad_h: float")
    .Output("grad_zx: float")
    .Output("grad_h0: float")
    .Attr("activation: string")
    .SetShapeFn([](InferenceContext* c) {
      c->set_output(0, c->input(4));
      c->set_output(1, c->input(1));
      return tensorflow::OkStatus();
    });

REGISTER_KERNEL_BUILDER(Name("KcoreGru").Device(tensorflow::DEVICE_CPU), GruOp);
REGISTER_KERNEL_BUILDER(Name("KcoreGruGrad").Device(tensorflow::DEVICE_CPU), GruGradOp);
REGISTER_KERNEL_BUILDER(Name("KcoreSimpleRnn").Device(tensorflow::DEVICE_CPU), SimpleRnnOp);
REGISTER_KERNEL_BUILDER(Name("KcoreSimpleRnnGrad").Device(tensorflow::DEVICE_CPU),
                        SimpleRnnGradOp);

}  // namespace kcore_tf
