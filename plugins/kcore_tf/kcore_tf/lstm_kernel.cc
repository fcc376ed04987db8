// kcore's fused LSTM for TensorFlow on the CPU: a whole sequence in one op.
//
// KcoreLstm runs the recurrence z_t = zx_t + h_{t-1} U over the time axis of zx
// (batch, time, 4n), with the gates side by side in the order i, f, c, o:
//   i, f, o = inner(z_i), inner(z_f), inner(z_o);   g = act(z_c)
//   c_t = f c_{t-1} + i g;                           h_t = o act(c_t)
// A sample whose mask is 0 at a step keeps its previous h and c. It outputs h and c
// at every step and the gate activations, which KcoreLstmGrad needs for the backward
// pass. KcoreLstmGrad returns the gradients of zx, h0 and c0; the caller forms the
// gradient of U as one product of the previous outputs with the gradient of zx.
//
// Samples are independent, so each op splits the batch into blocks of rows that run
// the whole sequence on separate threads, with no synchronisation between steps.
#include <Eigen/Core>

#include <algorithm>
#include <string>

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
using Vector = Eigen::Map<Eigen::ArrayXf>;
using ConstVector = Eigen::Map<const Eigen::ArrayXf>;

enum class Activation { kTanh, kSigmoid, kHardSigmoid, kRelu, kLinear };

bool Parse(const std::string& name, Activation* out) {
  static const std::pair<const char*, Activation> kNames[] = {
      {"tanh", Activation::kTanh}, {"sigmoid", Activation::kSigmoid},
      {"hard_sigmoid", Activation::kHardSigmoid}, {"relu", Activation::kRelu},
      {"linear", Activation::kLinear}};
  for (const auto& entry : kNames) {
    if (name == entry.first) {
      *out = entry.second;
      return true;
    }
  }
  return false;
}

// x = activation(x), in place.
void Apply(Activation a, float* data, int n) {
  Vector x(data, n);
  switch (a) {
    case Activation::kTanh: x = x.tanh(); break;
    case Activation::kSigmoid: x = x.logistic(); break;
    case Activation::kHardSigmoid: x = (x * 0.2f + 0.5f).max(0.f).min(1.f); break;
    case Activation::kRelu: x = x.max(0.f); break;
    case Activation::kLinear: break;
  }
}

// g *= activation'(x), the derivative written with the activation's output y.
void TimesDerivative(Activation a, const float* y_data, float* g_data, int n) {
  ConstVector y(y_data, n);
  Vector g(g_data, n);
  switch (a) {
    case Activation::kTanh: g *= 1.f - y * y; break;
    case Activation::kSigmoid: g *= y * (1.f - y); break;
    case Activation::kHardSigmoid:
      g *= ((y > 0.f) && (y < 1.f)).cast<float>() * 0.2f;
      break;
    case Activation::kRelu: g *= (y > 0.f).cast<float>(); break;
    case Activation::kLinear: break;
  }
}

// Shapes and pointers shared by both ops; rows are samples, laid out (batch, time, ...).
struct Sequence {
  int64_t batch, steps, units;
  const float* U;      // (units, 4 units)
  const float* h0;     // (batch, units)
  const float* c0;
  const float* mask;   // (batch, steps), or null
  Activation act, inner;

  bool Keep(int64_t b, int64_t t) const { return !mask || mask[b * steps + t] != 0.f; }
  int64_t At(int64_t b, int64_t t, int64_t width) const { return (b * steps + t) * width; }
};

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

void Forward(const Sequence& s, const float* zx, float* h, float* c, float* gates,
             int64_t begin, int64_t end) {
  const int64_t n = s.units, rows = end - begin;
  ConstRows U(s.U, n, 4 * n, Eigen::OuterStride<>(4 * n));
  Eigen::ArrayXf cell(n);
  for (int64_t t = 0; t < s.steps; ++t) {
    const float* h_prev = t ? h + s.At(begin, t - 1, n) : s.h0 + begin * n;
    const int64_t h_stride = t ? s.steps * n : n;
    Rows z(gates + s.At(begin, t, 4 * n), rows, 4 * n, Eigen::OuterStride<>(s.steps * 4 * n));
    z.noalias() = ConstRows(h_prev, rows, n, Eigen::OuterStride<>(h_stride)) * U;
    for (int64_t b = begin; b < end; ++b) {
      float* zb = gates + s.At(b, t, 4 * n);
      Vector(zb, 4 * n) += ConstVector(zx + s.At(b, t, 4 * n), 4 * n);
      const float* hp = t ? h + s.At(b, t - 1, n) : s.h0 + b * n;
      const float* cp = t ? c + s.At(b, t - 1, n) : s.c0 + b * n;
      Vector h_out(h + s.At(b, t, n), n), c_out(c + s.At(b, t, n), n);
      if (!s.Keep(b, t)) {
        h_out = ConstVector(hp, n);
        c_out = ConstVector(cp, n);
        continue;
      }
      Apply(s.inner, zb, 2 * n);           // i, f
      Apply(s.act, zb + 2 * n, n);         // g
      Apply(s.inner, zb + 3 * n, n);       // o
      ConstVector i(zb, n), f(zb + n, n), g(zb + 2 * n, n), o(zb + 3 * n, n);
      c_out = f * ConstVector(cp, n) + i * g;
      cell = c_out;
      Apply(s.act, cell.data(), n);
      h_out = o * cell;
    }
  }
}

