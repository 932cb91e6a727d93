#!/usr/bin/env node
// Top-1 accuracy of an ONNX classifier under ONNX Runtime (onnxruntime-node, CPU EP).
//
//   node bench/ort_eval.mjs MODEL.onnx INPUTS.npy LABELS.npy [--batch N] [--threads N]
//                           [--json OUT.json] [--logits OUT.npy] [--name LABEL] [--no-opt]
//
// INPUTS: float32 [N, ...] fed to the model's first input; LABELS: int64 (or int32) [N].
// Prints one line "top-1 accuracy: A (correct/N)"; --json also writes
// {model, accuracy, correct, total, ...}; --logits writes the raw outputs (float32).
// --no-opt disables ORT's graph optimizations (QDQ models then run as float ops with
// explicit quantize/dequantize instead of fused QLinear* int8 kernels).
// Needs bench/node_modules (scripts/install-bench-deps.sh).
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { readNpy, writeNpyFloat32 } from './npy.mjs';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');

function usage(msg) {
  if (msg) console.error(`ort_eval: ${msg}`);
  console.error('usage: node bench/ort_eval.mjs MODEL.onnx INPUTS.npy LABELS.npy [--batch N] [--threads N] [--json OUT.json] [--logits OUT.npy] [--name LABEL] [--no-opt]');
  process.exit(2);
}

const args = process.argv.slice(2);
const pos = [];
const opt = { batch: 250, threads: 0, json: null, logits: null, name: null, noOpt: false };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '-h' || a === '--help') usage();
  else if (a === '--batch') opt.batch = Number(args[++i]);
  else if (a === '--threads') opt.threads = Number(args[++i]);
  else if (a === '--json') opt.json = args[++i];
  else if (a === '--logits') opt.logits = args[++i];
  else if (a === '--name') opt.name = args[++i];
  else if (a === '--no-opt') opt.noOpt = true;
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else pos.push(a);
}
if (pos.length !== 3) usage('need MODEL.onnx INPUTS.npy LABELS.npy');
const [modelPath, inputsPath, labelsPath] = pos;

const x = readNpy(inputsPath);
const y = readNpy(labelsPath);
if (x.dtype !== '<f4') usage(`${inputsPath}: expected float32, got ${x.dtype}`);
const n = x.shape[0];
if (y.shape.length !== 1 || y.shape[0] !== n) usage(`${labelsPath}: expected [${n}] labels, got [${y.shape}]`);
const labels = Array.from(y.data, Number);
const per = x.data.length / n;

const sessOpts = { executionProviders: ['cpu'] };
if (opt.threads > 0) sessOpts.intraOpNumThreads = opt.threads;
if (opt.noOpt) sessOpts.graphOptimizationLevel = 'disabled';
const session = await ort.InferenceSession.create(modelPath, sessOpts);
const inputName = session.inputNames[0];
const outputName = session.outputNames[0];

let correct = 0;
let numClasses = 0;
const allLogits = [];
const t0 = process.hrtime.bigint();
for (let s = 0; s < n; s += opt.batch) {
  const b = Math.min(opt.batch, n - s);
  const t = new ort.Tensor('float32', x.data.subarray(s * per, (s + b) * per), [b, ...x.shape.slice(1)]);
  const out = (await session.run({ [inputName]: t }))[outputName];
  numClasses = out.dims[out.dims.length - 1];
  const d = out.data;
  for (let i = 0; i < b; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (d[i * numClasses + c] > d[i * numClasses + best]) best = c;
    if (best === labels[s + i]) correct++;
  }
  if (opt.logits) allLogits.push(Float32Array.from(d));
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const accuracy = correct / n;
console.log(`${opt.name ? opt.name + ': ' : ''}top-1 accuracy: ${accuracy.toFixed(4)} (${correct}/${n}) [${modelPath}, ORT ${ort.env.versions.node}, ${seconds.toFixed(2)} s]`);
if (opt.logits) {
  const flat = new Float32Array(n * numClasses);
  let off = 0;
  for (const l of allLogits) { flat.set(l, off); off += l.length; }
  writeNpyFloat32(opt.logits, [n, numClasses], flat);
}
if (opt.json) {
  writeFileSync(opt.json, JSON.stringify({
    name: opt.name, model: modelPath, inputs: inputsPath, labels: labelsPath,
    accuracy, correct, total: n, runtime: `onnxruntime-node ${ort.env.versions.node}`,
    execution_provider: 'cpu', graph_optimizations: opt.noOpt ? 'disabled' : 'all (default)', seconds,
  }, null, 2) + '\n');
}
