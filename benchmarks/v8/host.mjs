// A small proxy-wasm host on node's V8, for comparing the JVM runtimes with V8 on the same .wasm.
// It implements the host calls the benchmark workload needs, answering as the JVM host does (see
// "Against V8" in docs/performance.md): logging (a line below the plugin's level, info, is
// range-checked and dropped; one at or above it is decoded and handed to a sink that drops it),
// header maps, buffers, properties, shared data, the WASI calls a module's startup makes and
// Emscripten's memory-growth notice. It runs, on one long-lived VM, per request: context create,
// request headers (6), response headers (2), log, done, delete.
//
// A Go program built for GOOS=js GOARCH=wasm (plugins/go-js; the code shape of the Go SDK) is no
// plugin: per iteration it gets a fresh instance of the compiled module and runs to its exit,
// through the runtime.* imports of Go's wasm_exec.js (as GoJsSplitTest and V8CompareGoBenchmark).
//
//   node benchmarks/v8/host.mjs <module.wasm> [root_id] [seconds]
// prints one line: "<module> <µs per request or run> <requests or runs>";
//   node benchmarks/v8/host.mjs --check <module.wasm>[=root_id]...
// prints what one request logs at info and above and its decision (a Go program: what one run
// printed), as V8CompareCheck prints it on the JVM side; compare.sh compares the two.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { randomFillSync } from "node:crypto";

const OK = 0, NOT_FOUND = 1, BAD_ARGUMENT = 2;
const REQUEST_HEADERS = 0, REQUEST_TRAILERS = 1, RESPONSE_HEADERS = 2, RESPONSE_TRAILERS = 3;
const PLUGIN_CONFIGURATION = 7, VM_CONFIGURATION = 6;
const INFO = 2;
const PLUGIN_NAME = "bench", VM_ID = "", CONFIGURATION = "{}";
// WASI errno values
const WASI_SUCCESS = 0, WASI_BADF = 8, WASI_INVAL = 28, WASI_NOSYS = 52, WASI_NOTSUP = 58;

const utf8 = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** A header: its name (for lookups) and its name and value as bytes, encoded once. */
function header(k, v) {
  return { k, kb: utf8.encode(k), vb: utf8.encode(v) };
}

