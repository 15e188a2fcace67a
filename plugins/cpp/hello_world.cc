// Hello world on the proxy-wasm C++ SDK: logs when the VM starts and when the plugin is configured,
// then logs on each tick (every 5 s).
#include <string>

#include "proxy_wasm_intrinsics.h"

class HelloWorldRoot : public RootContext {
public:
  explicit HelloWorldRoot(uint32_t id, std::string_view root_id) : RootContext(id, root_id) {}

  bool onStart(size_t) override {
    LOG_INFO("Hello, World!");
    proxy_set_tick_period_milliseconds(5000);
    return true;
  }

  bool onConfigure(size_t size) override {
    auto config = getBufferBytes(WasmBufferType::PluginConfiguration, 0, size);
    LOG_INFO("configured with " + config->toString());
    return true;
  }

  void onTick() override {
    uint64_t now = 0;
    proxy_get_current_time_nanoseconds(&now);
    LOG_INFO("It's " + std::to_string(now));
  }
};

static RegisterContextFactory register_hello_world(ROOT_FACTORY(HelloWorldRoot));
