// expect: typenet: this type is not a layer
#include <typenet/typenet.hpp>
using namespace typenet;
struct NotALayer {};
using Bad = Sequential<Input<3, 8, 8>, NotALayer, GlobalAvgPool, Dense<10>>;
static_assert(Bad::param_count > 0);
int main() {}
