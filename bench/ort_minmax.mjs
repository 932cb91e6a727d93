#!/usr/bin/env node
// MinMax calibration with ONNX Runtime (onnxruntime-node, CPU EP), as ONNX Runtime's
// MinMaxCalibrater does it: run the model over the calibration set with graph
// optimizations disabled and record, for every graph output, the minimum and maximum
// over all batches. python/ort_style_quantize.py adds the tensors it wants calibrated as
// extra graph outputs and calls this script.
//
//   node bench/ort_minmax.mjs AUGMENTED.onnx CALIB.npy OUT.json [--batch N] [--threads T]
//
// OUT.json: { "tensor name": [min, max], ... } (float32 values printed exactly).
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { readNpy } from './npy.mjs';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');

const args = process.argv.slice(2);
let batch = 64;
let threads = 0; // 0: ONNX Runtime's default (one per physical core)
const pos = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--batch') batch = Number(args[++i]);
  else if (args[i] === '--threads') threads = Number(args[++i]);
  else pos.push(args[i]);
}
if (pos.length !== 3) {
  console.error('usage: node bench/ort_minmax.mjs AUGMENTED.onnx CALIB.npy OUT.json [--batch N] [--threads T]');
  process.exit(2);
}
const [modelPath, calibPath, outPath] = pos;
const x = readNpy(calibPath);
if (x.dtype !== '<f4') throw new Error(`${calibPath}: expected float32, got ${x.dtype}`);
const n = x.shape[0];
const per = x.data.length / n;

const session = await ort.InferenceSession.create(modelPath, {
  executionProviders: ['cpu'], graphOptimizationLevel: 'disabled',
  ...(threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
});
const inputName = session.inputNames[0];
const ranges = {};
const start = process.hrtime.bigint();
for (let s = 0; s < n; s += batch) {
  const b = Math.min(batch, n - s);
  const t = new ort.Tensor('float32', x.data.subarray(s * per, (s + b) * per), [b, ...x.shape.slice(1)]);
  const outs = await session.run({ [inputName]: t });
  for (const name of session.outputNames) {
    const d = outs[name].data;
    if (!(d instanceof Float32Array)) continue;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < d.length; i++) { const v = d[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
    const r = ranges[name];
    if (!r) ranges[name] = [lo, hi];
    else { if (lo < r[0]) r[0] = lo; if (hi > r[1]) r[1] = hi; }
  }
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
writeFileSync(outPath, JSON.stringify(ranges, null, 1) + '\n');
// The time covers the runs and the min/max reductions, not the session's creation
// (as qcc quantize's figure leaves out the build of its calibration library).
console.log(`ort_minmax: ${Object.keys(ranges).length} tensors over ${n} calibration inputs -> ${outPath}` +
            ` (${n} samples in ${seconds.toFixed(2)} s, ${(n / seconds).toFixed(0)} samples/s)`);
