// A stream that does its real work at the end: it remembers the request's ":path" and, in onDone
// and onLog, logs what it saw. The SDK dereferences a null context if the host calls proxy_on_done
// or proxy_on_log for a context it never created, so a stream the proxy closes before any plugin
// callback must end without either call (as in Envoy).
#include <string>

#include "proxy_wasm_intrinsics.h"

class EarlyClose : public Context {
public:
  explicit EarlyClose(uint32_t id, RootContext *root) : Context(id, root) {}

  FilterHeadersStatus onRequestHeaders(uint32_t, bool) override {
    path_ = getRequestHeader(":path")->toString();
    return FilterHeadersStatus::Continue;
  }

  void onDone() override {
    LOG_INFO("#" + std::to_string(id()) + " done, path " + (path_.empty() ? "(none)" : path_));
  }

  void onLog() override {
    auto status = getResponseHeader(":status")->toString();
    LOG_INFO("#" + std::to_string(id()) + " log, path " + (path_.empty() ? "(none)" : path_) +
             ", status " + (status.empty() ? "(none)" : status));
  }

private:
  std::string path_;
};

static RegisterContextFactory register_early_close(CONTEXT_FACTORY(EarlyClose));
