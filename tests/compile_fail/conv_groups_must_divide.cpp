// expect: typenet: Conv groups must divide both its input channels and its filters
#include <typenet/typenet.hpp>
using namespace typenet;
using Bad = Sequential<Input<6, 8, 8>, Conv<8, 3, 1, 1, false, 1, 4>>;  // 6 channels in 4 groups
static_assert(Bad::param_count > 0);
int main() {}
