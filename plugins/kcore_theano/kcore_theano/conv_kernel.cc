// 2D convolution and pooling for the PyTensor backend, channels-last float32, as C functions
// that kcore_theano/native_conv.py calls through ctypes (without the GIL). A convolution is
// im2col of one sample and one scipy-openblas32 sgemm (OpenBLAS runs one thread: see
// blas.py), or for 3x3 stride-1 ones Winograd F(2x2, 3x3) (winograd.h); the samples are
// shared by up to `threads` threads, the caller's included, that take the next sample from
// a counter, so a thread on a busy core just takes fewer samples.
//
// `geometry` describes one layer: {n, rows, cols, channels, kernel rows, kernel cols,
// filters (pooling: unused), out rows, out cols, stride rows, stride cols, dilation rows,
// dilation cols, pad top, pad left}; padding is zeros for a convolution and outside the
// image for pooling. kcore_sgemm_rows, at the end, shares the rows of one matrix product
// among threads the same way (threaded_dot.py).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <limits>
#include <thread>
#include <vector>

#include "row_blocks.h"
#include "winograd.h"

extern "C" void scipy_cblas_sgemm(int order, int transpose_a, int transpose_b, int m, int n,
                                  int k, float alpha, const float* a, int lda, const float* b,
                                  int ldb, float beta, float* c, int ldc);

