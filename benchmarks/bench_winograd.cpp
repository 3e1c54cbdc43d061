// Direct against Winograd F(4x4,3x3) for oneDNN's f32 3x3 stride-1 convolutions, on the conv
// shapes of SeedModel7 (batch 256) and Airbench94 (batch 1024): forward, backward-data and
// backward-weights times (best of 3 repeats of 5 calls) and Winograd's output error relative to
// direct's. Why typenet's f32 convolutions default to Winograd (ModelOptions::winograd).
//   build/bin/bench_winograd   (OMP_NUM_THREADS=2 on the 2-core machine)
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <dnnl.hpp>
#include "best_ms.hpp"
#include <vector>
#include <typenet/core/rng.hpp>

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {
dnnl::engine engine(dnnl::engine::kind::cpu, 0);
dnnl::stream stream(engine);

double best_ms(const auto& call) { return ::best_ms(stream, call, 5); }

memory filled(const memory::desc& plain, const memory::desc& want, std::uint64_t seed) {
  memory p(plain, engine), m(want, engine);
  typenet::Rng rng(seed);
  auto* x = static_cast<float*>(p.get_data_handle());
  for (std::size_t i = 0; i < plain.get_size() / sizeof(float); ++i) x[i] = rng.uniform(-1, 1);
  dnnl::reorder(p, m).execute(stream, p, m);
  return m;
}

struct Times { double fwd = 0, bwd_data = 0, bwd_weights = 0; std::vector<float> out; };

Times run(dnnl::algorithm alg, int n, int c, int f, int hw) {
  const memory::dims src{n, c, hw, hw}, wei{f, c, 3, 3}, dst{n, f, hw, hw}, stride{1, 1}, pad{1, 1};
  auto any = [](const memory::dims& d) { return memory::desc(d, dt::f32, tag::any); };
  dnnl::convolution_forward::primitive_desc fwd(
      {dnnl::prop_kind::forward_training, alg, any(src), any(wei), any(dst), stride, pad, pad}, engine);
  memory s = filled({src, dt::f32, tag::nchw}, fwd.src_desc(), 1);
  memory w = filled({wei, dt::f32, tag::oihw}, fwd.weights_desc(), 2);
  memory d(fwd.dst_desc(), engine);
  Times t;
  dnnl::convolution_forward conv(fwd);
  t.fwd = best_ms([&] { conv.execute(stream, {{DNNL_ARG_SRC, s}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, d}}); });
  memory plain_out({dst, dt::f32, tag::nchw}, engine);
  dnnl::reorder(d, plain_out).execute(stream, d, plain_out);
  stream.wait();
  const auto* o = static_cast<const float*>(plain_out.get_data_handle());
  t.out.assign(o, o + plain_out.get_desc().get_size() / sizeof(float));

  dnnl::convolution_backward_data::primitive_desc bd({alg, any(src), any(wei), fwd.dst_desc(), stride, pad, pad},
                                                     engine, fwd);
  memory ds(bd.diff_src_desc(), engine), wb(bd.weights_desc(), engine);
  dnnl::convolution_backward_data bdp(bd);
  t.bwd_data = best_ms([&] { bdp.execute(stream, {{DNNL_ARG_DIFF_DST, d}, {DNNL_ARG_WEIGHTS, wb}, {DNNL_ARG_DIFF_SRC, ds}}); });
  dnnl::convolution_backward_weights::primitive_desc bw({alg, fwd.src_desc(), any(wei), fwd.dst_desc(), stride, pad, pad},
                                                        engine, fwd);
  memory dw(bw.diff_weights_desc(), engine);
  dnnl::convolution_backward_weights bwp(bw);
  t.bwd_weights = best_ms([&] { bwp.execute(stream, {{DNNL_ARG_SRC, s}, {DNNL_ARG_DIFF_DST, d}, {DNNL_ARG_DIFF_WEIGHTS, dw}}); });
  return t;
}

void compare(int n, int c, int f, int hw) {
  const Times direct = run(dnnl::algorithm::convolution_direct, n, c, f, hw);
  Times wino;
  try {
    wino = run(dnnl::algorithm::convolution_winograd, n, c, f, hw);
  } catch (const dnnl::error&) {
    std::printf("N%-5d %3d->%-3d @%2dx%-2d | no Winograd kernel in oneDNN for this shape (typenet uses direct)\n", n,
                c, f, hw, hw);
    return;
  }
  double err = 0, norm = 0;
  for (std::size_t i = 0; i < direct.out.size(); ++i)
    err += std::pow(double(wino.out[i]) - direct.out[i], 2), norm += double(direct.out[i]) * direct.out[i];
  std::printf("N%-5d %3d->%-3d @%2dx%-2d | fwd %7.2f %7.2f x%.2f | bwd_data %7.2f %7.2f x%.2f | "
              "bwd_weights %7.2f %7.2f x%.2f | rel.err %.1e\n",
              n, c, f, hw, hw, direct.fwd, wino.fwd, direct.fwd / wino.fwd, direct.bwd_data, wino.bwd_data,
              direct.bwd_data / wino.bwd_data, direct.bwd_weights, wino.bwd_weights,
              direct.bwd_weights / wino.bwd_weights, std::sqrt(err / norm));
}
}  // namespace

int main() {
  std::printf("f32 3x3 convolutions, ms per call: direct, Winograd, speed-up\n");
  for (auto [c, f, hw] : {std::array{32, 32, 32}, {32, 64, 16}, {64, 64, 16}, {64, 128, 8}, {128, 128, 8},
                          {128, 256, 4}, {256, 256, 4}})
    compare(256, c, f, hw);
  for (auto [c, f, hw] : {std::array{24, 64, 31}, {64, 64, 15}, {64, 256, 15}, {256, 256, 7}, {256, 256, 3}})
    compare(1024, c, f, hw);
}
