// typenet bench's ResNet34 configurations (zoo::for_each_backbone's, at 1000 classes), built in
// a TU of their own: bench.cpp declares them.
#include <typenet/bench/throughput.hpp>
#include <typenet/zoo/resnet.hpp>

template void typenet::bench::throughput<typenet::zoo::ResNet34<1000, 224>>(const typenet::bench::Settings&);
template void typenet::bench::throughput<typenet::zoo::ResNet34<1000, 128>>(const typenet::bench::Settings&);
