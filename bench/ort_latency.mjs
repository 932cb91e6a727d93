#!/usr/bin/env node
// Batch latency of an ONNX model under ONNX Runtime (onnxruntime-node, CPU EP).
//
//   node bench/ort_latency.mjs MODEL.onnx [--batch N] [--threads N] [--runs N] [--warmup N]
//
// Feeds seeded uniform [0, 1) float32 inputs of the model's input shape (its
// dynamic batch dimension set to --batch, default 1) and prints one JSON line
// {model, threads, batch, runs, median_ms, min_ms}. --threads sets ORT's
// intra-op threads (default 1); inter-op is 1 (sequential execution).
// Needs bench/node_modules (scripts/install-bench-deps.sh).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');

const args = process.argv.slice(2);
const opt = { batch: 1, threads: 1, runs: 50, warmup: 5 };
let model = null;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--batch') opt.batch = Number(args[++i]);
  else if (a === '--threads') opt.threads = Number(args[++i]);
  else if (a === '--runs') opt.runs = Number(args[++i]);
  else if (a === '--warmup') opt.warmup = Number(args[++i]);
  else if (a.startsWith('--') || model) {
    console.error('usage: node bench/ort_latency.mjs MODEL.onnx [--batch N] [--threads N] [--runs N] [--warmup N]');
    process.exit(2);
  } else model = a;
}
if (!model) {
  console.error('ort_latency: need MODEL.onnx');
  process.exit(2);
}

const session = await ort.InferenceSession.create(model, {
  executionProviders: ['cpu'],
  intraOpNumThreads: opt.threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
});
const inputName = session.inputNames[0];
const meta = session.inputMetadata?.[0];
let shape = meta?.shape ?? null;
if (!shape) {
  console.error('ort_latency: cannot read the input shape');
  process.exit(1);
}
shape = shape.map((d) => (typeof d === 'number' && d > 0 ? d : opt.batch));
const size = shape.reduce((a, b) => a * b, 1);
// Deterministic LCG inputs (latency does not depend on the values).
const data = new Float32Array(size);
let state = 12345;
for (let i = 0; i < size; i++) {
  state = (state * 1103515245 + 12345) >>> 0;
  data[i] = state / 4294967296;
}
const feeds = { [inputName]: new ort.Tensor('float32', data, shape) };
const times = [];
for (let i = 0; i < opt.warmup + opt.runs; i++) {
  const t0 = process.hrtime.bigint();
  await session.run(feeds);
  const t1 = process.hrtime.bigint();
  if (i >= opt.warmup) times.push(Number(t1 - t0) / 1e6);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({
  model, threads: opt.threads, batch: opt.batch, runs: opt.runs,
  median_ms: times[Math.floor(times.length / 2)], min_ms: times[0],
}));
