// expect: typenet: Conv needs a (C,H,W) input
#include <typenet/typenet.hpp>
using namespace typenet;
using Bad = Sequential<Input<3, 8, 8>, GlobalAvgPool, Conv<8, 1>>;
static_assert(Bad::param_count > 0);
int main() {}
