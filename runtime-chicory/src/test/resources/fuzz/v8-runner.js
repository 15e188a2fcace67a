'use strict';
// Runs fuzz modules on V8 the way DifferentialFuzzTest runs them on Chicory, printing the same
// lines: for each module "== <file>", then per exported function (in export order) the values it
// logged through fuzzing-support.log-*, then "call <name> -> <results>" or "call <name> trap",
// and last "memory <pages> <sha256>". Each module's calling plan (export names and types) is in
// the ".plan" file next to it, written by the Java side: V8 cannot tell a function's types.
//
// usage: node v8-runner.js module1.wasm [module2.wasm ...]

const fs = require('fs');
const crypto = require('crypto');

const I32_ARGS = [0, 1, -1, 42, 2147483647, -2147483648];
const I64_ARGS = [0n, 1n, -1n, 42n, 9223372036854775807n, -9223372036854775808n];
const F32_ARGS = [0, 1.5, -0, 3.25, -2.5, 65536];
const F64_ARGS = [0, 1.5, -0, 3.25, -2.5, 1e100];

function arg(type, k) {
  switch (type) {
    case 'i32': return I32_ARGS[k % 6];
    case 'i64': return I64_ARGS[k % 6];
    case 'f32': return F32_ARGS[k % 6];
    case 'f64': return F64_ARGS[k % 6];
    default: throw new Error('unsupported parameter type ' + type);
  }
}

function show(type, v) {
  const view = new DataView(new ArrayBuffer(8));
  switch (type) {
    case 'i32': return String(v | 0);
    case 'i64': return BigInt.asIntN(64, BigInt(v)).toString();
    case 'f32':
      if (Number.isNaN(v)) return 'nan';
      view.setFloat32(0, v);
      return 'f32:' + view.getUint32(0).toString(16).padStart(8, '0');
    case 'f64':
      if (Number.isNaN(v)) return 'nan';
      view.setFloat64(0, v);
      return 'f64:' + view.getBigUint64(0).toString(16).padStart(16, '0');
    default: throw new Error('unsupported result type ' + type);
  }
}

function run(file) {
  const out = [];
  const plan = fs.readFileSync(file.replace(/\.wasm$/, '.plan'), 'utf8')
    .split('\n').filter((l) => l.length > 0).map((l) => {
      const [name, params, results] = l.split('\t');
      const list = (s) => (s === '' || s === undefined ? [] : s.split(','));
      return { name, params: list(params), results: list(results) };
    });
  const log = (type) => (v) => { out.push('log ' + type + ' ' + show(type, v)); };
  const imports = {
    'fuzzing-support': {
      'log-i32': log('i32'), 'log-i64': log('i64'), 'log-f32': log('f32'), 'log-f64': log('f64'),
    },
  };
  let instance;
  try {
    instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)), imports);
  } catch (e) {
    out.push(e instanceof WebAssembly.RuntimeError ? 'instantiate trap' : 'instantiate error ' + e.message);
    return out;
  }
  const exports = instance.exports;
  plan.forEach((f, index) => {
    if (typeof exports.hangLimitInitializer === 'function') {
      exports.hangLimitInitializer();
    }
    const args = f.params.map((t, k) => arg(t, k + index));
    try {
      let r = exports[f.name](...args);
      if (f.results.length === 1) r = [r];
      if (f.results.length === 0) r = [];
      out.push('call ' + f.name + ' -> ' + f.results.map((t, k) => show(t, r[k])).join(' '));
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
        out.push('call ' + f.name + ' trap');
      } else {
        out.push('call ' + f.name + ' error ' + e.message);
      }
    }
  });
  const memory = exports.memory;
  if (memory instanceof WebAssembly.Memory) {
    const bytes = Buffer.from(memory.buffer);
    out.push('memory ' + bytes.length / 65536 + ' ' + crypto.createHash('sha256').update(bytes).digest('hex'));
  } else {
    out.push('memory none');
  }
  return out;
}

for (const file of process.argv.slice(2)) {
  process.stdout.write('== ' + file + '\n');
  for (const line of run(file)) {
    process.stdout.write(line + '\n');
  }
}
