// The bf16 weight gradient of 1x1 convolutions: oneDNN's convolution backward-weights against
// one matmul, dW = dy^T x over the (n,h,w) rows of channels-last copies of x and dy, the two
// reorders to channels-last included. Batch 32, the 1x1 shapes of Xception@299, EfficientNetB2@260
// and MobileNetV2@224, best of 3 repeats of 3 calls. Why ConvCore takes the matmul for wide
// pointwise convs (backend/onednn/conv.hpp): the last column says which shapes it does.
//   build/bin/bench_pointwise_grad   (OMP_NUM_THREADS=2 on the 2-core machine)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <dnnl.hpp>
#include "best_ms.hpp"
#include <typenet/backend/onednn/conv.hpp>
#include <typenet/backend/onednn/model.hpp>

using namespace typenet::onednn;

namespace {
dnnl::engine engine(dnnl::engine::kind::cpu, 0);
dnnl::stream stream(engine);

double best_ms(const auto& call) { return ::best_ms(stream, call, 3); }

void fill(const memory& m, unsigned seed) {  // bf16 values in [1, 2): exact, no denormals
  auto* p = static_cast<std::uint16_t*>(m.get_data_handle());
  for (std::size_t i = 0; i < m.get_desc().get_size() / 2; ++i) p[i] = std::uint16_t(0x3f80 + (i * seed) % 128);
}

struct Shape1x1 {
  const char* where;
  int batch, in, out, size;
};

void measure(const Shape1x1& s) {
  const dims src_d{s.batch, s.in, s.size, s.size}, dst_d{s.batch, s.out, s.size, s.size}, w_d{s.out, s.in, 1, 1};
  const memory::desc any_src(src_d, dt::bf16, tag::any), any_dst(dst_d, dt::bf16, tag::any);
  const dnnl::convolution_forward::primitive_desc fwd(
      {dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, any_src, {w_d, dt::bf16, tag::any},
       any_dst, {1, 1}, {0, 0}, {0, 0}},
      engine);
  const dnnl::convolution_backward_weights::primitive_desc conv_pd(
      {dnnl::algorithm::convolution_direct, fwd.src_desc(), {w_d, dt::f32, tag::any}, fwd.dst_desc(), {1, 1}, {0, 0},
       {0, 0}},
      engine, fwd);
  memory x(fwd.src_desc(), engine), dy(fwd.dst_desc(), engine), dw(conv_pd.diff_weights_desc(), engine);
  memory conv_scratch(conv_pd.scratchpad_desc(), engine);
  fill(x, 3);
  fill(dy, 5);
  const dnnl::convolution_backward_weights conv(conv_pd);
  const double conv_ms = best_ms([&] {
    conv.execute(stream, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_WEIGHTS, dw},
                          {DNNL_ARG_SCRATCHPAD, conv_scratch}});
  });

  // The matmul as ConvCore builds it: its operand descriptors come from there.
  Context c;
  c.batch = s.batch;
  ConvCore core(ConvGeometry{typenet::Shape{s.in, s.size, s.size}, typenet::Shape{s.out, s.size, s.size}, 1, 1, 0, 0,
                             1, s.out, s.in, false, long(s.out) * s.in, long(s.out) * s.in, nullptr});
  memory x_last(channels_last(fwd.src_desc()), engine), dy_last(channels_last(fwd.dst_desc()), engine);
  const dnnl::reorder to_x_last(x, x_last), to_dy_last(dy, dy_last);
  const dnnl::matmul::primitive_desc mm_pd({core.dy_columns_desc(c), core.x_rows_desc(c), core.dw_matrix_desc()},
                                           engine);
  memory dy_columns(core.dy_columns_desc(c), engine, dy_last.get_data_handle());
  memory x_rows(core.x_rows_desc(c), engine, x_last.get_data_handle());
  memory dw_matrix(core.dw_matrix_desc(), engine), mm_scratch(mm_pd.scratchpad_desc(), engine);
  const dnnl::matmul mm(mm_pd);
  const double reorder_ms = best_ms([&] {
    to_x_last.execute(stream, x, x_last);
    to_dy_last.execute(stream, dy, dy_last);
  });
  const double matmul_ms = best_ms([&] {
    mm.execute(stream, {{DNNL_ARG_SRC, dy_columns}, {DNNL_ARG_WEIGHTS, x_rows}, {DNNL_ARG_DST, dw_matrix},
                        {DNNL_ARG_SCRATCHPAD, mm_scratch}});
  });

  // Both give the same gradient (f32 sums of exact products, in another order).
  memory dw_plain({w_d, dt::f32, tag::oihw}, engine);
  dnnl::reorder(dw, dw_plain).execute(stream, dw, dw_plain);
  stream.wait();
  const auto* a = static_cast<const float*>(dw_plain.get_data_handle());
  const auto* b = static_cast<const float*>(dw_matrix.get_data_handle());
  double worst = 0, scale = 0;
  for (long i = 0; i < long(s.out) * s.in; ++i) {
    worst = std::max(worst, double(std::fabs(a[i] - b[i])));
    scale = std::max(scale, double(std::fabs(a[i])));
  }
  const double gflop = 2.0 * s.batch * s.size * s.size * double(s.in) * s.out / 1e9;
  std::printf("%-22s %4d->%-4d %3dx%-3d  conv %7.2f ms (%4.0f GFLOP/s)  reorders %6.2f + matmul %7.2f = %7.2f ms"
              "  %5.2fx  diff %.1e  %s\n",
              s.where, s.in, s.out, s.size, s.size, conv_ms, gflop / conv_ms * 1e3, reorder_ms, matmul_ms,
              reorder_ms + matmul_ms, conv_ms / (reorder_ms + matmul_ms), worst / scale,
              core.wide_pointwise ? "typenet: matmul" : "typenet: conv");
}
}  // namespace

int main() {
  std::printf("bench_pointwise_grad: bf16, oneDNN ISA %s\n", isa_name());
  const Shape1x1 shapes[] = {
      {"Xception middle", 32, 728, 728, 19},     {"Xception block4", 32, 728, 728, 37},
      {"Xception block4 in", 32, 256, 728, 37},  {"Xception block3", 32, 256, 256, 74},
      {"Xception block2", 32, 128, 128, 147},    {"Xception block13", 32, 728, 1024, 19},
      {"Xception block14", 32, 1024, 1536, 10},  {"Xception block14", 32, 1536, 2048, 10},
      {"EfficientNetB2 s5", 32, 120, 720, 17},   {"EfficientNetB2 s5", 32, 720, 120, 17},
      {"EfficientNetB2 s7", 32, 208, 1248, 9},   {"EfficientNetB2 s3", 32, 48, 288, 33},
      {"MobileNetV2 block14", 32, 160, 960, 7},  {"MobileNetV2 block2", 32, 24, 144, 56},
  };
  for (const Shape1x1& s : shapes) measure(s);
}
