//! Shared queues on the proxy-wasm Rust SDK. The root registers the queue `paths` when configured;
//! each HTTP stream resolves it (vm_id from the plugin configuration, empty for this VM) and
//! enqueues its `:path`; the root dequeues every item when the queue is ready and logs it.
use log::{info, warn};
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Trace);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> {
        Box::new(QueuesRoot { vm_id: String::new() })
    });
}}

struct QueuesRoot {
    vm_id: String,
}

impl Context for QueuesRoot {}

impl RootContext for QueuesRoot {
    fn on_configure(&mut self, _: usize) -> bool {
        let config = self.get_plugin_configuration().unwrap_or_default();
        self.vm_id = String::from_utf8_lossy(&config).trim().to_string();
        let queue = self.register_shared_queue("paths");
        info!("registered queue paths as {}", queue);
        true
    }

    fn on_queue_ready(&mut self, queue_id: u32) {
        while let Ok(Some(item)) = self.dequeue_shared_queue(queue_id) {
            info!("dequeued {}", String::from_utf8_lossy(&item));
        }
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }

    fn create_http_context(&self, _: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(Reporter { vm_id: self.vm_id.clone() }))
    }
}

struct Reporter {
    vm_id: String,
}

impl Context for Reporter {}

impl HttpContext for Reporter {
    fn on_http_request_headers(&mut self, _: usize, _: bool) -> Action {
        let path = self.get_http_request_header(":path").unwrap_or_default();
        match self.resolve_shared_queue(&self.vm_id, "paths") {
            Some(queue) => {
                if let Err(status) = self.enqueue_shared_queue(queue, Some(path.as_bytes())) {
                    warn!("enqueue failed: {:?}", status);
                }
            }
            None => warn!("queue paths not found"),
        }
        Action::Continue
    }
}
