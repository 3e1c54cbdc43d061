// typenet bench's MobileNetV2 configurations (zoo::for_each_backbone's, at 1000 classes), built in
// a TU of their own: bench.cpp declares them.
#include <typenet/bench/throughput.hpp>
#include <typenet/zoo/mobilenet_v2.hpp>

template void typenet::bench::throughput<typenet::zoo::MobileNetV2<1000, 224>>(const typenet::bench::Settings&);
template void typenet::bench::throughput<typenet::zoo::MobileNetV2<1000, 128>>(const typenet::bench::Settings&);
