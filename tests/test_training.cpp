// Loss, optimiser, schedule, reproducibility, divergence, and a short convergence run.
#include <filesystem>
#include <fstream>
#include "helpers.hpp"

using namespace typenet;
using test::synthetic_split;

TEST_CASE("softmax cross-entropy: value, smoothing and gradient against finite differences", "[train]") {
  std::vector<float> z = {1.0f, -0.5f, 2.0f, 0.1f, 0.3f, 0.2f}, g(6);
  std::vector<int> y = {2, 0};
  const auto r = softmax_cross_entropy(z, y, 3, 0.0f, g);
  const double l0 = -std::log(std::exp(2.0) / (std::exp(1.0) + std::exp(-0.5) + std::exp(2.0)));
  const double l1 = -std::log(std::exp(0.1) / (std::exp(0.1) + std::exp(0.3) + std::exp(0.2)));
  CHECK(r.loss_sum == Approx(l0 + l1).epsilon(1e-6));
  CHECK(r.correct == 1);
  for (float s : {0.0f, 0.2f}) {
    softmax_cross_entropy(z, y, 3, s, g);
    for (int i = 0; i < 6; ++i) {
      auto zp = z, zm = z;
      zp[i] += 1e-3f;
      zm[i] -= 1e-3f;
      std::vector<float> scratch(6);
      const double num = (softmax_cross_entropy(zp, y, 3, s, scratch).loss_sum -
                          softmax_cross_entropy(zm, y, 3, s, scratch).loss_sum) / 2e-3 / 2;  // mean over N=2
      CHECK(g[i] == Approx(num).margin(1e-4));
    }
  }
}

TEST_CASE("warm-up then linear or cosine decay: values at given steps", "[train]") {
  const WarmupDecay lin{.peak = 1.0f, .warmup = 0.1f};
  CHECK(lin(0, 100) == Approx(0.1));
  CHECK(lin(9, 100) == Approx(1.0));
  CHECK(lin(10, 100) == Approx(1.0));
  CHECK(lin(55, 100) == Approx(0.5));
  CHECK(lin(100, 100) == Approx(0.0).margin(1e-7));
  const WarmupDecay cos{.peak = 2.0f, .warmup = 0.0f, .final_ratio = 0.1f, .cosine = true};
  CHECK(cos(0, 100) == Approx(2.0));
  CHECK(cos(50, 100) == Approx(2.0 * (0.1 + 0.9 * 0.5)));
  CHECK(cos(100, 100) == Approx(0.2));
}

TEST_CASE("SGD with Nesterov momentum and weight decay: two steps by hand", "[train]") {
  SGD opt{.momentum = 0.9f, .nesterov = true, .weight_decay = 0.1f};
  std::vector<float> p = {1.0f}, g = {0.5f};
  opt.step(p, g, 0.1f);  // d = 0.5 + 0.1 = 0.6; v = 0.6; p -= 0.1 * (0.6 + 0.54)
  CHECK(p[0] == Approx(1.0 - 0.114));
  opt.step(p, g, 0.1f);  // d = 0.5 + 0.0886 = 0.5886; v = 0.54 + 0.5886; p -= 0.1 * (d + 0.9 v)
  const double d = 0.5 + 0.1 * 0.886, v = 0.9 * 0.6 + d;
  CHECK(p[0] == Approx(0.886 - 0.1 * (d + 0.9 * v)));
}

using TinyNet = Sequential<Input<3, 32, 32>, Conv<16, 3>, BatchNorm, ReLU, MaxPool<2>, Conv<32, 3>, BatchNorm, ReLU,
                           MaxPool<2>, Dropout<ratio<1, 10>>, GlobalAvgPool, Dense<10>>;

