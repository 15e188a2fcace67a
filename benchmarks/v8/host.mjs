// A small proxy-wasm host on node's V8, for comparing the JVM runtimes with V8 on the same .wasm.
// It implements the host calls the benchmark workload needs (logging, header maps, buffers,
// properties answered "not found" but for plugin_root_id) and runs, on one long-lived VM, per
// request: context create, request headers (6), response headers (2), log, done, delete.
//
//   node benchmarks/v8/host.mjs <plugin.wasm> [root_id] [seconds]
// prints one line: "<plugin> <µs per request> <requests>"
import { readFileSync } from "node:fs";
import { basename } from "node:path";

const OK = 0, NOT_FOUND = 1, BAD_ARGUMENT = 2;
const REQUEST_HEADERS = 0, RESPONSE_HEADERS = 2;
const PLUGIN_CONFIGURATION = 7, VM_CONFIGURATION = 6;

export class Host {
  constructor(bytes, rootId) {
    this.rootId = rootId;
    this.maps = new Map();
    this.encoder = new TextEncoder();
    this.decoder = new TextDecoder();
    this.localResponses = 0;
    const module = new WebAssembly.Module(bytes);
    const imports = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imp.kind !== "function") continue;
      const impl = this.hostCall(imp.module, imp.name);
      (imports[imp.module] ??= {})[imp.name] = impl;
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
    return this.u8.subarray(ptr, ptr + len);
  }

  string(ptr, len) {
    return this.decoder.decode(this.bytes(ptr, len));
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

  map(type) {
    const m = this.maps.get(type);
    return m === undefined ? null : m;
  }

  hostCall(module, name) {
    const unsupported = () => {
      throw new Error(`host call ${module}.${name} is not implemented by this host`);
    };
    if (module === "wasi_unstable" || module === "wasi_snapshot_preview1") {
      if (name === "proc_exit") return (code) => { throw new Error(`proc_exit(${code})`); };
      return unsupported;
    }
    if (module !== "env") return unsupported;
    switch (name) {
      case "proxy_log":
        // below the host's level (info) a trace line is range-checked, not decoded, as the JVM host
        return (level, ptr, len) => {
          if (ptr + len > this.exports.memory.buffer.byteLength) return BAD_ARGUMENT;
          return OK;
        };
      case "proxy_get_log_level":
        return (ret) => { this.view().setUint32(ret, 2, true); return OK; };
      case "proxy_get_current_time_nanoseconds":
        return (ret) => {
          this.view().setBigUint64(ret, process.hrtime.bigint(), true);
          return OK;
        };
      case "proxy_set_tick_period_milliseconds":
      case "proxy_set_effective_context":
      case "proxy_done":
        return () => OK;
      case "proxy_get_property":
        return (pathPtr, pathLen, retPtr, retSize) => {
          const path = this.string(pathPtr, pathLen);
          if (path === "plugin_root_id") return this.give(this.encoder.encode(this.rootId), retPtr, retSize);
          return NOT_FOUND;
        };
      case "proxy_get_buffer_bytes":
        return (type, start, max, retPtr, retSize) => {
          let data;
          if (type === PLUGIN_CONFIGURATION) data = this.encoder.encode("{}");
          else if (type === VM_CONFIGURATION) data = new Uint8Array(0);
          else return NOT_FOUND;
          return this.give(data.subarray(start, start + max), retPtr, retSize);
        };
      case "proxy_get_header_map_pairs":
        return (type, retPtr, retSize) => {
          const m = this.map(type);
          if (m === null) return BAD_ARGUMENT;
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
          const m = this.map(type);
          if (m === null) return BAD_ARGUMENT;
          const key = this.string(keyPtr, keyLen);
          const found = m.find((h) => h.k === key);
          if (found === undefined) return NOT_FOUND;
          return this.give(found.vb, retPtr, retSize);
        };
      case "proxy_add_header_map_value":
        return (type, keyPtr, keyLen, valuePtr, valueLen) => {
          const m = this.map(type);
          if (m === null) return BAD_ARGUMENT;
          m.push(header(this.string(keyPtr, keyLen), this.string(valuePtr, valueLen)));
          return OK;
        };
      case "proxy_replace_header_map_value":
        return (type, keyPtr, keyLen, valuePtr, valueLen) => {
          const m = this.map(type);
          if (m === null) return BAD_ARGUMENT;
          const h = header(this.string(keyPtr, keyLen), this.string(valuePtr, valueLen));
          const at = m.findIndex((e) => e.k === h.k);
          if (at < 0) m.push(h);
          else m[at] = h;
          return OK;
        };
      case "proxy_remove_header_map_value":
        return (type, keyPtr, keyLen) => {
          const m = this.map(type);
          if (m === null) return BAD_ARGUMENT;
          const key = this.string(keyPtr, keyLen);
          this.maps.set(type, m.filter((h) => h.k !== key));
          return OK;
        };
      case "proxy_send_local_response":
        return () => { this.localResponses++; return OK; };
      default:
        return unsupported;
    }
  }

  start() {
    this.exports._initialize?.();
    this.exports._start?.();
    this.exports.proxy_on_context_create(1, 0);
    if (!this.exports.proxy_on_vm_start(1, 0)) throw new Error("proxy_on_vm_start failed");
    if (!this.exports.proxy_on_configure(1, 2)) throw new Error("proxy_on_configure failed");
    this.next = 2;
  }

  /** One exchange; returns the request headers' decision. */
  exchange(request, response) {
    const id = this.next++;
    const e = this.exports;
    e.proxy_on_context_create(id, 1);
    this.maps.set(REQUEST_HEADERS, request.slice()); // the stream's own map: a plugin may change it
    const status = e.proxy_on_request_headers(id, request.length, 0);
    this.maps.set(RESPONSE_HEADERS, response.slice());
    e.proxy_on_response_headers(id, response.length, 1);
    e.proxy_on_log?.(id);
    e.proxy_on_done?.(id);
    e.proxy_on_delete?.(id);
    this.maps.delete(REQUEST_HEADERS);
    this.maps.delete(RESPONSE_HEADERS);
    return status;
  }
}

const utf8 = new TextEncoder();

/** A header: its name (for lookups) and its name and value as UTF-8, encoded once. */
function header(k, v) {
  return { k, kb: utf8.encode(k), vb: utf8.encode(v) };
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, rootId = "", seconds = "5"] = process.argv.slice(2);
  if (!file) {
    console.error("usage: node host.mjs <plugin.wasm> [root_id] [seconds]");
    process.exit(2);
  }
  const host = new Host(readFileSync(file), rootId);
  host.start();
  const run = (ms) => {
    const end = performance.now() + ms;
    let n = 0;
    let t0 = performance.now();
    while (performance.now() < end) {
      for (let i = 0; i < 1000; i++) {
        if (host.exchange(REQUEST, RESPONSE) !== 0) throw new Error("the request was not continued");
      }
      n += 1000;
    }
    return [(performance.now() - t0) * 1000 / n, n];
  };
  run(Math.max(1000, Number(seconds) * 400)); // warm-up
  const [us, n] = run(Number(seconds) * 1000);
  console.log(`${basename(file)} ${us.toFixed(3)} ${n}`);
}