namespace {

const int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

struct Geometry {
  int64_t n, rows, cols, channels, kr, kc, filters, out_rows, out_cols, sr, sc, dr, dc, top,
      left;
  explicit Geometry(const int64_t* g)
      : n(g[0]), rows(g[1]), cols(g[2]), channels(g[3]), kr(g[4]), kc(g[5]), filters(g[6]),
        out_rows(g[7]), out_cols(g[8]), sr(g[9]), sc(g[10]), dr(g[11]), dc(g[12]), top(g[13]),
        left(g[14]) {}
  int64_t image() const { return rows * cols * channels; }
  int64_t positions() const { return out_rows * out_cols; }
  int64_t patch() const { return kr * kc * channels; }
  int64_t out_image() const { return positions() * filters; }
  int64_t pooled() const { return positions() * channels; }
};

// A thread is started only for this many multiply-adds (or compares) of a call, about
// 0.2 ms of work: a thread that shares its core with another process can be preempted for a
// few milliseconds while it holds the last sample, and the call waits for it.
const int64_t kWorkPerThread = 8 << 20;

// Runs work(worker, sample) for every sample on up to `threads` threads (fewer when the
// call's `cost`, in multiply-adds, is small).
template <typename Work>
void ForSamples(int64_t n, int threads, int64_t cost, const Work& work) {
  const int64_t wanted = std::min<int64_t>({threads, n, cost / kWorkPerThread});
  kcore_theano::ForBlocks(n, static_cast<int>(std::max<int64_t>(1, wanted)), work);
}

// col (positions, kr * kc * channels) of one sample; taps outside the image are zeros.
void Im2Col(const Geometry& g, const float* x, float* col) {
  const int64_t c = g.channels;
  for (int64_t oy = 0; oy < g.out_rows; ++oy) {
    for (int64_t ox = 0; ox < g.out_cols; ++ox) {
      float* row = col + (oy * g.out_cols + ox) * g.patch();
      for (int64_t a = 0; a < g.kr; ++a) {
        const int64_t iy = oy * g.sr - g.top + a * g.dr;
        for (int64_t b = 0; b < g.kc; ++b, row += c) {
          const int64_t ix = ox * g.sc - g.left + b * g.dc;
          if (iy < 0 || iy >= g.rows || ix < 0 || ix >= g.cols) {
            std::fill(row, row + c, 0.f);
          } else if (c == 1) {
            row[0] = x[iy * g.cols + ix];
          } else {
            std::memcpy(row, x + (iy * g.cols + ix) * c, c * sizeof(float));
          }
        }
      }
    }
  }
}

// dx of one sample += col2im(dcol); dx must be zeroed first.
void Col2Im(const Geometry& g, const float* col, float* dx) {
  const int64_t c = g.channels;
  for (int64_t oy = 0; oy < g.out_rows; ++oy) {
    for (int64_t ox = 0; ox < g.out_cols; ++ox) {
      const float* row = col + (oy * g.out_cols + ox) * g.patch();
      for (int64_t a = 0; a < g.kr; ++a) {
        const int64_t iy = oy * g.sr - g.top + a * g.dr;
        for (int64_t b = 0; b < g.kc; ++b, row += c) {
          const int64_t ix = ox * g.sc - g.left + b * g.dc;
          if (iy < 0 || iy >= g.rows || ix < 0 || ix >= g.cols) continue;
          float* to = dx + (iy * g.cols + ix) * c;
          for (int64_t k = 0; k < c; ++k) to[k] += row[k];
        }
      }
    }
  }
}

// Patches of at most this many values (a first layer on 1 to 3 channels) are multiplied by
// the loops below: sgemm with so short an inner dimension runs at a tenth of its speed.
const int64_t kSmallPatch = 32;

// SmallProduct for n == N known at compile time: each row's sums stay in registers.
template <int N>
void SmallProductOf(int64_t m, int64_t k, const float* a, const float* b, float* __restrict c) {
  for (int64_t i = 0; i < m; ++i, c += N, a += k) {
    float sums[N] = {};
    for (int64_t t = 0; t < k; ++t) {
      const float v = a[t];
      const float* row = b + t * N;
      for (int j = 0; j < N; ++j) sums[j] += v * row[j];
    }
    std::copy(sums, sums + N, c);
  }
}

// c (m, n) = a (m, k) b (k, n), all row-major, for a small k; the loop over n vectorizes.
void SmallProduct(int64_t m, int64_t n, int64_t k, const float* a, const float* b,
                  float* __restrict c) {
  if (n == 16) return SmallProductOf<16>(m, k, a, b, c);
  if (n == 32) return SmallProductOf<32>(m, k, a, b, c);
  if (n == 64) return SmallProductOf<64>(m, k, a, b, c);
  for (int64_t i = 0; i < m; ++i, c += n, a += k) {
    std::fill(c, c + n, 0.f);
    for (int64_t t = 0; t < k; ++t) {
      const float v = a[t];
      const float* row = b + t * n;
      for (int64_t j = 0; j < n; ++j) c[j] += v * row[j];
    }
  }
}

// c (k, n) += a (m, k)^T b (m, n) for a small k.
void SmallProductAt(int64_t m, int64_t n, int64_t k, const float* a, const float* b,
                    float* __restrict c) {
  for (int64_t i = 0; i < m; ++i, a += k, b += n) {
    for (int64_t t = 0; t < k; ++t) {
      const float v = a[t];
      float* row = c + t * n;
      for (int64_t j = 0; j < n; ++j) row[j] += v * b[j];
    }
  }
}

// The in-image window of output (oy, ox): rows [y0, y1), cols [x0, x1).
struct Window {
  int64_t y0, y1, x0, x1;
  Window(const Geometry& g, int64_t oy, int64_t ox) {
    y0 = oy * g.sr - g.top;
    x0 = ox * g.sc - g.left;
    y1 = std::min(y0 + g.kr, g.rows);
    x1 = std::min(x0 + g.kc, g.cols);
    y0 = std::max<int64_t>(y0, 0);
    x0 = std::max<int64_t>(x0, 0);
  }
  int64_t count() const { return std::max<int64_t>(0, (y1 - y0) * (x1 - x0)); }
};

// The output of one sample's pooling: the max (is_max) or the mean of each window's
// in-image pixels of `image` (g.rows, g.cols, g.channels).
void PoolSample(const Geometry& g, bool is_max, const float* image, float* out) {
  const int64_t c = g.channels;
  for (int64_t oy = 0; oy < g.out_rows; ++oy) {
    for (int64_t ox = 0; ox < g.out_cols; ++ox, out += c) {
      const Window w(g, oy, ox);
      std::fill(out, out + c, is_max ? -std::numeric_limits<float>::infinity() : 0.f);
      for (int64_t iy = w.y0; iy < w.y1; ++iy) {
        for (int64_t ix = w.x0; ix < w.x1; ++ix) {
          const float* pixel = image + (iy * g.cols + ix) * c;
          if (is_max) {
            for (int64_t k = 0; k < c; ++k) out[k] = std::max(out[k], pixel[k]);
          } else {
            for (int64_t k = 0; k < c; ++k) out[k] += pixel[k];
          }
        }
      }
      if (!is_max) {
        const float scale = 1.f / static_cast<float>(std::max<int64_t>(w.count(), 1));
        for (int64_t k = 0; k < c; ++k) out[k] *= scale;
      }
    }
  }
}

// y (rows, filters) = activation(y + bias), in place: the epilogue of a fused convolution,
// while the sample's output is still in cache. relu keeps NaN, as PyTensor's maximum does.
void BiasActivation(int64_t rows, int64_t filters, const float* bias, int activation,
                    float* __restrict y) {
  for (int64_t i = 0; i < rows; ++i, y += filters) {
    if (bias != nullptr) {
      for (int64_t k = 0; k < filters; ++k) y[k] += bias[k];
    }
    if (activation == 1) {
      for (int64_t k = 0; k < filters; ++k) y[k] = y[k] < 0.f ? 0.f : y[k];
    }
  }
}

}  // namespace