export class Host {
  constructor(bytes, rootId) {
    this.rootId = rootId;
    this.pluginConfiguration = utf8.encode(CONFIGURATION);
    this.live = [null, null, null, null]; // the maps the current callback may read and change
    this.final = [null, null, null, null]; // the last map of each type, read during proxy_on_log
    this.logPhase = false;
    this.streamProperties = null; // the properties the plugin set on the current stream
    this.onStream = false;
    this.sharedData = new Map();
    this.queues = new Map();
    this.localResponses = 0;
    this.logged = []; // lines at info and above, kept only when asked (--check)
    this.keepLogs = false;
    this.dropped = 0; // lines below the level, counted only when asked (--check)
    const module = new WebAssembly.Module(bytes);
    const imports = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imp.kind !== "function") continue;
      (imports[imp.module] ??= {})[imp.name] = this.hostCall(imp.module, imp.name);
    }
    this.instance = new WebAssembly.Instance(module, imports);
    this.exports = this.instance.exports;
    this.malloc = this.exports.malloc ?? this.exports.proxy_on_memory_allocate;
  }

  /** A view of linear memory, made again when the memory grew (its buffer then changes). */
  view() {
    const buffer = this.exports.memory.buffer;
    if (this.viewed !== buffer) {
      this.viewed = buffer;
      this.dataView = new DataView(buffer);
      this.u8 = new Uint8Array(buffer);
    }
    return this.dataView;
  }

  bytes(ptr, len) {
    this.view();
    if (ptr + len > this.u8.length) throw new RangeError("out of bounds memory access");
    return this.u8.subarray(ptr, ptr + len);
  }

  /** Bytes as the JVM host reads header names, values and paths: one char per byte. */
  string(ptr, len) {
    return latin1.decode(this.bytes(ptr, len));
  }

  /** Copies bytes into a new allocation of the plugin and stores pointer and size. */
  give(data, retPtr, retSize) {
    const ptr = this.malloc(data.length);
    this.view();
    this.u8.set(data, ptr);
    const v = this.view();
    v.setUint32(retPtr, ptr, true);
    v.setUint32(retSize, data.length, true);
    return OK;
  }

  /** The map a plugin may read now: a callback's own, or the final ones in proxy_on_log. */
  readable(type) {
    if (type > RESPONSE_TRAILERS) return null;
    const m = this.live[type];
    if (m !== null || !this.logPhase || type === REQUEST_TRAILERS) return m;
    return this.final[type];
  }

  /** A property: the plugin's own, the stream's, then the request's attributes from its headers. */
  property(path) {
    if (path.length === 1) {
      if (path[0] === "plugin_name") return utf8.encode(PLUGIN_NAME);
      if (path[0] === "plugin_root_id") return utf8.encode(this.rootId);
      if (path[0] === "plugin_vm_id") return utf8.encode(VM_ID);
    }
    const key = path.join("\0");
    const set = this.streamProperties?.get(key);
    if (set !== undefined) return set;
    if (path.length === 2 && path[0] === "request" && this.final[REQUEST_HEADERS] !== null) {
      const name = { path: ":path", host: ":authority", scheme: ":scheme", method: ":method",
        id: "x-request-id", useragent: "user-agent", referer: "referer" }[path[1]];
      const h = name && this.final[REQUEST_HEADERS].find((e) => e.k === name);
      if (h) return h.vb;
    }
    return null;
  }

  /** Segments separated by NUL; a NUL at the very end starts no empty segment. */
  static splitPath(text) {
    const out = text.split("\0");
    if (out.length > 0 && out[out.length - 1] === "") out.pop();
    return out;
  }

  hostCall(module, name) {
    const unsupported = () => {
      throw new Error(`host call ${module}.${name} is not implemented by this host`);
    };
    if (module === "wasi_unstable" || module === "wasi_snapshot_preview1") return this.wasi(name);
    if (module === "go") return this.go(name);
    if (module !== "env") return unsupported;
    switch (name) {
      case "proxy_log":
        return (level, ptr, len) => {
          if (level < INFO) {
            // below the host's level a line is range-checked, not decoded, as the JVM host does
            if (ptr + len > this.exports.memory.buffer.byteLength) return BAD_ARGUMENT;
            if (this.keepLogs) this.dropped++;
            return OK;
          }
          const line = this.string(ptr, len);
          if (this.keepLogs) this.logged.push(line);
          return OK;
        };
      case "proxy_get_log_level":
        return (ret) => { this.view().setUint32(ret, INFO, true); return OK; };
      case "proxy_get_current_time_nanoseconds":
        return (ret) => {
          this.view().setBigUint64(ret, BigInt(Date.now()) * 1000000n, true);
          return OK;
        };
      case "proxy_set_tick_period_milliseconds":
      case "proxy_set_effective_context":
      case "proxy_done":
      case "emscripten_notify_memory_growth":
        return () => OK;
      case "proxy_get_property":
        return (pathPtr, pathLen, retPtr, retSize) => {
          const value = this.property(Host.splitPath(this.string(pathPtr, pathLen)));
          return value === null ? NOT_FOUND : this.give(value, retPtr, retSize);
        };
      case "proxy_set_property":
        return (pathPtr, pathLen, valuePtr, valueLen) => {
          if (!this.onStream) return NOT_FOUND; // a root context has no stream to keep it on
          const key = Host.splitPath(this.string(pathPtr, pathLen)).join("\0");
          (this.streamProperties ??= new Map()).set(key, this.bytes(valuePtr, valueLen).slice());
          return OK;
        };
      case "proxy_get_buffer_bytes":
        return (type, start, max, retPtr, retSize) => {
          let data;
          if (type === PLUGIN_CONFIGURATION) data = this.pluginConfiguration;
          else if (type === VM_CONFIGURATION) data = new Uint8Array(0);
          else return NOT_FOUND;
          return this.give(data.subarray(start, start + max), retPtr, retSize);
        };
      case "proxy_get_header_map_pairs":
        return (type, retPtr, retSize) => {
          const m = this.readable(type) ?? []; // a map that is not there reads as empty
          if (m.length === 0) {
            const v = this.view();
            v.setUint32(retPtr, 0, true);
            v.setUint32(retSize, 0, true);
            return OK;
          }
          let size = 4 + 8 * m.length;
          for (const h of m) size += h.kb.length + h.vb.length + 2;
          const ptr = this.malloc(size);
          const dv = this.view();
          const u8 = this.u8;
          dv.setUint32(ptr, m.length, true);
          let p = ptr + 4 + 8 * m.length;
          for (let i = 0; i < m.length; i++) {
            const { kb, vb } = m[i];
            dv.setUint32(ptr + 4 + 8 * i, kb.length, true);
            dv.setUint32(ptr + 8 + 8 * i, vb.length, true);
            u8.set(kb, p); p += kb.length; u8[p++] = 0;
            u8.set(vb, p); p += vb.length; u8[p++] = 0;
          }
          dv.setUint32(retPtr, ptr, true);
          dv.setUint32(retSize, size, true);
          return OK;
        };
      case "proxy_get_header_map_value":
        return (type, keyPtr, keyLen, retPtr, retSize) => {
          const m = this.readable(type);
          if (m === null) return this.logPhase ? NOT_FOUND : BAD_ARGUMENT;
          const key = this.string(keyPtr, keyLen);
          const found = m.find((h) => h.k === key);
          if (found === undefined) return NOT_FOUND;
          return this.give(found.vb, retPtr, retSize);
        };
      case "proxy_add_header_map_value":
        return (type, keyPtr, keyLen, valuePtr, valueLen) => {
          const m = type <= RESPONSE_TRAILERS ? this.live[type] : null;
          if (m === null) return BAD_ARGUMENT;
          m.push(header(this.string(keyPtr, keyLen), this.string(valuePtr, valueLen)));
          return OK;
        };
      case "proxy_replace_header_map_value":
        return (type, keyPtr, keyLen, valuePtr, valueLen) => {
          const m = type <= RESPONSE_TRAILERS ? this.live[type] : null;
          if (m === null) return BAD_ARGUMENT;
          const h = header(this.string(keyPtr, keyLen), this.string(valuePtr, valueLen));
          const at = m.findIndex((e) => e.k === h.k);
          if (at < 0) m.push(h);
          else m[at] = h;
          return OK;
        };
      case "proxy_remove_header_map_value":
        return (type, keyPtr, keyLen) => {
          const m = type <= RESPONSE_TRAILERS ? this.live[type] : null;
          if (m === null) return BAD_ARGUMENT;
          const key = this.string(keyPtr, keyLen);
          for (let i = m.length - 1; i >= 0; i--) if (m[i].k === key) m.splice(i, 1);
          return OK;
        };
      case "proxy_send_local_response":
        return () => { this.localResponses++; return OK; };
      case "proxy_get_shared_data":
        return (keyPtr, keyLen, retPtr, retSize, casPtr) => {
          const e = this.sharedData.get(this.string(keyPtr, keyLen));
          if (e === undefined) return NOT_FOUND;
          this.give(e.value, retPtr, retSize);
          this.view().setUint32(casPtr, e.cas, true);
          return OK;
        };
      case "proxy_set_shared_data":
        return (keyPtr, keyLen, valuePtr, valueLen, cas) => {
          const key = this.string(keyPtr, keyLen);
          const e = this.sharedData.get(key);
          if (cas !== 0 && e !== undefined && e.cas !== cas) return 8; // CasMismatch
          this.sharedData.set(key, { value: this.bytes(valuePtr, valueLen).slice(), cas: (e?.cas ?? 0) + 1 });
          return OK;
        };
      default:
        return unsupported;
    }
  }

  /** The WASI calls a module's startup makes, answered as the JVM host's internal.wasi does. */
  wasi(name) {
    switch (name) {
      case "fd_write":
        return (fd, iovs, count, retWritten) => {
          if (fd !== 1 && fd !== 2) return WASI_BADF;
          const v = this.view();
          let total = 0;
          const parts = [];
          for (let i = 0; i < count; i++) {
            const buf = v.getUint32(iovs + 8 * i, true), len = v.getUint32(iovs + 8 * i + 4, true);
            parts.push(this.bytes(buf, len).slice());
            total += len;
          }
          if (total > 0) {
            let text = Buffer.concat(parts).toString("utf8");
            if (text.endsWith("\n")) text = text.slice(0, -1);
            if (this.keepLogs) this.logged.push(text); // logged at info (1) or error (2)
          }
          this.view().setUint32(retWritten, total, true);
          return WASI_SUCCESS;
        };
      case "clock_time_get":
        return (id, precision, ret) => {
          let now;
          if (id === 0) now = BigInt(Date.now()) * 1000000n;
          else if (id === 1) now = process.hrtime.bigint();
          else return WASI_NOTSUP;
          this.view().setBigUint64(ret, now, true);
          return WASI_SUCCESS;
        };
      case "clock_res_get":
        return (id, ret) => {
          if (id !== 0 && id !== 1) return WASI_NOTSUP;
          this.view().setBigUint64(ret, 1n, true);
          return WASI_SUCCESS;
        };
      case "random_get":
        return (ptr, len) => {
          if (len > 65536) return WASI_INVAL;
          if (len > 0) randomFillSync(this.bytes(ptr, len));
          return WASI_SUCCESS;
        };
      case "environ_sizes_get":
      case "args_sizes_get":
        return (countPtr, sizePtr) => { // no environment, no arguments
          const v = this.view();
          v.setUint32(countPtr, 0, true);
          v.setUint32(sizePtr, 0, true);
          return WASI_SUCCESS;
        };
      case "environ_get":
      case "args_get":
      case "sched_yield":
        return () => WASI_SUCCESS;
      case "poll_oneoff":
        return (inPtr, outPtr, n, retEvents) => {
          this.view().setUint32(retEvents, 0, true);
          return WASI_SUCCESS;
        };
      case "proc_exit":
        return (code) => { throw new Error(`the module called proc_exit(${code})`); };
      case "fd_read":
        return () => WASI_NOSYS;
      default:
        return () => { throw new Error(`WASI call ${name} is not implemented by this host`); };
    }
  }

  go(name) {
    return () => { throw new Error(`go.${name}: not a Go program's host`); };
  }

  start() {
    this.exports._initialize?.();
    this.exports._start?.();
    this.exports.proxy_on_context_create(1, 0);
    if (this.exports.proxy_on_vm_start && !this.exports.proxy_on_vm_start(1, 0)) {
      throw new Error("proxy_on_vm_start failed");
    }
    if (this.exports.proxy_on_configure &&
        !this.exports.proxy_on_configure(1, this.pluginConfiguration.length)) {
      throw new Error("proxy_on_configure failed");
    }
    this.next = 2;
  }

  /** One exchange; returns the request headers' decision (0, Continue, when not exported). */
  exchange(request, response) {
    const id = this.next++;
    const e = this.exports;
    this.onStream = true;
    this.streamProperties = null;
    e.proxy_on_context_create(id, 1);
    // the stream's own maps: a plugin may change them; each exchange starts from the same ones
    const req = this.requestMap ??= request.slice();
    this.live[REQUEST_HEADERS] = this.final[REQUEST_HEADERS] = req;
    const status = e.proxy_on_request_headers ? e.proxy_on_request_headers(id, req.length, 0) : 0;
    this.live[REQUEST_HEADERS] = null;
    const resp = this.responseMap ??= response.slice();
    this.live[RESPONSE_HEADERS] = this.final[RESPONSE_HEADERS] = resp;
    e.proxy_on_response_headers?.(id, resp.length, 1);
    this.live[RESPONSE_HEADERS] = null;
    this.logPhase = true;
    e.proxy_on_log?.(id);
    this.logPhase = false;
    e.proxy_on_done?.(id);
    e.proxy_on_delete?.(id);
    this.final[REQUEST_HEADERS] = this.final[RESPONSE_HEADERS] = null;
    // put a map back as it was when the plugin changed it (the SDK http-headers plugins add a
    // response header), as V8CompareBenchmark does
    if (req.length !== request.length) this.requestMap = null;
    if (resp.length !== response.length) this.responseMap = null;
    this.lastResponse = resp;
    this.onStream = false;
    this.streamProperties = null;
    return status;
  }
}

