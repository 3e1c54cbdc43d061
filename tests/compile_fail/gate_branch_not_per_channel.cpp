// expect: typenet: a Gate's branch must end in one value per channel of its input
#include <typenet/typenet.hpp>
using namespace typenet;
using Bad = Sequential<Input<8, 4, 4>, Gate<Sequential<GlobalAvgPool, Dense<4>, Sigmoid>>>;  // 4 gates for 8 channels
static_assert(Bad::param_count > 0);
int main() {}