// Whether g is a convolution that winograd.h computes: 3x3, stride 1, undilated, on more
// channels than the small-patch loops take.
static bool WinogradFits(const Geometry& g) {
  return g.kr == 3 && g.kc == 3 && g.sr == 1 && g.sc == 1 && g.dr == 1 && g.dc == 1 &&
         g.patch() > kSmallPatch;
}

// y = pool(activation(x correlated with kernel + bias)): x (n, rows, cols, channels),
// kernel (kr, kc, channels, filters), bias (filters) or null, activation 0 (linear) or 1
// (relu); without `pool` (null) y is (n, out rows, out cols, filters), with it the pooling
// of that (`pool` its geometry, on one sample's output) and the convolution's output of a
// sample only lives in a buffer of its thread. `winograd` (not 0): Winograd F(2x2, 3x3)
// where the convolution fits it (winograd.h), else im2col and sgemm.
extern "C" void kcore_conv2d_forward_fused(const int64_t* geometry, const float* x,
                                           const float* kernel, const float* bias,
                                           int activation, const int64_t* pool,
                                           int pool_is_max, float* y, int winograd,
                                           int threads) {
  const Geometry g(geometry);
  const int64_t pooled = pool == nullptr ? 0 : Geometry(pool).pooled();
  const int workers = std::max(threads, 1);
  std::vector<std::vector<float>> cols(workers), outs(workers);
  // The epilogue of sample i's output `out`: bias, activation, then the pooling into y.
  auto finish = [&](int64_t i, float* out) {
    if (bias != nullptr || activation != 0) {
      BiasActivation(g.positions(), g.filters, bias, activation, out);
    }
    if (pool != nullptr) PoolSample(Geometry(pool), pool_is_max, out, y + i * pooled);
  };
  auto target = [&](int worker, int64_t i) {
    if (pool == nullptr) return y + i * g.out_image();
    outs[worker].resize(g.out_image());
    return outs[worker].data();
  };
  if (winograd != 0 && WinogradFits(g)) {
    namespace wg = kcore_theano::winograd;
    std::vector<float> u(16 * g.channels * g.filters);
    wg::TransformKernel(g.channels, g.filters, kernel, u.data());
    std::vector<wg::Workspace> work(workers);
    const int64_t groups = (g.n + wg::kSamples - 1) / wg::kSamples;
    ForSamples(groups, threads, g.n * g.out_image() * g.patch() * 4 / 9,
               [&](int worker, int64_t group) {
      const int64_t first = group * wg::kSamples;
      const int64_t count = std::min(wg::kSamples, g.n - first);
      wg::Correlate(count, g.rows, g.cols, g.channels, g.filters, g.out_rows, g.out_cols,
                    g.top, g.left, x + first * g.image(), u.data(), &work[worker],
                    [&](int64_t s) { return target(worker, first + s); },
                    [&](int64_t s, float* out) { finish(first + s, out); });
    });
    return;
  }
  ForSamples(g.n, threads, g.n * g.out_image() * g.patch(), [&](int worker, int64_t i) {
    std::vector<float>& col = cols[worker];
    col.resize(g.positions() * g.patch());
    float* out = target(worker, i);
    Im2Col(g, x + i * g.image(), col.data());
    if (g.patch() <= kSmallPatch) {
      SmallProduct(g.positions(), g.filters, g.patch(), col.data(), kernel, out);
    } else {
      scipy_cblas_sgemm(kRowMajor, kNoTrans, kNoTrans, g.positions(), g.filters, g.patch(),
                        1.f, col.data(), g.patch(), kernel, g.filters, 0.f, out, g.filters);
    }
    finish(i, out);
  });
}

