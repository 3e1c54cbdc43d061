#pragma once
// The pickle that torch.save writes for a state_dict, read without running anything: a
// restricted unpickler for the opcodes of protocols 2-4 that such a pickle uses, and for
// exactly four callables — collections.OrderedDict, torch._utils._rebuild_tensor_v2,
// torch._utils._rebuild_parameter and the torch.*Storage types (named by persistent ids).
// Anything else (another global, an unknown opcode, a malformed stream) is an Error naming the
// byte offset: a foreign or hostile file is refused, never executed.
//   parse_state_dict_pickle(bytes, where) -> the tensors' names and storage views, in order
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>
#include "typenet/core/error.hpp"

namespace typenet::io {

// One tensor of the state_dict: a view of a storage (the archive's data/<key> entry).
struct PickledTensor {
  std::string name;
  std::string storage_type;  // "FloatStorage", "HalfStorage", ...
  std::string storage_key;
  long storage_numel = 0;
  long offset = 0;
  std::vector<long> size, stride;
};

namespace detail {

struct PickleValue;
using PickleRef = std::shared_ptr<const PickleValue>;
struct PickleValue {
  enum class Kind { none, boolean, integer, real, text, tuple, list, dict, global, storage, tensor } kind = Kind::none;
  std::int64_t integer = 0;
  std::string text;              // text; global: "module.name"; storage: its type
  std::vector<PickleRef> items;  // tuple, list; dict: key, value, key, value...
  PickledTensor tensor;          // tensor; storage: key and numel
  int depth = 1;                 // nesting, bounded: values are freed recursively
};

class StateDictUnpickler {
 public:
  StateDictUnpickler(std::span<const std::uint8_t> b, std::string where) : b_(b), where_(std::move(where)) {}

  PickleRef run() {
    while (true) {
      const std::size_t at = at_;
      const std::uint8_t op = byte();
      switch (op) {
        case 0x80: byte(); break;                            // PROTO
        case 0x95: take(8); break;                           // FRAME (protocol 4): a length, nothing to do
        case '.': {                                          // STOP
          if (stack_.size() != 1 || !marks_.empty()) fail(at, "ends with " + std::to_string(stack_.size()) + " values on its stack");
          return stack_.back();
        }
        case 'N': push(make(PickleValue::Kind::none)); break;
        case 0x88: case 0x89: {                              // NEWTRUE, NEWFALSE
          auto v = make(PickleValue::Kind::boolean);
          v->integer = op == 0x88;
          push(v);
          break;
        }
        case 'K': push(integer(byte())); break;              // BININT1
        case 'M': push(integer(little(2))); break;           // BININT2
        case 'J': push(integer(std::int32_t(little(4)))); break;  // BININT
        case 0x8a: {                                         // LONG1: little-endian two's complement
          const std::size_t n = byte();
          if (n > 8) fail(at, "holds an integer of " + std::to_string(n) + " bytes");
          std::uint64_t v = n ? little(n) : 0;
          if (n && n < 8 && (v >> (8 * n - 1)) & 1) v |= ~std::uint64_t(0) << (8 * n);  // sign-extend
          push(integer(std::int64_t(v)));
          break;
        }
        case 'G': {                                          // BINFLOAT: big-endian double
          std::uint64_t bits = 0;
          for (std::uint8_t c : take(8)) bits = bits << 8 | c;
          auto v = make(PickleValue::Kind::real);
          std::memcpy(&v->integer, &bits, 8);
          push(v);
          break;
        }
        case 'X': push(text(little(4))); break;              // BINUNICODE
        case 0x8c: push(text(byte())); break;                // SHORT_BINUNICODE
        case 0x8d: push(text(little(8))); break;             // BINUNICODE8
        case 'c': {                                          // GLOBAL: module\nname\n
          const std::string module = line(), name = line();
          push(global(at, module + "." + name));
          break;
        }
        case 0x93: {                                         // STACK_GLOBAL
          const PickleRef name = pop(at), module = pop(at);
          if (module->kind != PickleValue::Kind::text || name->kind != PickleValue::Kind::text) fail(at, "STACK_GLOBAL needs two strings");
          push(global(at, module->text + "." + name->text));
          break;
        }
        case 'q': memo_[byte()] = top(at); break;            // BINPUT
        case 'r': memo_[little(4)] = top(at); break;         // LONG_BINPUT
        case 0x94: memo_[memo_.size()] = top(at); break;     // MEMOIZE
        case 'h': case 'j': {                                // BINGET, LONG_BINGET
          const auto it = memo_.find(op == 'h' ? byte() : little(4));
          if (it == memo_.end()) fail(at, "refers to a memo entry never stored");
          push(it->second);
          break;
        }
        case '(': marks_.push_back(stack_.size()); break;    // MARK
        case ')': push(make(PickleValue::Kind::tuple)); break;
        case ']': push(make(PickleValue::Kind::list)); break;
        case '}': push(make(PickleValue::Kind::dict)); break;
        case 't': push(container(PickleValue::Kind::tuple, since_mark(at))); break;
        case 0x85: case 0x86: case 0x87: {                   // TUPLE1..3
          std::vector<PickleRef> items(op - 0x84);
          for (auto it = items.rbegin(); it != items.rend(); ++it) *it = pop(at);
          push(container(PickleValue::Kind::tuple, std::move(items)));
          break;
        }
        case 's': case 'u': case 'a': case 'e': {           // SETITEM(S), APPEND(S): a fresh container, changed
          std::vector<PickleRef> items;
          if (op == 'u' || op == 'e') items = since_mark(at);
          else if (op == 's') { auto v = pop(at); items = {pop(at), v}; }
          else items = {pop(at)};
          const PickleRef into = pop(at);
          const auto kind = op == 's' || op == 'u' ? PickleValue::Kind::dict : PickleValue::Kind::list;
          if (into->kind != kind) fail(at, kind == PickleValue::Kind::dict ? "sets items on a value that is not a dict"
                                                                           : "appends to a value that is not a list");
          if (kind == PickleValue::Kind::dict && items.size() % 2) fail(at, "sets a key without a value");
          std::vector<PickleRef> all = into->items;
          all.insert(all.end(), items.begin(), items.end());
          push(container(kind, std::move(all)));
          break;
        }
        case 'Q': push(storage(at, pop(at))); break;         // BINPERSID
        case 'R': {                                          // REDUCE: callable(*args)
          const PickleRef args = pop(at), callable = pop(at);
          push(reduce(at, callable, args));
          break;
        }
        case 'b': {                                          // BUILD: an OrderedDict's _metadata, dropped
          pop(at);
          top(at);
          break;
        }
        default: {
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02x", op);
          fail(at, std::string("holds opcode ") + hex + ", which torch.save does not write for a state_dict");
        }
      }
    }
  }