void Backward(const Sequence& s, const float* h, const float* c, const float* gates,
              const float* grad_h, const float* grad_c, float* grad_zx, float* grad_h0,
              float* grad_c0, int64_t begin, int64_t end) {
  const int64_t n = s.units, rows = end - begin;
  ConstRows U(s.U, n, 4 * n, Eigen::OuterStride<>(4 * n));
  // dh, dc: the gradients reaching h_t, c_t from later steps, per row of this block.
  Matrix dh = Matrix::Zero(rows, n), dc = Matrix::Zero(rows, n), through(rows, n);
  Eigen::ArrayXf cell(n), work(n);
  for (int64_t t = s.steps - 1; t >= 0; --t) {
    for (int64_t b = begin; b < end; ++b) {
      const int64_t r = b - begin;
      Vector dh_b(dh.row(r).data(), n), dc_b(dc.row(r).data(), n);
      dh_b += ConstVector(grad_h + s.At(b, t, n), n);
      dc_b += ConstVector(grad_c + s.At(b, t, n), n);
      Vector dz(grad_zx + s.At(b, t, 4 * n), 4 * n);
      if (!s.Keep(b, t)) {  // h and c were carried over: their gradients pass through
        dz.setZero();
        continue;
      }
      const float* zb = gates + s.At(b, t, 4 * n);
      ConstVector i(zb, n), f(zb + n, n), g(zb + 2 * n, n), o(zb + 3 * n, n);
      ConstVector cp(t ? c + s.At(b, t - 1, n) : s.c0 + b * n, n);
      cell = ConstVector(c + s.At(b, t, n), n);
      Apply(s.act, cell.data(), n);
      work = dh_b * o;
      TimesDerivative(s.act, cell.data(), work.data(), n);
      dc_b += work;
      Vector dz_i(dz.data(), n), dz_f(dz.data() + n, n), dz_g(dz.data() + 2 * n, n),
          dz_o(dz.data() + 3 * n, n);
      dz_i = dc_b * g;
      dz_f = dc_b * cp;
      dz_g = dc_b * i;
      dz_o = dh_b * cell;
      TimesDerivative(s.inner, zb, dz.data(), 2 * n);
      TimesDerivative(s.act, zb + 2 * n, dz.data() + 2 * n, n);
      TimesDerivative(s.inner, zb + 3 * n, dz.data() + 3 * n, n);
      dc_b *= f;
    }
    // dh_{t-1} = dz_t U^T on the rows that stepped; carried rows keep their dh.
    ConstRows dz(grad_zx + s.At(begin, t, 4 * n), rows, 4 * n,
                 Eigen::OuterStride<>(s.steps * 4 * n));
    through.noalias() = dz * U.transpose();
    for (int64_t b = begin; b < end; ++b) {
      if (s.Keep(b, t)) dh.row(b - begin) = through.row(b - begin);
    }
  }
  Eigen::Map<Matrix>(grad_h0 + begin * n, rows, n) = dh;
  Eigen::Map<Matrix>(grad_c0 + begin * n, rows, n) = dc;
}

// Report ``status`` on ``ctx`` and return false.
bool Fail(OpKernelContext* ctx, const tensorflow::Status& status) {
  ctx->CtxFailure(status);
  return false;
}

// Check the shapes shared by both ops and fill ``s``; false after reporting an error.
bool Describe(OpKernelContext* ctx, const Tensor& zx, const Tensor& U, const Tensor& h0,
              const Tensor& c0, const Tensor& mask, Sequence* s) {
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
  return true;
}

class ActivationsKernel : public OpKernel {
 public:
  explicit ActivationsKernel(OpKernelConstruction* ctx) : OpKernel(ctx) {
    std::string act, inner;
    OP_REQUIRES_OK(ctx, ctx->GetAttr("activation", &act));
    OP_REQUIRES_OK(ctx, ctx->GetAttr("inner_activation", &inner));
    OP_REQUIRES(ctx, Parse(act, &act_) && Parse(inner, &inner_),
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
    if (!Describe(ctx, zx, ctx->input(1), ctx->input(2), ctx->input(3), ctx->input(4), &s))
      return;
    s.act = act_;
    s.inner = inner_;
    Tensor *h, *c, *gates;
    const TensorShape out({s.batch, s.steps, s.units});
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, out, &h));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(1, out, &c));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(2, zx.shape(), &gates));
    if (s.steps == 0) return;
    ForRowBlocks(ctx, s.batch, [&](int64_t begin, int64_t end) {
      Forward(s, zx.flat<float>().data(), h->flat<float>().data(), c->flat<float>().data(),
              gates->flat<float>().data(), begin, end);
    });
  }
};

class LstmGradOp : public ActivationsKernel {
 public:
  using ActivationsKernel::ActivationsKernel;

  void Compute(OpKernelContext* ctx) override {
    const Tensor& gates = ctx->input(6);
    Sequence s{};
    if (!Describe(ctx, gates, ctx->input(0), ctx->input(1), ctx->input(2), ctx->input(3), &s))
      return;
    s.act = act_;
    s.inner = inner_;
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
               grad_c0->flat<float>().data(), begin, end);
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