// y (n, out rows, out cols, filters) = x (n, rows, cols, channels) correlated with
// kernel (kr, kc, channels, filters); `winograd` as kcore_conv2d_forward_fused's.
extern "C" void kcore_conv2d_forward(const int64_t* geometry, const float* x,
                                     const float* kernel, float* y, int winograd,
                                     int threads) {
  kcore_conv2d_forward_fused(geometry, x, kernel, nullptr, 0, nullptr, 0, y, winograd,
                             threads);
}

// dx = the gradient w.r.t. x given dy: dcol = dy kernel^T, then col2im.
extern "C" void kcore_conv2d_grad_input(const int64_t* geometry, const float* kernel,
                                        const float* dy, float* dx, int threads) {
  const Geometry g(geometry);
  std::vector<std::vector<float>> cols(std::max(threads, 1));
  ForSamples(g.n, threads, g.n * g.out_image() * g.patch(), [&](int worker, int64_t i) {
    std::vector<float>& col = cols[worker];
    col.resize(g.positions() * g.patch());
    scipy_cblas_sgemm(kRowMajor, kNoTrans, kTrans, g.positions(), g.patch(), g.filters, 1.f,
                      dy + i * g.out_image(), g.filters, kernel, g.filters, 0.f, col.data(),
                      g.patch());
    float* to = dx + i * g.image();
    std::fill(to, to + g.image(), 0.f);
    Col2Im(g, col.data(), to);
  });
}

// dkernel = the sum over samples of col^T dy. The samples fall into at most 8 consecutive
// groups, each summed into its own buffer, and the groups are added in order: the result
// doesn't depend on the number of threads or on which thread took which group.
extern "C" void kcore_conv2d_grad_kernel(const int64_t* geometry, const float* x,
                                         const float* dy, float* dkernel, int threads) {
  const Geometry g(geometry);
  const int64_t size = g.patch() * g.filters;
  const int64_t groups = std::max<int64_t>(1, std::min<int64_t>(g.n, 8));
  std::vector<float> partial(groups * size, 0.f);
  std::vector<std::vector<float>> cols(std::max(threads, 1));
  const int64_t cost = g.n * g.out_image() * g.patch();
  ForSamples(groups, threads, cost, [&](int worker, int64_t group) {
    std::vector<float>& col = cols[worker];
    col.resize(g.positions() * g.patch());
    float* sum = partial.data() + group * size;
    for (int64_t i = group * g.n / groups; i < (group + 1) * g.n / groups; ++i) {
      Im2Col(g, x + i * g.image(), col.data());
      if (g.patch() <= kSmallPatch) {
        SmallProductAt(g.positions(), g.filters, g.patch(), col.data(),
                       dy + i * g.out_image(), sum);
        continue;
      }
      scipy_cblas_sgemm(kRowMajor, kTrans, kNoTrans, g.patch(), g.filters, g.positions(), 1.f,
                        col.data(), g.patch(), dy + i * g.out_image(), g.filters, 1.f, sum,
                        g.filters);
    }
  });
  std::fill(dkernel, dkernel + size, 0.f);
  for (int64_t group = 0; group < groups; ++group) {
    const float* sum = partial.data() + group * size;
    for (int64_t k = 0; k < size; ++k) dkernel[k] += sum[k];
  }
}

// dx of one sample (image: its pooling's input, grad: its output's gradient), see
// kcore_pool2d_grad.
static void PoolGradSample(const Geometry& g, bool is_max, const float* image,
                           const float* grad, float* to) {
  const int64_t c = g.channels;
  std::fill(to, to + g.image(), 0.f);
  std::vector<float> best_buffer(c), left_buffer(c);
  float* __restrict best = best_buffer.data();
  float* __restrict left = left_buffer.data();  // the gradient not yet given to a pixel
  for (int64_t oy = 0; oy < g.out_rows; ++oy) {
    for (int64_t ox = 0; ox < g.out_cols; ++ox, grad += c) {
      const Window w(g, oy, ox);
      if (!is_max) {
        const float scale = 1.f / static_cast<float>(std::max<int64_t>(w.count(), 1));
        for (int64_t iy = w.y0; iy < w.y1; ++iy) {
          for (int64_t ix = w.x0; ix < w.x1; ++ix) {
            float* __restrict pixel = to + (iy * g.cols + ix) * c;
            for (int64_t k = 0; k < c; ++k) pixel[k] += grad[k] * scale;
          }
        }
        continue;
      }
      std::fill(best, best + c, -std::numeric_limits<float>::infinity());
      for (int64_t iy = w.y0; iy < w.y1; ++iy) {
        for (int64_t ix = w.x0; ix < w.x1; ++ix) {
          const float* pixel = image + (iy * g.cols + ix) * c;
          for (int64_t k = 0; k < c; ++k) best[k] = std::max(best[k], pixel[k]);
        }
      }
      std::copy(grad, grad + c, left);
      for (int64_t iy = w.y0; iy < w.y1; ++iy) {
        for (int64_t ix = w.x0; ix < w.x1; ++ix) {
          const float* pixel = image + (iy * g.cols + ix) * c;
          float* __restrict out = to + (iy * g.cols + ix) * c;
          for (int64_t k = 0; k < c; ++k) {
            const bool first = pixel[k] == best[k];
            out[k] += first ? left[k] : 0.f;
            left[k] = first ? 0.f : left[k];
          }
        }
      }
    }
  }
}

