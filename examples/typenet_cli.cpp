// typenet: the command-line program. `typenet --help` lists the commands.
//   typenet models
//   typenet train --model SeedModel7 --data data/cifar-10-batches-bin --epochs 30 --save model.tnw
//   typenet eval  --model SeedModel7 --weights model.tnw --data data/cifar-10-batches-bin
#include <CLI/CLI.hpp>
#include <cstdio>
#include <typenet/typenet.hpp>

namespace tn = typenet;

struct TrainArgs {
  std::string model = "SeedModel7", data = "data/cifar-10-batches-bin", save;
  int epochs = 30, batch = 256, threads = 0;
  float lr = 0.1f, wd = 5e-4f, momentum = 0.9f, smoothing = 0.1f, warmup = 0.1f;
  std::uint64_t seed = 1;
  std::string optimizer = "sgd";
  bool no_augment = false;
  std::size_t limit = 0;  // use only the first N records of each file (quick tries)
};

template <class Net>
int train(const TrainArgs& a) {
  tn::onednn::set_threads(a.threads);
  const auto data = tn::cifar10::load(a.data, a.limit ? a.limit : tn::cifar10::records_per_file);
  tn::Model<Net> model({.batch = a.batch, .seed = a.seed});
  std::printf("model %s: %ld params, %ld MACs/image; batch %d, %d threads, %zu train / %zu test images\n",
              a.model.c_str(), Net::param_count, Net::macs, a.batch, tn::onednn::threads(), data.train.size(),
              data.test.size());
  tn::TrainConfig cfg{.epochs = a.epochs,
                      .schedule = {.peak = a.lr, .warmup = a.warmup},
                      .label_smoothing = a.smoothing,
                      .augment = a.no_augment ? tn::Augment{.pad = 0, .flip = false} : tn::Augment{},
                      .seed = a.seed};
  auto on_epoch = [&](const tn::EpochStats& s) {
    std::printf("epoch %3d/%d  loss %.4f  acc %.4f  test_loss %.4f  test_acc %.4f  lr %.4f  %.0f img/s  %.1f s\n",
                s.epoch, a.epochs, s.loss, s.accuracy, s.test_loss, s.test_accuracy, s.lr, s.images_per_s, s.seconds);
    std::fflush(stdout);
    if (!a.save.empty()) tn::io::save(a.save, model);
  };
  const auto t0 = std::chrono::steady_clock::now();
  if (a.optimizer == "adamw") {
    tn::AdamW opt{.weight_decay = a.wd};
    tn::fit(model, opt, data.train, &data.test, cfg, on_epoch);
  } else {
    tn::SGD opt{.momentum = a.momentum, .nesterov = true, .weight_decay = a.wd};
    tn::fit(model, opt, data.train, &data.test, cfg, on_epoch);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto r = tn::evaluate(model, data.test);
  std::printf("total %.1f s (training and per-epoch evaluation)\n", secs);
  std::printf("test_accuracy=%.4f\n", r.accuracy);
  return 0;
}

template <class Net>
int eval(const std::string& name, const std::string& weights, const std::string& dir, int batch, int threads) {
  tn::onednn::set_threads(threads);
  const auto data = tn::cifar10::load(dir);
  tn::Model<Net> model({.batch = batch});
  tn::io::load(weights, model);
  const auto r = tn::evaluate(model, data.test);
  std::printf("model %s, weights %s: test_loss %.4f\n", name.c_str(), weights.c_str(), r.loss);
  std::printf("test_accuracy=%.4f\n", r.accuracy);
  return 0;
}

int main(int argc, char** argv) {
  CLI::App app{"typenet: train and run convolutional networks declared as C++ types"};
  app.require_subcommand(1);

  auto* models = app.add_subcommand("models", "List the model zoo with parameters and MACs per image");
  bool verbose = false;
  models->add_flag("-v,--verbose", verbose, "Print each model's layer table");

  TrainArgs ta;
  auto* tr = app.add_subcommand("train", "Train a zoo model on CIFAR-10; ends with test_accuracy=...");
  tr->add_option("--model", ta.model, "Model name (see `typenet models`)")->capture_default_str();
  tr->add_option("--data", ta.data, "Directory in CIFAR-10's binary layout")->capture_default_str();
  tr->add_option("--epochs", ta.epochs, "Epochs")->capture_default_str()->check(CLI::Range(1, 100000));
  tr->add_option("--batch", ta.batch, "Batch size")->capture_default_str()->check(CLI::Range(1, 65536));
  tr->add_option("--lr", ta.lr, "Peak learning rate")->capture_default_str()->check(CLI::PositiveNumber);
  tr->add_option("--wd", ta.wd, "Weight decay")->capture_default_str()->check(CLI::NonNegativeNumber);
  tr->add_option("--momentum", ta.momentum, "SGD Nesterov momentum")->capture_default_str()->check(CLI::Range(0.0, 1.0));
  tr->add_option("--label-smoothing", ta.smoothing, "Label smoothing")->capture_default_str()->check(CLI::Range(0.0, 1.0));
  tr->add_option("--warmup", ta.warmup, "Fraction of steps of linear warm-up, then linear decay to 0")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  tr->add_option("--optimizer", ta.optimizer, "sgd (Nesterov) or adamw")->capture_default_str()
      ->check(CLI::IsMember({"sgd", "adamw"}));
  tr->add_option("--seed", ta.seed, "Seed of weights, shuffling, augmentation, dropout")->capture_default_str();
  tr->add_option("--threads", ta.threads, "Threads (0: all cores)")->capture_default_str()->check(CLI::NonNegativeNumber);
  tr->add_option("--save", ta.save, "Write weights here after every epoch (atomically)");
  tr->add_flag("--no-augment", ta.no_augment, "Disable random crop and flip");
  tr->add_option("--limit", ta.limit, "Use only the first N images of each batch file (quick runs)")
      ->check(CLI::Range(1, 10000));

  std::string em = "SeedModel7", ew, ed = "data/cifar-10-batches-bin";
  int eb = 250, et = 0;
  auto* ev = app.add_subcommand("eval", "Evaluate saved weights on the CIFAR-10 test set");
  ev->add_option("--model", em, "Model name")->capture_default_str();
  ev->add_option("--weights", ew, "Weights file written by train --save")->required();
  ev->add_option("--data", ed, "Directory in CIFAR-10's binary layout")->capture_default_str();
  ev->add_option("--batch", eb, "Batch size")->capture_default_str()->check(CLI::Range(1, 65536));
  ev->add_option("--threads", et, "Threads (0: all cores)")->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  try {
    if (models->parsed()) {
      std::printf("%-12s %12s %14s\n", "model", "params", "MACs/image");
      tn::zoo::for_each_model([&](auto t, const char* name) {
        using Net = typename decltype(t)::type;
        std::printf("%-12s %12ld %14ld\n", name, Net::param_count, Net::macs);
        if (verbose) tn::print_summary<Net>();
      });
      return 0;
    }
    const std::string& name = tr->parsed() ? ta.model : em;
    int rc = 2;
    const bool found = tn::zoo::visit_model(name, [&](auto t) {
      using Net = typename decltype(t)::type;
      rc = tr->parsed() ? train<Net>(ta) : eval<Net>(em, ew, ed, eb, et);
    });
    if (!found) {
      std::fprintf(stderr, "typenet: unknown model '%s' (see `typenet models`)\n", name.c_str());
      return 2;
    }
    return rc;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
