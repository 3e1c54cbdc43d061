// expect: typenet: this oneDNN kernel breaks the kernel contract
#include <typenet/typenet.hpp>
using namespace typenet;
namespace op { struct Half {}; }
struct Half {  // a layer whose oneDNN kernel forgot its backward pass
  using op = ::op::Half;
  static constexpr const char* name = "Half";
  template <Shape In> struct bind : NoParams { static constexpr Shape out = In; };
};
namespace typenet::onednn {
template <class L, Shape In> struct Kernel<::op::Half, L, In> {
  memory dst, diff_dst;
  memory::desc plan(Context&, const memory::desc& d, bool) { return d; }
  void bind(Context&, const Io&, Slices) {}
  void prepare_inference(Context&) {}
  void forward(Context&, bool) {}
};
}  // namespace typenet::onednn
int main() { Model<Sequential<Input<3, 8, 8>, Half, GlobalAvgPool, Dense<10>>> m({.batch = 1}); }