// The gradients of y = activation(conv(x, kernel) + bias) given dy, in one pass over the
// samples: each sample's dz = dy * activation'(y) stays in a buffer of its thread, from
// which come the bias's and the kernel's gradient (summed per group of samples, then over
// the groups in order, as kcore_conv2d_grad_kernel) and, where dx is not null, x's.
// activation: 0 linear, 1 relu (dz is 0 where y is not above 0). With `pool` (the geometry
// of a pooling of y, one sample), dy is the gradient of that pooling's output, and each
// sample's gradient of y is made in the same buffer; without, y is only read for relu.
// `winograd` (not 0): dx by Winograd F(2x2, 3x3) where the convolution fits it, as the
// correlation of dz (padded by 2 less the forward's padding) with the kernel turned by 180
// degrees, its channels and filters swapped. (dkernel keeps im2col: its Winograd form,
// products of 32 by 64 over 144 blocks, measured slower.)
extern "C" void kcore_conv2d_backward(const int64_t* geometry, const float* x,
                                      const float* kernel, const float* y, const float* dy,
                                      int activation, const int64_t* pool, int pool_is_max,
                                      float* dx, float* dkernel, float* dbias, int winograd,
                                      int threads) {
  const Geometry g(geometry);
  namespace wg = kcore_theano::winograd;
  const bool winograd_dx = dx != nullptr && winograd != 0 && WinogradFits(g);
  std::vector<float> turned, u;  // the turned kernel (3, 3, filters, channels), transformed
  if (winograd_dx) {
    turned.resize(g.patch() * g.filters);
    for (int64_t a = 0; a < 3; ++a) {
      for (int64_t b = 0; b < 3; ++b) {
        const float* from = kernel + ((2 - a) * 3 + (2 - b)) * g.channels * g.filters;
        float* to = turned.data() + (a * 3 + b) * g.filters * g.channels;
        for (int64_t c = 0; c < g.channels; ++c) {
          for (int64_t f = 0; f < g.filters; ++f) {
            to[f * g.channels + c] = from[c * g.filters + f];
          }
        }
      }
    }
    u.resize(16 * g.filters * g.channels);
    wg::TransformKernel(g.filters, g.channels, turned.data(), u.data());
  }
  const int64_t size = g.patch() * g.filters + g.filters;  // dkernel, then dbias
  // Small groups: a thread on a core that another process holds delays the call by one
  // group at most.
  const int64_t groups = std::max<int64_t>(1, std::min<int64_t>(g.n, 32));
  std::vector<float> partial(groups * size, 0.f);
  const int workers = std::max(threads, 1);
  std::vector<std::vector<float>> cols(workers), dzs(workers);
  std::vector<wg::Workspace> work(workers);
  const int64_t cost = (dx == nullptr ? 1 : 2) * g.n * g.out_image() * g.patch();
  ForSamples(groups, threads, cost, [&](int worker, int64_t group) {
    std::vector<float>& col = cols[worker];
    col.resize(g.positions() * g.patch());
    float* sum = partial.data() + group * size;
    float* bias_sum = sum + g.patch() * g.filters;
    for (int64_t i = group * g.n / groups; i < (group + 1) * g.n / groups; ++i) {
      const float* grad = dy + i * g.out_image();
      const float* out = y + i * g.out_image();
      if (pool != nullptr) {
        const Geometry p(pool);
        dzs[worker].resize(g.out_image());
        PoolGradSample(p, pool_is_max, out, dy + i * p.pooled(), dzs[worker].data());
        grad = dzs[worker].data();
      }
      if (activation == 1) {
        dzs[worker].resize(g.out_image());
        float* dz = dzs[worker].data();  // may be grad itself: each element read, then set
        for (int64_t k = 0; k < g.out_image(); ++k) dz[k] = out[k] > 0.f ? grad[k] : 0.f;
        grad = dz;
      }
      for (int64_t p = 0; p < g.positions(); ++p) {
        const float* row = grad + p * g.filters;
        for (int64_t k = 0; k < g.filters; ++k) bias_sum[k] += row[k];
      }
      Im2Col(g, x + i * g.image(), col.data());
      if (g.patch() <= kSmallPatch) {
        SmallProductAt(g.positions(), g.filters, g.patch(), col.data(), grad, sum);
      } else {
        scipy_cblas_sgemm(kRowMajor, kTrans, kNoTrans, g.patch(), g.filters, g.positions(),
                          1.f, col.data(), g.patch(), grad, g.filters, 1.f, sum, g.filters);
      }
      if (dx == nullptr) continue;
      float* to = dx + i * g.image();
      if (winograd_dx) {
        wg::Correlate(1, g.out_rows, g.out_cols, g.filters, g.channels, g.rows, g.cols,
                      2 - g.top, 2 - g.left, grad, u.data(), &work[worker],
                      [&](int64_t) { return to; }, [](int64_t, float*) {});
        continue;
      }
      scipy_cblas_sgemm(kRowMajor, kNoTrans, kTrans, g.positions(), g.patch(), g.filters, 1.f,
                        grad, g.filters, kernel, g.filters, 0.f, col.data(), g.patch());
      std::fill(to, to + g.image(), 0.f);
      Col2Im(g, col.data(), to);
    }
  });
  std::fill(dkernel, dkernel + g.patch() * g.filters, 0.f);
  std::fill(dbias, dbias + g.filters, 0.f);
  for (int64_t group = 0; group < groups; ++group) {
    const float* sum = partial.data() + group * size;
    for (int64_t k = 0; k < g.patch() * g.filters; ++k) dkernel[k] += sum[k];
    for (int64_t k = 0; k < g.filters; ++k) dbias[k] += sum[g.patch() * g.filters + k];
  }
}

