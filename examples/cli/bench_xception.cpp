// typenet bench's Xception configurations (zoo::for_each_backbone's, at 1000 classes), built in
// a TU of their own: bench.cpp declares them.
#include <typenet/bench/throughput.hpp>
#include <typenet/zoo/xception.hpp>

template void typenet::bench::throughput<typenet::zoo::Xception<1000, 299>>(const typenet::bench::Settings&);
