// Trailers on the proxy-wasm C++ SDK: logs each request and response trailer when they arrive, and
// in onLog how many of each the stream had (a stream may have none).
#include <string>

#include "proxy_wasm_intrinsics.h"

class Trailers : public Context {
public:
  explicit Trailers(uint32_t id, RootContext *root) : Context(id, root) {}

  FilterTrailersStatus onRequestTrailers(uint32_t) override {
    auto trailers = getRequestTrailerPairs();
    for (auto &p : trailers->pairs()) {
      LOG_INFO("request trailer " + std::string(p.first) + ": " + std::string(p.second));
    }
    return FilterTrailersStatus::Continue;
  }

  FilterTrailersStatus onResponseTrailers(uint32_t) override {
    auto trailers = getResponseTrailerPairs();
    for (auto &p : trailers->pairs()) {
      LOG_INFO("response trailer " + std::string(p.first) + ": " + std::string(p.second));
    }
    return FilterTrailersStatus::Continue;
  }

  void onLog() override {
    auto request = getRequestTrailerPairs();
    auto response = getResponseTrailerPairs();
    LOG_INFO("trailers: request " + std::to_string(request->pairs().size()) + ", response " +
             std::to_string(response->pairs().size()));
  }
};

static RegisterContextFactory register_trailers(CONTEXT_FACTORY(Trailers));