// y (n, out rows, out cols, channels): the max (is_max) or the mean of each window's
// in-image pixels.
extern "C" void kcore_pool2d_forward(const int64_t* geometry, int is_max, const float* x,
                                     float* y, int threads) {
  const Geometry g(geometry);
  ForSamples(g.n, threads, g.n * g.pooled() * g.kr * g.kc, [&](int, int64_t i) {
    PoolSample(g, is_max, x + i * g.image(), y + i * g.pooled());
  });
}

// dx given dy: max pooling sends each output's gradient to the first pixel of its window
// (in row-major order) holding the maximum, as TensorFlow does; mean pooling shares it
// evenly among the window's in-image pixels. Two passes over each window (its maximum, then
// the first pixel equal to it) keep the loops over channels branch-free.
extern "C" void kcore_pool2d_grad(const int64_t* geometry, int is_max, const float* x,
                                  const float* dy, float* dx, int threads) {
  const Geometry g(geometry);
  ForSamples(g.n, threads, 2 * g.n * g.pooled() * g.kr * g.kc, [&](int, int64_t i) {
    PoolGradSample(g, is_max, x + i * g.image(), dy + i * g.pooled(), dx + i * g.image());
  });
}

// c (m, n) = op(a) op(b), row-major, op transposing where `transpose_a`/`transpose_b`: the
// rows of c in blocks shared by the threads, one single-threaded sgemm per block (the
// matrix products of predict, which PyTensor's Dot22 runs on one thread).
extern "C" void kcore_sgemm_rows(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                                 int transpose_a, const float* b, int64_t ldb, int transpose_b,
                                 float* c, int threads) {
  // Two blocks per thread: each sgemm call packs all of b again, so blocks are few.
  const int64_t block = std::max<int64_t>(64, (m + 2 * threads - 1) / (2 * threads));
  const int64_t blocks = (m + block - 1) / block;
  ForSamples(blocks, threads, m * n * k, [&](int, int64_t i) {
    const int64_t first = i * block, rows = std::min(block, m - first);
    const float* a_rows = transpose_a ? a + first : a + first * lda;
    scipy_cblas_sgemm(kRowMajor, transpose_a ? kTrans : kNoTrans,
                      transpose_b ? kTrans : kNoTrans, rows, n, k, 1.f, a_rows, lda, b, ldb,
                      0.f, c + first * n, n);
  });
}
