// Properties on the proxy-wasm C++ SDK. On request headers: sets the property "sdk_test" to the
// request's "x-value" header (or "unset"), reads it back, reads request.path and plugin_root_id,
// and logs the three values and the status of the set. The SDK sends each path segment followed
// by a NUL ("request\0path\0"). The SDK picks the factories by root_id: this plugin's is
// "properties".
#include <string>

#include "proxy_wasm_intrinsics.h"

static std::string text(std::optional<WasmDataPtr> value) {
  return value ? value.value()->toString() : std::string("(not found)");
}

class PropertiesRoot : public RootContext {
public:
  explicit PropertiesRoot(uint32_t id, std::string_view root_id) : RootContext(id, root_id) {}

  bool onConfigure(size_t) override {
    LOG_INFO("root plugin_root_id = " + text(getProperty({"plugin_root_id"})));
    return true;
  }
};

class Properties : public Context {
public:
  explicit Properties(uint32_t id, RootContext *root) : Context(id, root) {}

  FilterHeadersStatus onRequestHeaders(uint32_t, bool) override {
    auto header = getRequestHeader("x-value");
    std::string value = header->size() > 0 ? header->toString() : std::string("unset");
    WasmResult set = setFilterState("sdk_test", value);
    LOG_INFO("set sdk_test: " + toString(set));
    LOG_INFO("sdk_test = " + text(getProperty({"sdk_test"})));
    LOG_INFO("request.path = " + text(getProperty({"request", "path"})));
    LOG_INFO("plugin_root_id = " + text(getProperty({"plugin_root_id"})));
    return FilterHeadersStatus::Continue;
  }
};

static RegisterContextFactory register_properties(CONTEXT_FACTORY(Properties),
                                                  ROOT_FACTORY(PropertiesRoot), "properties");
