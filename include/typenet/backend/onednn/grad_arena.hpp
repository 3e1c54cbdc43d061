#pragma once
// GradArena: one buffer for every gradient of the activations, laid out so that buffers never
// live at the same time share bytes.
//
// During the backward pass, a chain's kernel k needs its gradients from the moment kernel k+1
// writes k's output gradient to the end of its own backward. So in every chain the kernels
// alternate between two halves of the chain's region: k and k+2 share bytes, k and k+1 do not.
// A kernel's region holds its own gradients, then one region per chain nested in it (a
// residual's body and shortcut, a gate's branch). A chain's output gradient is written by the
// kernel around it and may be read after the chain's backward (an identity residual adds it
// to the body's input gradient), so it is moved up into the region of the kernel holding the chain.
//
// Gradients are made while the kernels bind, before anyone knows the sizes: make() returns
// a memory without a buffer, and place() points every one of them into the arena at the end.
// Nothing may read their pointers before that: view() gives another shape of the same bytes.
#include <dnnl.hpp>
#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace typenet::onednn {

class GradArena {
 public:
  // Chain::bind opens its chain with begin_chain, then brackets each kernel's bind with
  // begin_kernel and end_kernel (which returns to the holder's scope).
  struct ChainScope {
    int holder;         // the kernel holding the chain (0: the executor)
    std::size_t chain;  // which of its chains
  };
  ChainScope begin_chain() {
    scopes_[current_].chains.emplace_back();
    return {current_, scopes_[current_].chains.size() - 1};
  }
  void begin_kernel(const ChainScope& s) {
    scopes_.emplace_back();
    current_ = int(scopes_.size()) - 1;
    scopes_[s.holder].chains[s.chain].push_back(current_);
  }
  // The kernel has bound; its output gradient, when it is the chain's last, goes up a level.
  void end_kernel(const ChainScope& s, bool last, const dnnl::memory& diff_dst) {
    if (last) hoist(diff_dst, s.holder);
    current_ = s.holder;
  }

  dnnl::memory make(const dnnl::memory::desc& d, const dnnl::engine& e) {
    dnnl::memory m(d, e, DNNL_MEMORY_NONE);
    scopes_[current_].own.push_back(m);
    return m;
  }
  // `d` over the bytes of `of`, also when of's buffer is placed later.
  dnnl::memory view(const dnnl::memory::desc& d, const dnnl::memory& of, const dnnl::engine& e) {
    dnnl::memory m(d, e, of.get_data_handle());
    if (!of.get_data_handle()) views_.push_back({m, of});
    return m;
  }

  // Sizes every region bottom-up, allocates, and points every gradient and view into it.
  void place(const dnnl::engine& e) {
    std::vector<std::size_t> size(scopes_.size(), 0);
    for (std::size_t i = scopes_.size(); i-- > 0;) {  // children come after their holder
      for (auto& m : scopes_[i].own) {
        size[i] += padded(m.get_desc().get_size());
        unshared_bytes_ += m.get_desc().get_size();
      }
      for (auto& chain : scopes_[i].chains) size[i] += region_of(chain, size).total();
    }
    buffer_ = dnnl::memory({{dnnl::memory::dims{dnnl::memory::dim(std::max<std::size_t>(size[0], 64))}},
                            dnnl::memory::data_type::u8, dnnl::memory::format_tag::x}, e);
    std::vector<char*> base(scopes_.size(), nullptr);
    base[0] = static_cast<char*>(buffer_.get_data_handle());
    for (std::size_t i = 0; i < scopes_.size(); ++i) {  // holders before their kernels
      char* at = base[i];
      for (auto& m : scopes_[i].own) {
        m.set_data_handle(at);
        at += padded(m.get_desc().get_size());
      }
      for (auto& chain : scopes_[i].chains) {
        const Region r = region_of(chain, size);
        for (std::size_t k = 0; k < chain.size(); ++k) base[chain[k]] = at + (k % 2 ? r.even : 0);
        at += r.total();
      }
    }
    for (auto& [m, of] : views_) m.set_data_handle(of.get_data_handle());  // in order: views of views too
    scopes_.assign(1, {});
    views_.clear();
  }
  std::size_t bytes() const { return buffer_ ? buffer_.get_desc().get_size() : 0; }
  std::size_t unshared_bytes() const { return unshared_bytes_; }  // each gradient in a buffer of its own

 private:
  struct Scope {
    std::vector<dnnl::memory> own;
    std::vector<std::vector<int>> chains;  // per nested chain, the scopes of its kernels
  };
  struct Region {
    std::size_t even = 0, odd = 0;  // the halves of kernels 0, 2, 4... and 1, 3, 5...
    std::size_t total() const { return even + odd; }
  };
  static std::size_t padded(std::size_t bytes) { return (bytes + 63) / 64 * 64; }  // oneDNN's alignment
  static Region region_of(const std::vector<int>& chain, const std::vector<std::size_t>& size) {
    Region r;
    for (std::size_t k = 0; k < chain.size(); ++k) {
      std::size_t& half = k % 2 ? r.odd : r.even;
      half = std::max(half, size[chain[k]]);
    }
    return r;
  }
  // Moves the deferred gradient behind m (through views) from the current scope to `holder`'s.
  void hoist(const dnnl::memory& m, int holder) {
    dnnl_memory_t source = m.get();
    for (auto it = views_.rbegin(); it != views_.rend(); ++it)
      if (it->first.get() == source) source = it->second.get();
    auto& own = scopes_[current_].own;
    for (auto it = own.begin(); it != own.end(); ++it)
      if (it->get() == source) {
        scopes_[holder].own.push_back(*it);
        own.erase(it);
        return;
      }
  }

  std::vector<Scope> scopes_ = std::vector<Scope>(1);  // scope 0: the executor
  int current_ = 0;
  std::vector<std::pair<dnnl::memory, dnnl::memory>> views_;
  dnnl::memory buffer_;
  std::size_t unshared_bytes_ = 0;
};

}  // namespace typenet::onednn
