// The seed's HttpHeaders plugin, on the AssemblyScript proxy-wasm SDK (ABI 0.2.0).
// Logs every request and response header at trace level; ":path" == "/hello" gets a local
// 200 "Hello, World!\n" with headers Hello: World and Powered-By: proxy-wasm.
// Root id: "http_headers".
export * from "@solo-io/proxy-runtime/proxy";
import {
  RootContext,
  Context,
  registerRootContext,
  log,
  LogLevelValues,
  FilterHeadersStatusValues,
  GrpcStatusValues,
  HeaderPair,
  Headers,
  send_local_response,
  stream_context,
} from "@solo-io/proxy-runtime";

class HttpHeadersRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new HttpHeaders(context_id, this);
  }
}

class HttpHeaders extends Context {
  constructor(context_id: u32, root_context: HttpHeadersRoot) {
    super(context_id, root_context);
  }

  logHeaders(headers: Headers, arrow: string): void {
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i];
      log(
        LogLevelValues.trace,
        "#" + this.context_id.toString() + arrow + String.UTF8.decode(h.key) + ": " +
          String.UTF8.decode(h.value));
    }
  }

  onRequestHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    this.logHeaders(stream_context.headers.request.get_headers(), " -> ");
    if (stream_context.headers.request.get(":path") == "/hello") {
      const headers: Headers = [];
      headers.push(new HeaderPair(String.UTF8.encode("Hello"), String.UTF8.encode("World")));
      headers.push(
        new HeaderPair(String.UTF8.encode("Powered-By"), String.UTF8.encode("proxy-wasm")));
      send_local_response(
        200, "", String.UTF8.encode("Hello, World!\n"), headers, GrpcStatusValues.InvalidCode);
      return FilterHeadersStatusValues.StopIteration;
    }
    return FilterHeadersStatusValues.Continue;
  }

  onResponseHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    this.logHeaders(stream_context.headers.response.get_headers(), " <- ");
    return FilterHeadersStatusValues.Continue;
  }

  onLog(): void {
    log(LogLevelValues.trace, "#" + this.context_id.toString() + " completed.");
  }
}

registerRootContext((context_id: u32) => {
  return new HttpHeadersRoot(context_id);
}, "http_headers");