/**
 * A Go js/wasm program: per run a fresh instance of the compiled module, run(argc, argv) with the
 * argument "js" and no environment, to the program's exit. The runtime.* imports are those of Go's
 * wasm_exec.js a program that only prints needs, with GoJsSplitTest's deterministic clock and
 * random bytes (V8CompareGoBenchmark answers the same).
 */
export class GoProgram {
  constructor(bytes) {
    this.module = new WebAssembly.Module(bytes);
    this.decoder = new TextDecoder();
  }

  run() {
    let mem = null, dv = null, exitCode = -1, clock = 1000000000n;
    let output = "";
    const view = () => {
      if (dv === null || dv.buffer !== mem.buffer) dv = new DataView(mem.buffer);
      return dv;
    };
    const go = {
      debug: () => {},
      "runtime.resetMemoryDataView": () => { dv = null; },
      "runtime.wasmExit": (sp) => { exitCode = view().getInt32(sp + 8, true); },
      "runtime.wasmWrite": (sp) => {
        const v = view();
        const p = Number(v.getBigInt64(sp + 16, true)), n = v.getInt32(sp + 24, true);
        output += this.decoder.decode(new Uint8Array(mem.buffer, p, n));
      },
      "runtime.nanotime1": (sp) => { clock += 1000n; view().setBigInt64(sp + 8, clock, true); },
      "runtime.walltime": (sp) => {
        view().setBigInt64(sp + 8, 1700000000n, true);
        view().setInt32(sp + 16, 0, true);
      },
      "runtime.getRandomData": (sp) => {
        const v = view();
        const p = Number(v.getBigInt64(sp + 8, true)), n = Number(v.getBigInt64(sp + 16, true));
        const u8 = new Uint8Array(mem.buffer, p, n);
        for (let k = 0; k < n; k++) u8[k] = (k * 31 + 7) & 0xff; // the same on every run
      },
    };
    const imports = { go: {} };
    for (const imp of WebAssembly.Module.imports(this.module)) {
      const f = go[imp.name];
      imports.go[imp.name] = f ?? (() => { throw new Error(`go.${imp.name} is not provided`); });
    }
    const instance = new WebAssembly.Instance(this.module, imports);
    mem = instance.exports.mem;
    const v = view();
    const argument = 4096; // where wasm_exec.js puts arguments: "js\0", then argv and envp
    new Uint8Array(mem.buffer).set([0x6a, 0x73, 0], argument);
    const argv = argument + 8;
    v.setBigInt64(argv, BigInt(argument), true);
    v.setBigInt64(argv + 8, 0n, true); // end of argv
    v.setBigInt64(argv + 16, 0n, true); // end of envp
    instance.exports.run(1, argv);
    if (exitCode !== 0) throw new Error(`the program ended with ${exitCode}: ${output}`);
    return output;
  }
}

