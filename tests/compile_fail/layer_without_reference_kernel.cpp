// expect: typenet: this layer has no kernel on the reference backend
#include <typenet/typenet.hpp>
using namespace typenet;
namespace op { struct Mystery {}; }
struct Mystery {
  using op = ::op::Mystery;
  static constexpr const char* name = "Mystery";
  template <Shape In> struct bind : NoParams { static constexpr Shape out = In; };
};
int main() { Model<Sequential<Input<3, 8, 8>, Mystery, GlobalAvgPool, Dense<10>>, Reference<double>> m({.batch = 1}); }
