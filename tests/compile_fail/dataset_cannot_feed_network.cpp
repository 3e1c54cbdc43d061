// expect: typenet: the dataset's images cannot feed this network
#include <typenet/data/cifar10.hpp>
#include <typenet/data/transform.hpp>
#include <typenet/graph/sequential.hpp>
#include <typenet/layers/all.hpp>
using namespace typenet;
using Grey = Sequential<Input<1, 28, 28>, Conv<8, 3>, GlobalAvgPool, Dense<10>>;  // CIFAR is (3,32,32)
int main() { static_check_feeds<cifar10::shape, Grey::input_shape>(); }