TEST_CASE("a short run on 3,000 synthetic images learns far above chance", "[train][convergence]") {
  const auto train = synthetic_split(3000, 1), test = synthetic_split(500, 2);
  Model<TinyNet> m({.batch = 100, .seed = 3});
  SGD opt{.momentum = 0.9f, .weight_decay = 5e-4f};
  const TrainConfig cfg{.epochs = 4, .schedule = {.peak = 0.2f, .warmup = 0.2f}, .augment = {.pad = 2, .flip = true}};
  const auto h = fit(m, opt, train, &test, cfg);
  REQUIRE(h.size() == 4);
  CHECK(h.back().loss < h.front().loss);
  CHECK(h.back().val_accuracy > 0.6);  // chance is 0.1
}

TEST_CASE("training is reproducible from its seed", "[train]") {
  const auto train = synthetic_split(400, 4);
  auto run = [&](std::uint64_t seed) {
    Model<TinyNet> m({.batch = 50, .seed = seed});
    SGD opt{};
    fit(m, opt, train, nullptr, {.epochs = 1, .seed = seed});
    return std::vector<float>(m.params().begin(), m.params().end());
  };
  const auto a = run(7), b = run(7), c = run(8);
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("a diverging run stops with a clear error", "[train]") {
  const auto train = synthetic_split(400, 5);
  Model<TinyNet> m({.batch = 50});
  SGD opt{};
  const TrainConfig cfg{.epochs = 3, .schedule = {.peak = 1e9f, .warmup = 0.0f}};
  CHECK_THROWS_WITH(fit(m, opt, train, nullptr, cfg), Catch::Contains("training diverged"));
}

TEST_CASE("validation split: stratified, disjoint from train, seeded", "[train][split]") {
  const auto all = synthetic_split(2000, 9);
  const auto [train, val] = stratified_split(all, 500, 3);
  CHECK(train.size() == 1500);
  CHECK(val.size() == 500);
  std::vector<int> counts(10);
  for (auto l : val.labels) ++counts[l];
  CHECK(counts == std::vector<int>(10, 50));
  // Every image went to exactly one side: the multiset of (label, first pixel) is preserved.
  auto key = [](const ImageSet& s, std::size_t i) { return s.labels[i] * 1000 + s.image(i)[0] * 3 + s.image(i)[1]; };
  std::vector<int> a, b;
  for (std::size_t i = 0; i < all.size(); ++i) a.push_back(key(all, i));
  for (std::size_t i = 0; i < train.size(); ++i) b.push_back(key(train, i));
  for (std::size_t i = 0; i < val.size(); ++i) b.push_back(key(val, i));
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  CHECK(a == b);
  CHECK(stratified_split(all, 500, 3).second.labels == val.labels);
  CHECK(stratified_split(all, 500, 4).second.images != val.images);
}

// Feeds a callback a scripted validation-accuracy sequence on a real model whose first
// parameter records the epoch, so that "restored weights" can be read back.
template <class Callback>
std::pair<int, Control> script(Callback& cb, Model<TinyNet>& m, std::vector<double> accuracies) {
  Control c;
  int epoch = 0;
  for (double acc : accuracies) {
    ++epoch;
    m.params()[0] = float(epoch);
    cb.on_epoch_end(EpochStats{.epoch = epoch, .val_loss = 1 - acc, .val_accuracy = acc}, m, c);
    if (c.stop) break;
  }
  return {epoch, c};
}

TEST_CASE("early stopping: patience, min_delta, restore the best weights", "[train][callbacks]") {
  Model<TinyNet> m({.batch = 2});
  EarlyStopping stop{.patience = 2, .min_delta = 0.01};
  const auto [last, c] = script(stop, m, {0.5, 0.6, 0.605, 0.61, 0.7, 0.8});
  CHECK(c.stop);
  CHECK(last == 4);  // 0.605 and 0.61 do not beat 0.6 by 0.01
  CHECK(stop.best_epoch == 2);
  stop.on_train_end(m);
  CHECK(m.params()[0] == 2.0f);
}

TEST_CASE("checkpoint: best only writes on improvement, atomically", "[train][callbacks]") {
  const auto file = test::temp_dir() / "typenet_best.tnw";
  std::filesystem::remove(file);
  Model<TinyNet> m({.batch = 2});
  ModelCheckpoint best{.path = file};
  script(best, m, {0.3, 0.5, 0.4, 0.45});
  CHECK(best.saved_epoch == 2);
  Model<TinyNet> loaded({.batch = 2});
  io::load(file, loaded);
  CHECK(loaded.params()[0] == 2.0f);
  ModelCheckpoint every{.path = file, .best_only = false};
  script(every, m, {0.3, 0.5, 0.4});
  CHECK(every.saved_epoch == 3);
}

TEST_CASE("reduce the learning rate on a plateau", "[train][callbacks]") {
  Model<TinyNet> m({.batch = 2});
  ReduceLROnPlateau plateau{.monitor = Metric::val_loss, .factor = 0.5f, .patience = 2};
  const auto [last, c] = script(plateau, m, {0.5, 0.6, 0.6, 0.6, 0.6, 0.6});  // loss 0.5, 0.4, then flat
  CHECK(last == 6);
  CHECK(c.lr_scale == 0.25f);  // halved after epochs 4 and 6
}

TEST_CASE("history: CSV and JSON with one row per epoch", "[train][callbacks]") {
  const auto dir = test::temp_dir() / "typenet_history";
  std::filesystem::remove_all(dir);
  const auto train = synthetic_split(400, 6), val = synthetic_split(100, 7);
  Model<TinyNet> m({.batch = 50});
  SGD opt{};
  HistoryWriter history{dir};
  fit(m, opt, train, &val, {.epochs = 2}, history);
  std::ifstream csv(dir / "history.csv");
  std::string header, row1, row2, extra;
  std::getline(csv, header);
  std::getline(csv, row1);
  std::getline(csv, row2);
  CHECK(header == "epoch,loss,accuracy,val_loss,val_accuracy,lr,images_per_s,seconds");
  CHECK(row1.rfind("1,", 0) == 0);
  CHECK(row2.rfind("2,", 0) == 0);
  CHECK(std::count(row2.begin(), row2.end(), ',') == 7);
  CHECK_FALSE(std::getline(csv, extra));
  std::ifstream json(dir / "history.json");
  const std::string text((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
  CHECK(text.find("\"epoch\": 2, \"loss\": ") != std::string::npos);
  CHECK(text.find("null") == std::string::npos);  // every epoch was evaluated
}

TEST_CASE("fit stops when a callback says so", "[train][callbacks]") {
  const auto train = synthetic_split(200, 8);
  Model<TinyNet> m({.batch = 50});
  SGD opt{};
  auto stop_after_two = EachEpoch{[](const EpochStats&) {}};
  EarlyStopping never_better{.patience = 1};  // NaN metric (no held-out set) never improves
  const auto h = fit(m, opt, train, nullptr, {.epochs = 5}, stop_after_two, never_better);
  CHECK(h.size() == 1);
}

using TinyWide = Sequential<Input<3, 32, 32>, Conv<24, 3>, BatchNorm, ReLU, MaxPool<4>, GlobalAvgPool, Dense<10>>;

TEST_CASE("a tiny study: one row per model, a diverged run recorded, results written", "[train][study]") {
  Dataset data{synthetic_split(600, 10), synthetic_split(200, 11)};
  const auto out = test::temp_dir() / "typenet_study";
  std::filesystem::remove_all(out);
  StudyConfig cfg{.train = {.epochs = 2, .schedule = {.peak = 0.1f}}, .batch = 50, .val = 100, .out = out};
  const auto rows = test_models<TinyNet, TinyWide>(data, cfg, "TinyNet", "TinyWide");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].model == "TinyNet");
  CHECK(rows[1].params == TinyWide::param_count);
  CHECK(rows[0].epochs_run == 2);
  CHECK(rows[0].best_val_accuracy > 0.1);
  CHECK(std::isfinite(rows[0].test_accuracy));
  CHECK(std::filesystem::exists(out / "results.csv"));
  CHECK(std::filesystem::exists(out / "TinyNet" / "history.json"));

  StudyConfig wild = cfg;
  wild.train.schedule.peak = 1e9f;
  wild.out.clear();
  const auto bad = run_experiment<TinyNet>("TinyNet", data, wild);
  CHECK(bad.diverged);
  CHECK(study_table({bad}).find("diverged") != std::string::npos);
}

namespace {
// Two processes whose other one holds the same gradients: a sum doubles them. It writes down
// which part of the gradient buffer each started sum covers, between the nodes' backward ends.
struct EchoCollective final : Collective {
  const void* base = nullptr;
  std::vector<std::string>* events = nullptr;
  int finished = 0;
  int rank() const override { return 0; }
  int ranks() const override { return 2; }
  void sum(std::span<float> v) override { twice(v); }
  void sum(std::span<double> v) override { twice(v); }
  void broadcast(std::span<std::uint8_t>, int) override {}
  void start_sum(std::span<float> v) override { note(v), twice(v); }
  void start_sum(std::span<double> v) override { note(v), twice(v); }
  void finish_sums() override { events->push_back("finish"), ++finished; }

  template <class T> static void twice(std::span<T> v) { for (T& x : v) x *= 2; }
  template <class T> void note(std::span<T> v) {
    const long at = long(v.data() - static_cast<const T*>(base));
    events->push_back("sum " + std::to_string(at) + ".." + std::to_string(at + long(v.size())));
  }
};

template <class Backend> void check_bucketed_backward() {
  using Net = Sequential<Input<3, 12, 12>, Conv<8, 3>, BatchNorm, ReLU, MaxPool<2>, Conv<16, 3>, ReLU, GlobalAvgPool,
                         Dense<10>>;
  using T = typename Backend::scalar;
  Model<Net, Backend> m({.batch = 4, .seed = 1});
  test::fill_random(m.input(), 2);
  const auto step = [&](std::size_t first, auto&& node_done) {
    m.forward(Mode::train);
    test::fill_random(m.diff_output(), 3);
    m.backward(first, node_done);
  };
  step(0, [](std::size_t) {});
  const std::vector<T> alone(m.grads().begin(), m.grads().end());
  std::vector<long> offset;  // each node's first gradient, then the end
  for_each_node(typename Net::nodes{}, [&](auto, long p, long) { offset.push_back(p); });
  offset.push_back(Net::param_count);
  REQUIRE(offset.size() >= 4);

  for (const std::size_t first : {std::size_t(0), std::size_t(2)}) {
    for (const std::size_t bucket_bytes : {std::size_t(0), sizeof(T), std::size_t(25) << 20}) {
      INFO("first node " << first << ", buckets of " << bucket_bytes << " bytes");
      std::vector<std::string> events, expected;
      EchoCollective comm;
      comm.base = m.grads().data(), comm.events = &events;
      auto sync = GradientSync<T>::template for_network<Net>(&comm, bucket_bytes);
      sync.begin(m.grads(), first);
      step(first, [&](std::size_t i) {
        events.push_back("node " + std::to_string(i));
        sync.node_done(i);
      });
      sync.finish();
      // Each node's gradients summed as soon as its backward ends, or all of them after backward.
      for (std::size_t i = offset.size() - 1; i-- > first;) {
        expected.push_back("node " + std::to_string(i));
        if (bucket_bytes == sizeof(T) && offset[i + 1] > offset[i])
          expected.push_back("sum " + std::to_string(offset[i]) + ".." + std::to_string(offset[i + 1]));
      }
      if (bucket_bytes != sizeof(T))
        expected.push_back("sum " + std::to_string(offset[first]) + ".." + std::to_string(offset.back()));
      expected.push_back("finish");
      CHECK(events == expected);
      // Doubled by the sum, halved by the average: the trained nodes' gradients, untouched.
      CHECK(std::equal(alone.begin() + offset[first], alone.end(), m.grads().begin() + offset[first]));
    }
  }
}
}  // namespace

TEST_CASE("bucketed gradient sums start as soon as backward has finished their nodes", "[train][mpi]") {
  check_bucketed_backward<OneDnn>();
  check_bucketed_backward<Reference<double>>();
}
