// expect: typenet: pooling padding must be smaller than the window
#include <typenet/typenet.hpp>
using namespace typenet;
using Bad = Sequential<Input<8, 6, 6>, MaxPool<2, 2, 2>>;  // a window could hold padding only
static_assert(Bad::param_count == 0);
int main() {}