 private:
  using Kind = PickleValue::Kind;
  [[noreturn]] void fail(std::size_t at, const std::string& why) const {
    throw Error("typenet: " + where_ + ": its pickle at byte " + std::to_string(at) + " " + why);
  }
  std::span<const std::uint8_t> take(std::size_t n) {
    if (n > b_.size() - at_) fail(at_, "is truncated");
    const auto s = b_.subspan(at_, n);
    at_ += n;
    return s;
  }
  std::uint8_t byte() { return take(1)[0]; }
  std::uint64_t little(std::size_t n) {
    std::uint64_t v = 0;
    const auto s = take(n);
    for (std::size_t i = n; i-- > 0;) v = v << 8 | s[i];
    return v;
  }
  std::string line() {
    std::string s;
    for (std::uint8_t c = byte(); c != '\n'; c = byte()) {
      if (s.size() > 256) fail(at_, "holds a global name longer than 256 bytes");
      s += char(c);
    }
    return s;
  }
  static std::shared_ptr<PickleValue> make(Kind k) {
    auto v = std::make_shared<PickleValue>();
    v->kind = k;
    return v;
  }
  static PickleRef integer(std::int64_t i) {
    auto v = make(Kind::integer);
    v->integer = i;
    return v;
  }
  PickleRef text(std::uint64_t n) {
    const auto s = take(n);
    auto v = make(Kind::text);
    v->text.assign(s.begin(), s.end());
    return v;
  }
  PickleRef container(Kind k, std::vector<PickleRef> items) {
    auto v = make(k);
    for (const auto& i : items) v->depth = std::max(v->depth, i->depth + 1);
    if (v->depth > 32) fail(at_, "nests values more than 32 deep");
    v->items = std::move(items);
    return v;
  }
  PickleRef global(std::size_t at, const std::string& name) {
    static const char* allowed[] = {"collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
                                    "torch._utils._rebuild_parameter"};
    const bool storage = name.rfind("torch.", 0) == 0 && name.size() > 13 && name.ends_with("Storage") &&
                         name.find('.', 6) == std::string::npos;
    if (!storage && std::find(std::begin(allowed), std::end(allowed), name) == std::end(allowed))
      fail(at, "calls " + name + ": typenet reads only what torch.save writes for a state_dict, and runs nothing");
    auto v = make(Kind::global);
    v->text = name;
    return v;
  }
  void push(PickleRef v) {
    if (stack_.size() > (std::size_t(1) << 20)) fail(at_, "holds more than 2^20 values on its stack");
    stack_.push_back(std::move(v));
  }
  PickleRef pop(std::size_t at) {
    if (stack_.empty() || (!marks_.empty() && stack_.size() == marks_.back())) fail(at, "pops an empty stack");
    auto v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  PickleRef top(std::size_t at) const {
    if (stack_.empty()) fail(at, "stores from an empty stack");
    return stack_.back();
  }
  std::vector<PickleRef> since_mark(std::size_t at) {
    if (marks_.empty()) fail(at, "closes a MARK never opened");
    std::vector<PickleRef> items(stack_.begin() + long(marks_.back()), stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }
  static bool is_int(const PickleRef& v) { return v->kind == Kind::integer; }
  std::vector<long> ints(std::size_t at, const PickleRef& tuple, const char* what) const {
    if (tuple->kind != Kind::tuple) fail(at, std::string("gives a tensor ") + what + " that is not a tuple");
    std::vector<long> out;
    for (const auto& i : tuple->items) {
      if (!is_int(i) || i->integer < 0 || i->integer > (std::int64_t(1) << 40))
        fail(at, std::string("gives a tensor ") + what + " entry that is not an integer in [0, 2^40]");
      out.push_back(long(i->integer));
    }
    return out;
  }
  // ('storage', torch.FloatStorage, key, location, numel)
  PickleRef storage(std::size_t at, const PickleRef& pid) {
    const auto& t = pid->items;
    if (pid->kind != Kind::tuple || t.size() != 5 || t[0]->kind != Kind::text || t[0]->text != "storage" ||
        t[1]->kind != Kind::global || t[2]->kind != Kind::text || !is_int(t[4]) || t[4]->integer < 0)
      fail(at, "holds a persistent id that is not a torch storage");
    auto v = make(Kind::storage);
    v->text = t[1]->text.substr(6);  // "torch.FloatStorage" -> "FloatStorage"
    v->tensor.storage_key = t[2]->text;
    v->tensor.storage_numel = long(std::min<std::int64_t>(t[4]->integer, std::int64_t(1) << 40));
    return v;
  }
  PickleRef reduce(std::size_t at, const PickleRef& callable, const PickleRef& args) {
    if (callable->kind != Kind::global || args->kind != Kind::tuple) fail(at, "calls something that is not an allowed global");
    const auto& a = args->items;
    if (callable->text == "collections.OrderedDict") {
      if (!a.empty()) fail(at, "builds an OrderedDict from arguments");
      return make(Kind::dict);
    }
    if (callable->text == "torch._utils._rebuild_parameter") {
      if (a.empty() || a[0]->kind != Kind::tensor) fail(at, "rebuilds a parameter from something that is not a tensor");
      return a[0];
    }
    if (callable->text == "torch._utils._rebuild_tensor_v2") {  // (storage, offset, size, stride, requires_grad, hooks[, metadata])
      if (a.size() < 4 || a[0]->kind != Kind::storage || !is_int(a[1]) || a[1]->integer < 0)
        fail(at, "rebuilds a tensor without a storage, an offset, a size and a stride");
      auto v = make(Kind::tensor);
      v->tensor = a[0]->tensor;
      v->tensor.storage_type = a[0]->text;
      v->tensor.offset = long(std::min<std::int64_t>(a[1]->integer, std::int64_t(1) << 40));
      v->tensor.size = ints(at, a[2], "size");
      v->tensor.stride = ints(at, a[3], "stride");
      if (v->tensor.size.size() != v->tensor.stride.size()) fail(at, "gives a tensor a size and a stride of different ranks");
      return v;
    }
    fail(at, "calls " + callable->text + " in a way torch.save does not");
  }

  std::span<const std::uint8_t> b_;
  std::string where_;
  std::size_t at_ = 0;
  std::vector<PickleRef> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<std::uint64_t, PickleRef> memo_;
};

}  // namespace detail

// The state_dict's tensors in its order. A checkpoint dict holding the state_dict under
// "state_dict" or "model" is opened to it; any entry that is not a tensor is an Error.
inline std::vector<PickledTensor> parse_state_dict_pickle(std::span<const std::uint8_t> b, const std::string& where) {
  using Kind = detail::PickleValue::Kind;
  detail::PickleRef dict = detail::StateDictUnpickler(b, where).run();
  const auto fail = [&](const std::string& why) { throw Error("typenet: " + where + ": " + why); };
  if (dict->kind != Kind::dict) fail("its pickle holds no state_dict (a dict of tensors)");
  for (std::size_t i = 0; i + 1 < dict->items.size(); i += 2) {
    const auto& key = dict->items[i];
    if (key->kind == Kind::text && (key->text == "state_dict" || key->text == "model") && dict->items[i + 1]->kind == Kind::dict) {
      dict = dict->items[i + 1];
      break;
    }
  }
  std::vector<PickledTensor> out;
  for (std::size_t i = 0; i + 1 < dict->items.size(); i += 2) {
    const auto& key = dict->items[i];
    const auto& value = dict->items[i + 1];
    if (key->kind != Kind::text) fail("its state_dict has a key that is not a string");
    if (value->kind != Kind::tensor) fail("its state_dict entry '" + key->text + "' is not a tensor");
    out.push_back(value->tensor);
    out.back().name = key->text;
  }
  return out;
}

}  // namespace typenet::io