// The workload's headers; the JVM side (V8CompareBenchmark) sends the same ones.
export const REQUEST = [
  header(":method", "GET"),
  header(":path", "/api/items?page=2"),
  header(":authority", "example.com"),
  header(":scheme", "https"),
  header("user-agent", "bench/1.0"),
  header("x-request-id", "4bf92f3577b34da6a3ce929d0e0e4736"),
];
export const RESPONSE = [header(":status", "200"), header("content-type", "text/plain")];

/** Times batches of a step until the time is up; returns µs per step and the number of steps. */
function measure(step, batch, ms) {
  const end = performance.now() + ms;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < batch; i++) step();
    n += batch;
  }
  return [(performance.now() - t0) * 1000 / n, n];
}

const STATUS = ["CONTINUE", "STOP_ITERATION"];

/**
 * What one exchange (a Go program: one run) does that the JVM side's V8CompareCheck also prints:
 * the lines logged at info and above and the request decision; a Go program's output.
 */
function check(file, rootId) {
  const bytes = readFileSync(file);
  let out = `== ${basename(file)}\n`;
  if (isGo(bytes)) return out + new GoProgram(bytes).run() + "\n";
  const host = new Host(bytes, rootId);
  host.start();
  host.keepLogs = true;
  const status = host.exchange(REQUEST, RESPONSE);
  const response = host.lastResponse; // the map as the plugin left it
  for (const line of host.logged) out += line + "\n";
  out += `lines dropped below info: ${host.dropped}\n`;
  out += `response headers after the exchange: ${response.map((h) => h.k).join(" ")}\n`;
  return out + `request headers: ${STATUS[status] ?? status}\n`;
}

