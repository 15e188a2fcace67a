// Shared queues on the proxy-wasm C++ SDK. The root registers the queue "paths" when configured;
// each HTTP stream resolves it (vm_id from the plugin configuration, empty for this VM) and
// enqueues its ":path"; the root dequeues every item when the queue is ready and logs it.
#include <string>

#include "proxy_wasm_intrinsics.h"

class QueuesRoot : public RootContext {
public:
  explicit QueuesRoot(uint32_t id, std::string_view root_id) : RootContext(id, root_id) {}

  bool onConfigure(size_t size) override {
    vm_id_ = getBufferBytes(WasmBufferType::PluginConfiguration, 0, size)->toString();
    uint32_t queue = 0;
    WasmResult result = registerSharedQueue("paths", &queue);
    LOG_INFO("registered queue paths: " + toString(result));
    return result == WasmResult::Ok;
  }

  void onQueueReady(uint32_t queue) override {
    WasmDataPtr item;
    while (dequeueSharedQueue(queue, &item) == WasmResult::Ok) {
      LOG_INFO("dequeued " + item->toString());
    }
  }

  const std::string &vmId() const { return vm_id_; }

private:
  std::string vm_id_;
};

class Reporter : public Context {
public:
  explicit Reporter(uint32_t id, RootContext *root) : Context(id, root) {}

  FilterHeadersStatus onRequestHeaders(uint32_t, bool) override {
    auto path = getRequestHeader(":path")->toString();
    uint32_t queue = 0;
    const std::string &vm_id = static_cast<QueuesRoot *>(root())->vmId();
    if (resolveSharedQueue(vm_id, "paths", &queue) != WasmResult::Ok) {
      LOG_WARN("queue paths not found");
    } else if (WasmResult r = enqueueSharedQueue(queue, path); r != WasmResult::Ok) {
      LOG_WARN("enqueue failed: " + toString(r));
    }
    return FilterHeadersStatus::Continue;
  }
};

static RegisterContextFactory register_queues(CONTEXT_FACTORY(Reporter), ROOT_FACTORY(QueuesRoot));
