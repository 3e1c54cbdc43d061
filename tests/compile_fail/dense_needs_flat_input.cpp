// expect: typenet: Dense needs a flat (F) input
#include <typenet/typenet.hpp>
using namespace typenet;
using Bad = Sequential<Input<3, 32, 32>, Conv<8, 3>, Dense<10>>;  // no Flatten / GlobalAvgPool
static_assert(Bad::param_count > 0);
int main() {}
