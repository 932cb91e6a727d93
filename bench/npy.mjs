// Minimal .npy (NumPy format 1.0/2.0/3.0) reader and writer for little-endian,
// C-order arrays of float32, float64, int64, int32 and uint8. No dependencies.
import { readFileSync, writeFileSync } from 'node:fs';

const DTYPES = {
  '<f4': Float32Array, '<f8': Float64Array, '<i8': BigInt64Array,
  '<i4': Int32Array, '|u1': Uint8Array, '<u1': Uint8Array, '|i1': Int8Array,
};

// Returns { dtype, shape, data } where data is a typed array (BigInt64Array for int64).
export function readNpy(path) {
  const buf = readFileSync(path);
  const magic = buf.subarray(0, 6).toString('latin1');
  if (magic !== '\x93NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  let headerLen, offset;
  if (major === 1) { headerLen = buf.readUInt16LE(8); offset = 10; }
  else if (major === 2 || major === 3) { headerLen = buf.readUInt32LE(8); offset = 12; }
  else throw new Error(`${path}: unsupported .npy version ${major}`);
  const header = buf.subarray(offset, offset + headerLen).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeStr = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeStr === undefined) throw new Error(`${path}: cannot parse header ${header}`);
  if (fortran === 'True') throw new Error(`${path}: Fortran-order arrays are not supported`);
  const Ctor = DTYPES[descr];
  if (!Ctor) throw new Error(`${path}: unsupported dtype ${descr} (want little-endian ${Object.keys(DTYPES).join(', ')})`);
  const shape = shapeStr.split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = offset + headerLen;
  const bytes = buf.subarray(dataStart, dataStart + count * Ctor.BYTES_PER_ELEMENT);
  if (bytes.length !== count * Ctor.BYTES_PER_ELEMENT) throw new Error(`${path}: truncated data`);
  // Copy into a fresh, aligned buffer.
  const data = new Ctor(count);
  new Uint8Array(data.buffer).set(bytes);
  return { dtype: descr, shape, data };
}

// Writes a float32 array (Float32Array) with the given shape as .npy version 1.0.
export function writeNpyFloat32(path, shape, data) {
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = header + ' '.repeat(pad % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1'); pre[6] = 1; pre[7] = 0; pre.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}
