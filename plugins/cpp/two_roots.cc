// Two root contexts in one VM, root_ids "first" and "second", each dispatching HTTP calls. The
// plugin configuration is a tick period in milliseconds (no ticks when empty or 0); on each tick a
// root sends "GET /<root_id>" to the cluster "upstream"; the answer, routed by the SDK to the root
// that made the call, logs the root_id and the status.
#include <string>

#include "proxy_wasm_intrinsics.h"

class Caller : public RootContext {
public:
  explicit Caller(uint32_t id, std::string_view root_id) : RootContext(id, root_id) {}

  bool onConfigure(size_t size) override {
    auto config = getBufferBytes(WasmBufferType::PluginConfiguration, 0, size)->toString();
    uint32_t millis = 0;
    for (char c : config) {
      if (c < '0' || c > '9') break;
      millis = millis * 10 + static_cast<uint32_t>(c - '0');
    }
    if (millis > 0) proxy_set_tick_period_milliseconds(millis);
    return true;
  }

  void onTick() override {
    std::string name(root_id());
    WasmResult result = httpCall(
        "upstream", {{":method", "GET"}, {":path", "/" + name}, {":authority", "upstream"}}, "",
        {}, 5000, [name](uint32_t headers, size_t, uint32_t) {
          auto status = getHeaderMapValue(WasmHeaderMapType::HttpCallResponseHeaders, ":status");
          LOG_INFO(name + " answer, headers " + std::to_string(headers) + ": " +
                   (status->size() > 0 ? status->toString() : std::string("none")));
        });
    if (result == WasmResult::Ok) {
      LOG_INFO(name + " dispatched");
    } else {
      LOG_WARN(name + " dispatch failed: " + toString(result));
    }
  }
};

static RegisterContextFactory register_first(ROOT_FACTORY(Caller), "first");
static RegisterContextFactory register_second(ROOT_FACTORY(Caller), "second");
