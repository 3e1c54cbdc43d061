// expect: typenet: Conv kernel is larger than its padded input
#include <typenet/typenet.hpp>
using namespace typenet;
using Bad = Sequential<Input<3, 2, 2>, Conv<8, 3, 1, 0>>;  // an unpadded 3x3 conv on a 2x2 map
static_assert(Bad::output_shape.c == 8);
int main() {}
