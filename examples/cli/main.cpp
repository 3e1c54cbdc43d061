// typenet: the command-line program. `typenet --help` lists the commands.
//   typenet models
//   typenet train --model SeedModel7 --data data/cifar-10-batches-bin --epochs 30 --save model.tnw
//   typenet eval  --model SeedModel7 --weights model.tnw --data data/cifar-10-batches-bin
//   mpirun -np 2 typenet train ...   (built with -DTYPENET_WITH_MPI=ON: one run over 2 processes)
// This file parses the options; commands.cpp runs them (cli.hpp).
#include "cli.hpp"
#ifdef TYPENET_WITH_MPI
#include <typenet/dist/mpi.hpp>
#endif

namespace {
tn::Collective* the_world = nullptr;
bool every_process_failed = false;  // an error all processes meet together (a divergence): no abort
}
tn::Collective* world() { return the_world; }
double bucket_mb = 25;
std::size_t gradient_bucket_bytes() { return std::size_t(bucket_mb * (1 << 20)); }
bool sync_bn = false;
bool sync_batch_norm() { return sync_bn; }

namespace {
int run(int argc, char** argv) {
  CLI::App app{"typenet: train and run convolutional networks declared as C++ types"};
  app.require_subcommand(1);
  app.fallthrough();  // the option below may come after the command
  app.add_option("--allreduce-bucket-mb", bucket_mb, "Under mpirun: gradient sums of this many MiB start while backward "
                                                     "runs on (0: one sum after backward)")
      ->capture_default_str()->check(CLI::Range(0.0, 1e6));
  app.add_flag("--sync-bn", sync_bn, "Under mpirun: batch norm normalises by the whole global batch's statistics "
                                     "(synchronised), not each process's share of it");

  auto* models = app.add_subcommand("models", "List the model zoo with parameters and MACs per image");
  bool verbose = false;
  std::string model_name;
  models->add_flag("-v,--verbose", verbose, "Print each model's layer table and its parameter table (every tensor's "
                                            "name, shape and offset)");
  models->add_option("name", model_name, "Only this model");

  TrainArgs ta;
  auto* tr = app.add_subcommand("train", "Train a zoo model; ends with test_accuracy=...");
  // A repeated option takes its last value: `scripts/main.sh --epochs 5` overrides the script's --epochs 30.
  tr->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  tr->add_option("--model", ta.model, "Model name (see `typenet models`)")->capture_default_str();
  ta.data.add_to(tr);
  tr->add_option("--epochs", ta.epochs, "Epochs")->capture_default_str()->check(CLI::Range(1, 100000));
  tr->add_option("--batch", ta.batch, "Batch size")->capture_default_str()->check(CLI::Range(1, 65536));
  tr->add_option("--lr", ta.lr, "Peak learning rate")->capture_default_str()->check(positive);
  tr->add_option("--wd", ta.wd, "Weight decay")->capture_default_str()->check(non_negative);
  tr->add_option("--momentum", ta.momentum, "SGD Nesterov momentum")->capture_default_str()->check(fraction);
  tr->add_option("--label-smoothing", ta.smoothing, "Label smoothing")->capture_default_str()->check(fraction);
  tr->add_option("--warmup", ta.warmup, "Fraction of steps of linear warm-up, then linear decay to 0")
      ->capture_default_str()->check(fraction);
  tr->add_option("--optimizer", ta.optimizer, "sgd (Nesterov) or adamw")->capture_default_str()
      ->check(CLI::IsMember({"sgd", "adamw"}));
  tr->add_option("--seed", ta.seed, "Seed of weights, shuffling, augmentation, dropout")->capture_default_str();
  tr->add_option("--threads", ta.threads, "Threads (0: all cores)")->capture_default_str()->check(CLI::Range(0, 4096));
  tr->add_option("--save", ta.save, "Write weights here after every epoch (atomically)");
  tr->add_option("--dtype", ta.dtype, "f32, or bf16 (f32 master weights; falls back to f32 without AVX512-BF16)")
      ->capture_default_str()->check(CLI::IsMember({"f32", "bf16"}));
  tr->add_flag("--no-augment", ta.no_augment, "Disable random crop and flip");
  tr->add_flag("--random-resized-crop", ta.resized_crop, "Augment with torchvision's RandomResizedCrop (scale "
                                                        "0.08-1, ratio 3/4-4/3) instead of pad-and-crop");
  tr->add_option("--val", ta.val, "Validation images carved from the training set, stratified and seeded "
                                  "(e.g. 5000); the test set is then used once, at the end")->check(CLI::Range(0, 10000000));
  tr->add_option("--early-stop", ta.early_stop, "Stop after this many epochs without a better validation "
                                                "accuracy and restore the best weights (needs --val)")
      ->check(CLI::Range(1, 100000));
  tr->add_option("--history", ta.history, "Write history.csv and history.json (per epoch) into this folder");
  tr->add_option("--recipe", ta.recipe, "airbench94: Airbench94 with its published recipe (whitening and identity "
                                        "init, lookahead, TTA; its own batch, epochs and lr; bf16 recommended)")
      ->check(CLI::IsMember({"airbench94"}));
  tr->add_flag("--eval-each-epoch", ta.eval_each_epoch, "With --recipe: print the plain test accuracy after every "
                                                        "epoch (not counted in the run's time)");
  tr->add_option("--checkpoint", ta.checkpoint, "Write the run's whole state here at every epoch's end (atomically); "
                                                "`train --resume FILE` continues it");
  tr->add_option("--checkpoint-every", ta.checkpoint_every, "Also write the checkpoint every N steps")
      ->check(CLI::Range(1L, 100000000L));
  tr->add_option("--resume", ta.resume, "Continue the run saved in this checkpoint, with its own options (no other "
                                        "option may be given): the result is that of the uninterrupted run");

  std::string inspect_file;
  auto* in = app.add_subcommand("inspect", "Check a weights (.tnw) or checkpoint (.tnc) file and list what it holds");
  in->add_option("file", inspect_file, "The file")->required();

  FineTuneArgs fa;
  auto* ft = app.add_subcommand("finetune", "Fine-tune a pretrained backbone on a dataset: its weights in (any format "
                                            "typenet reads), a new head, then fastai's fine_tune or Keras's two phases");
  ft->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  ft->add_option("--model", fa.run.model, "Backbone: ResNet34, EfficientNetB2, Xception, MobileNetV2")->capture_default_str();
  ft->add_option("--weights", fa.weights, "Pretrained weights: PyTorch .pth, safetensors, Keras .h5, TensorFlow.js "
                                          "model.json or typenet .tnw (told by content); `random`: the same run "
                                          "from random initialisation (a baseline)");
  ft->add_option("--size", fa.size, "Input size (32 (Xception 71), 96, 128 or native; default: native)")
      ->check(CLI::Range(0, 4096));
  fa.run.data.add_to(ft, true);
  ft->add_option("--freeze-epochs", fa.freeze_epochs, "Epochs training the head alone (phase 1)")->capture_default_str()
      ->check(finite_in(0, 100000));
  ft->add_option("--epochs", fa.run.epochs, "Epochs with the backbone unfrozen (phase 2)")->capture_default_str()
      ->check(CLI::Range(1, 100000));
  ft->add_option("--preset", fa.preset, "fastai (fine_tune: one-cycle, discriminative rates) or keras (constant "
                                        "rates, a low one after unfreezing)")->capture_default_str()
      ->check(CLI::IsMember({"fastai", "keras"}));
  ft->add_option("--lr", fa.run.lr, "fastai: base_lr (phase 2 at half of it); keras: the head's rate")
      ->capture_default_str()->check(positive);
  ft->add_option("--lr-mult", fa.lr_mult, "fastai: phase 2 spreads slice(lr/2/lr_mult, lr/2) over the stages")
      ->capture_default_str()->check(finite_in(1, 1e9));
  ft->add_option("--unfrozen-lr", fa.unfrozen_lr, "keras: the rate after unfreezing")->capture_default_str()->check(positive);
  ft->add_option("--unfreeze-from", fa.unfreeze_from, "Phase 2 trains the stages from this one on (e.g. layer3, "
                                                      "block_11; default: all); `typenet models -v` lists the layers");
  ft->add_flag("--train-frozen-bn", fa.train_frozen_bn, "fastai's train_bn: batch norms keep training in frozen stages "
                                                         "(default: frozen stages run on their running statistics, as Keras)");
  ft->add_option("--optimizer", fa.run.optimizer, "adamw (fastai's Adam: betas 0.9/0.99) or sgd")->capture_default_str()
      ->check(CLI::IsMember({"sgd", "adamw"}));
  ft->add_option("--wd", fa.run.wd, "Weight decay (decoupled for adamw)")->capture_default_str()->check(non_negative);
  ft->add_option("--momentum", fa.run.momentum, "SGD Nesterov momentum")->capture_default_str()->check(fraction);
  ft->add_option("--label-smoothing", fa.run.smoothing, "Label smoothing")->capture_default_str()->check(fraction);
  ft->add_option("--batch", fa.run.batch, "Batch size")->capture_default_str()->check(CLI::Range(1, 65536));
  ft->add_option("--seed", fa.run.seed, "Seed of the new head, shuffling, augmentation, dropout")->capture_default_str();
  ft->add_option("--threads", fa.run.threads, "Threads (0: all cores)")->capture_default_str()->check(CLI::Range(0, 4096));
  ft->add_option("--dtype", fa.run.dtype, "f32 or bf16")->capture_default_str()->check(CLI::IsMember({"f32", "bf16"}));
  ft->add_flag("--no-augment", fa.run.no_augment, "Disable random crop and flip");
  ft->add_option("--save", fa.run.save, "Write weights here after every epoch (atomically)");
  ft->add_option("--history", fa.run.history, "Write history.csv/json and the run's pictures into this folder");
  ft->add_option("--checkpoint", fa.run.checkpoint, "Write the run's whole state here at every epoch's end");
  ft->add_option("--checkpoint-every", fa.run.checkpoint_every, "Also every N steps")->check(CLI::Range(1L, 100000000L));
  ft->add_option("--resume", fa.run.resume, "Continue the finetune run saved in this checkpoint (no other option)");

  EvalArgs ea;
  auto* ev = app.add_subcommand("eval", "Evaluate saved weights on the test set");
  ev->add_option("--model", ea.model, "Model name")->capture_default_str();
  ev->add_option("--weights", ea.weights, "Weights: typenet .tnw, or a backbone's PyTorch .pth, safetensors, Keras "
                                          ".h5 or TensorFlow.js model.json (told by content)")->required();
  ev->add_option("--size", ea.size, "Backbones: input size (default: native)")->check(CLI::Range(0, 4096));
  ev->add_option("--num-classes", ea.num_classes, "Backbones: 10 or 1000 outputs")->capture_default_str()
      ->check(CLI::IsMember({10, 1000}));
  ea.data.add_to(ev);
  ev->add_option("--batch", ea.batch, "Batch size")->capture_default_str()->check(CLI::Range(1, 65536));
  ev->add_option("--threads", ea.threads, "Threads (0: all cores)")->capture_default_str()->check(CLI::Range(0, 4096));

  BenchArgs ba;
  auto* bn = app.add_subcommand("bench", "Measure training/inference throughput or batch-1 latency (one line)");
  bn->add_option("--model", ba.model, "Model name: a zoo model or a transfer backbone (ResNet34, EfficientNetB2, "
                                      "Xception, MobileNetV2)")->capture_default_str();
  bn->add_option("--size", ba.size, "Backbones: input size (ResNet34 224/128, EfficientNetB2 260/288, Xception "
                                    "299, MobileNetV2 224/128; default: native)")->check(CLI::Range(0, 4096));
  bn->add_option("--mode", ba.mode, "train, infer or latency (batch 1)")->capture_default_str()
      ->check(CLI::IsMember({"train", "infer", "latency"}));
  bn->add_option("--dtype", ba.dtype, "f32 or bf16")->capture_default_str()->check(CLI::IsMember({"f32", "bf16"}));
  bn->add_option("--batch", ba.batch, "Batch size")->capture_default_str()->check(CLI::Range(1, 65536));
  bn->add_option("--threads", ba.threads, "Threads (0: all cores)")->capture_default_str()->check(CLI::Range(0, 4096));
  bn->add_option("--steps", ba.steps, "Steps per repeat (0: about 1 TFLOP of work)")->check(CLI::Range(0, 10000000));
  bn->add_option("--repeats", ba.repeats, "Repeats; the best is reported")->capture_default_str()
      ->check(CLI::Range(1, 100));
  bn->add_flag("--direct", ba.direct, "f32: direct convolutions only (by default 3x3 ones use oneDNN's Winograd "
                                      "kernels where it has them)");

  PredictArgs pa;
  auto* pr = app.add_subcommand("predict", "Classify PNG/JPEG images: top-3 classes with probabilities");
  pr->add_option("--model", pa.model, "Model name")->capture_default_str();
  pr->add_option("--weights", pa.weights, "Weights: typenet .tnw, or a backbone's PyTorch .pth, safetensors, Keras "
                                          ".h5 or TensorFlow.js model.json (told by content)")->required();
  pr->add_option("--size", pa.size, "Backbones: input size (default: native)")->check(CLI::Range(0, 4096));
  pr->add_option("--num-classes", pa.num_classes, "Backbones: 10 or 1000 outputs")->capture_default_str()
      ->check(CLI::IsMember({10, 1000}));
  pr->add_option("--normalize", pa.normalize, "Pixel normalisation used in training: cifar, imagenet, pm1, unit")
      ->capture_default_str()->check(CLI::IsMember({"cifar", "imagenet", "pm1", "unit"}));
  pr->add_option("--classes", pa.classes, "File with one class name per line (default: CIFAR-10's)");
  pr->add_option("images", pa.images, "Image files")->required();

  // study: several zoo models under one configuration, one row each.
  StudyArgs sa;
  auto* st = app.add_subcommand("study", "Train and evaluate several models under one configuration; prints a table");
  st->add_option("--models", sa.models, "Comma-separated zoo names")->capture_default_str();
  sa.data.add_to(st);
  st->add_option("--epochs", sa.epochs, "Epochs per model")->capture_default_str()->check(CLI::Range(1, 100000));
  st->add_option("--batch", sa.config.batch, "Batch size")->capture_default_str()->check(CLI::Range(1, 65536));
  st->add_option("--lr", sa.lr, "Peak learning rate (warm-up then linear decay)")->capture_default_str()->check(positive);
  st->add_option("--warmup", sa.warmup, "Warm-up fraction")->capture_default_str()->check(fraction);
  st->add_option("--wd", sa.config.weight_decay, "Weight decay")->capture_default_str()->check(non_negative);
  st->add_option("--label-smoothing", sa.smoothing, "Label smoothing")->capture_default_str()->check(fraction);
  st->add_option("--val", sa.config.val, "Validation images carved from the training set (0: none)")->capture_default_str()
      ->check(CLI::Range(0, 10000000));
  st->add_option("--early-stop", sa.config.early_stop, "Patience in epochs (0: off)")->capture_default_str()
      ->check(CLI::Range(0, 100000));
  st->add_option("--seed", sa.config.train.seed, "Seed")->capture_default_str();
  st->add_option("--dtype", sa.dtype, "f32 or bf16")->capture_default_str()->check(CLI::IsMember({"f32", "bf16"}));
  st->add_option("--out", sa.out, "Output folder: results.csv, results.md, <model>/history.*")->capture_default_str();

  // sweep: one model over batch sizes, learning rates and weight decays.
  SweepArgs wa;
  auto* sw = app.add_subcommand("sweep", "Tune batch size, learning rate and weight decay of one model (grid or "
                                         "seeded random search); prints the runs sorted by validation accuracy");
  sw->add_option("--model", wa.model, "Model name")->capture_default_str();
  sw->add_option("--batch", wa.space.batch, "Batch sizes, comma-separated")->delimiter(',')->capture_default_str()
      ->check(CLI::Range(1, 65536));
  sw->add_option("--lr", wa.space.lr, "Peak learning rates, comma-separated")->delimiter(',')->capture_default_str()
      ->check(positive);
  sw->add_option("--wd", wa.space.wd, "Weight decays, comma-separated")->delimiter(',')->capture_default_str()
      ->check(non_negative);
  sw->add_option("--config", wa.file, "JSON file {\"batch\": [...], \"lr\": [...], \"wd\": [...]} (replaces the lists)");
  sw->add_option("--random", wa.random, "Random search: this many points (batch from the list, lr and wd "
                                       "log-uniform between the list's extremes); 0: the full grid")
      ->capture_default_str()->check(CLI::Range(0, 100000));
  sw->add_option("--epochs", wa.epochs, "Epochs per run")->capture_default_str()->check(CLI::Range(1, 100000));
  sw->add_option("--warmup", wa.warmup, "Warm-up fraction")->capture_default_str()->check(fraction);
  sw->add_option("--label-smoothing", wa.smoothing, "Label smoothing")->capture_default_str()->check(fraction);
  sw->add_option("--val", wa.config.val, "Validation images carved from the training set")->capture_default_str()
      ->check(CLI::Range(0, 10000000));
  sw->add_option("--seed", wa.config.train.seed, "Seed of the runs and of the random search")->capture_default_str();
  sw->add_option("--dtype", wa.dtype, "f32 or bf16")->capture_default_str()->check(CLI::IsMember({"f32", "bf16"}));
  wa.data.add_to(sw);
  sw->add_option("--out", wa.out, "Output folder: results.{csv,md,json}, <point>/history.*")->capture_default_str();

  PlotArgs la;
  auto* pl = app.add_subcommand("plot", "Pictures of a run: training curves (from DIR/history.csv), confusion "
                                        "matrix and a prediction grid on the test set, as PNG files in DIR");
  pl->add_option("--model", la.model, "Model name")->capture_default_str();
  pl->add_option("--weights", la.weights, "Weights file (without: the training curves only)");
  pl->add_option("--dir", la.dir, "Run folder (history.csv is read from it, the PNGs written to it)")->required();
  la.data.add_to(pl);

  CLI11_PARSE(app, argc, argv);
  if (sync_bn && !the_world)
    std::fprintf(stderr, "typenet: --sync-bn changes nothing in one process (it synchronises the processes of mpirun)\n");
  try {
    if (models->parsed()) {
      models_command(model_name, verbose);
      return 0;
    }
    if (in->parsed()) {
      const auto head = tn::io::read_file(inspect_file, "file", std::uintmax_t(1) << 36);
      if (head.size() >= 8 && std::string(head.begin(), head.begin() + 8) == "TYPENETC") {
        const tn::io::CheckpointReader ck(inspect_file);
        std::printf("%s: typenet checkpoint, every section intact\n", inspect_file.c_str());
        for (const auto& [name, bytes] : ck.sections()) std::printf("  %-32s %12zu bytes\n", name.c_str(), bytes);
        std::printf("run: %s\n", ck.section("run").get_text().c_str());
        return 0;
      }
      throw tn::Error("typenet: inspect: " + inspect_file + " is not a typenet checkpoint (weights files are checked "
                      "by `typenet eval --weights`)");
    }
    if (tr->parsed() && !ta.resume.empty()) {
      for (const CLI::Option* o : tr->get_options())
        if (o->count() > 0 && o->get_name() != "--resume")
          throw tn::Error("typenet: train --resume takes the run's options from the checkpoint; " + o->get_name() +
                          " cannot be given with it");
      const tn::io::CheckpointReader ck(ta.resume);
      const TrainArgs saved = TrainArgs::from_checkpoint(ck);
      if (ck.section("run").get_text().find("\"finetune\"") != std::string::npos)
        throw tn::Error("typenet: checkpoint " + ta.resume + " is of a finetune run: continue it with `typenet finetune --resume`");
      if (!saved.isa.empty() && saved.isa != tn::onednn::isa_name())
        std::fprintf(stderr, "typenet: warning: checkpoint %s was written with oneDNN's %s kernels, this machine runs "
                     "%s: the run goes on, but not bit-identically to one left alone\n", ta.resume.c_str(),
                     saved.isa.c_str(), tn::onednn::isa_name());
      return train_command(saved, &ck);
    }
    if (ft->parsed() && !fa.run.resume.empty()) {
      for (const CLI::Option* o : ft->get_options())
        if (o->count() > 0 && o->get_name() != "--resume")
          throw tn::Error("typenet: finetune --resume takes the run's options from the checkpoint; " + o->get_name() +
                          " cannot be given with it");
      const tn::io::CheckpointReader ck(fa.run.resume);
      return finetune_command(FineTuneArgs::from_checkpoint(ck), &ck);
    }
    if (ft->parsed() && fa.weights.empty()) throw tn::Error("typenet: finetune needs --weights (the pretrained backbone)");
    if (ft->parsed()) return finetune_command(fa, nullptr);
    if (tr->parsed() && ta.early_stop && !ta.val)
      throw tn::Error("typenet: --early-stop needs --val (early stopping never looks at the test set)");
    if (st->parsed()) return study_command(sa);
    if (sw->parsed()) return sweep_command(wa);
    if (tr->parsed()) return train_command(ta, nullptr);
    if (bn->parsed()) return bench_command(ba);
    if (pr->parsed()) return predict_command(pa);
    if (pl->parsed()) return plot_command(la);
    return eval_command(ea);
  } catch (const UnknownModel& e) {
    std::fprintf(stderr, "%s%s\n", rank_prefix().c_str(), e.what());
    return 2;
  } catch (const tn::Diverged& e) {  // the step's loss and gradients are global: every process stops here
    std::fprintf(stderr, "%s%s\n", rank_prefix().c_str(), e.what());
    every_process_failed = true;
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s%s\n", rank_prefix().c_str(), e.what());
    return 1;
  }
}
}  // namespace

int main(int argc, char** argv) {
#ifdef TYPENET_WITH_MPI
  // Under mpirun with several processes: one run spread over them (train/collective.hpp). Only
  // the first prints to stdout and writes files; an error on any stops them all (MPI_Abort),
  // where the others would wait for it for ever.
  // Started by hand, the program does not start MPI at all (its singleton start costs about
  // half a second).
  if (!launched_by_mpi()) return run(argc, argv);
  tn::dist::MpiSession mpi(&argc, &argv);
  tn::dist::MpiCollective processes;
  if (processes.ranks() > 1) {
    the_world = &processes;
    if (!processes.leader() && !std::freopen("/dev/null", "w", stdout)) return 1;
  }
  const int rc = run(argc, argv);
  if (rc != 0 && the_world && !every_process_failed) tn::dist::MpiSession::abort_all(rc);
  return rc;
#else
  return run(argc, argv);
#endif
}
