// expect: typenet: pooling window is larger than its input
#include <typenet/typenet.hpp>
using namespace typenet;
using Bad = Sequential<Input<8, 4, 4>, MaxPool<2>, MaxPool<2>, MaxPool<2>>;  // 4 -> 2 -> 1 -> ?
static_assert(Bad::param_count == 0);
int main() {}
