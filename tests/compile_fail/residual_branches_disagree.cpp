// expect: typenet: Residual branches disagree in output shape
#include <typenet/typenet.hpp>
using namespace typenet;
using Bad = Sequential<Input<16, 8, 8>, Residual<Sequential<Conv<32, 3>, BatchNorm, ReLU>>>;  // 32 vs 16 channels
static_assert(Bad::param_count > 0);
int main() {}