function isGo(bytes) {
  return WebAssembly.Module.imports(new WebAssembly.Module(bytes)).some((i) => i.module === "go");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  if (args[0] === "--check") {
    // --check module.wasm[=root_id]...
    for (const a of args.slice(1)) {
      const at = a.indexOf("=");
      process.stdout.write(at < 0 ? check(a, "") : check(a.slice(0, at), a.slice(at + 1)));
    }
    process.exit(0);
  }
  const [file, rootId = "", seconds = "5"] = args;
  if (!file) {
    console.error("usage: node host.mjs <module.wasm> [root_id] [seconds]\n" +
      "       node host.mjs --check <module.wasm>[=root_id]...");
    process.exit(2);
  }
  const bytes = readFileSync(file);
  let step, batch;
  if (isGo(bytes)) {
    const program = new GoProgram(bytes);
    step = () => program.run();
    batch = 1;
  } else {
    const host = new Host(bytes, rootId);
    host.start();
    step = () => {
      if (host.exchange(REQUEST, RESPONSE) !== 0) throw new Error("the request was not continued");
    };
    batch = 1000;
  }
  measure(step, batch, Math.max(1000, Number(seconds) * 400)); // warm-up
  const [us, n] = measure(step, batch, Number(seconds) * 1000);
  console.log(`${basename(file)} ${us.toFixed(3)} ${n}`);
}
