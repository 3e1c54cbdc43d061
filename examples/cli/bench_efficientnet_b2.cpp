// typenet bench's EfficientNetB2 configurations (zoo::for_each_backbone's, at 1000 classes), built in
// a TU of their own: bench.cpp declares them.
#include <typenet/bench/throughput.hpp>
#include <typenet/zoo/efficientnet.hpp>

template void typenet::bench::throughput<typenet::zoo::EfficientNetB2<1000, 288>>(const typenet::bench::Settings&);
template void typenet::bench::throughput<typenet::zoo::EfficientNetB2<1000, 260>>(const typenet::bench::Settings&);
