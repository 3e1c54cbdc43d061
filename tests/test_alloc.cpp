// After warm-up, a training step and an inference call allocate no buffer: every operator new
// in the process (typenet's and oneDNN's) is counted and sized while they run. oneDNN 2.6's
// primitive execute builds a small argument map internally on each call (tens of bytes per
// argument); that is counted and bounded here, and tensor-sized allocations must be zero.
#include <atomic>
#include <cstdlib>
#include <new>
#include "helpers.hpp"

static std::atomic<long> allocations{0}, largest{0};
void* operator new(std::size_t n) {
  ++allocations;
  for (long l = largest.load(); long(n) > l && !largest.compare_exchange_weak(l, long(n));) {}
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// The nothrow form too: Catch allocates with it and frees through delete, and under
// AddressSanitizer the library's own nothrow new would not pair with free.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return operator new(n);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace typenet;

TEST_CASE("a training step and an inference call allocate no buffers after warm-up", "[alloc]") {
  Model<zoo::SeedModel7> m({.batch = 16});
  SGD opt{};
  std::vector<int> labels(16, 3);
  auto train_step = [&] {
    m.forward(Mode::train);
    softmax_cross_entropy(m.output(), labels, 10, 0.1f, m.diff_output());
    m.backward();
    opt.step(m.params(), m.grads(), 0.01f);
  };
  train_step();  // warm-up: optimiser state
  m.forward(Mode::infer);
  allocations = 0;
  largest = 0;
  train_step();
  const long train_count = allocations.exchange(0), train_largest = largest.exchange(0);
  m.forward(Mode::infer);
  const long infer_count = allocations.load(), infer_largest = largest.load();
  INFO("per training step: " << train_count << " small allocations inside oneDNN, largest " << train_largest
                             << " bytes; per inference call: " << infer_count << ", largest " << infer_largest);
  CHECK(train_largest <= 512);  // bookkeeping only; the smallest activation here is 16*256*4*4*4 bytes
  CHECK(infer_largest <= 512);
  WARN("per training step: " << train_count << " small allocations inside oneDNN's execute (largest " << train_largest
                             << " bytes); per inference call: " << infer_count);
}
