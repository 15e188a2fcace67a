// HTTP headers on the proxy-wasm C++ SDK, like plugins/c/http_headers.c: logs every request and
// response header (trace), answers ":path" = "/hello" with a local 200, and adds the response
// header "x-proxy-wasm-sdk: cpp" to every upstream response.
#include <string>

#include "proxy_wasm_intrinsics.h"

class HttpHeaders : public Context {
public:
  explicit HttpHeaders(uint32_t id, RootContext *root) : Context(id, root) {}

  FilterHeadersStatus onRequestHeaders(uint32_t, bool) override {
    auto headers = getRequestHeaderPairs(); // owns the bytes the pairs point into
    for (auto &p : headers->pairs()) {
      LOG_TRACE("#" + std::to_string(id()) + " -> " + std::string(p.first) + ": " +
                std::string(p.second));
    }
    if (getRequestHeader(":path")->view() == "/hello") {
      sendLocalResponse(200, "", "Hello, World!\n",
                        {{"Hello", "World"}, {"Powered-By", "proxy-wasm"}});
      return FilterHeadersStatus::StopIteration;
    }
    return FilterHeadersStatus::Continue;
  }

  FilterHeadersStatus onResponseHeaders(uint32_t, bool) override {
    auto headers = getResponseHeaderPairs();
    for (auto &p : headers->pairs()) {
      LOG_TRACE("#" + std::to_string(id()) + " <- " + std::string(p.first) + ": " +
                std::string(p.second));
    }
    addResponseHeader("x-proxy-wasm-sdk", "cpp");
    return FilterHeadersStatus::Continue;
  }

  void onLog() override { LOG_TRACE("#" + std::to_string(id()) + " completed."); }
};

static RegisterContextFactory register_http_headers(CONTEXT_FACTORY(HttpHeaders));
