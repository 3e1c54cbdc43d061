#include <typenet/typenet.hpp>
namespace tn = typenet;
using Net = tn::Sequential<tn::Input<3, 8, 8>, tn::Conv<4, 3>, tn::BatchNorm, tn::ReLU, tn::GlobalAvgPool, tn::Dense<2>>;
static_assert(Net::param_count == 108 + 8 + 10);
int main() {
  tn::Model<Net> m({.batch = 2});
  m.forward(tn::Mode::infer);
  return m.output().size() == 4 ? 0 : 1;
}
