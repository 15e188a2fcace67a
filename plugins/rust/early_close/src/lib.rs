//! A stream that does its real work at the end: it remembers the request's `:path` and, in
//! `on_done` and `on_log`, logs what it saw. The SDK panics ("invalid context_id") if the host
//! calls `on_done` or `on_log` for a context it never created, so a stream the proxy closes before
//! any plugin callback must end without either call (as in Envoy).
use log::info;
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Trace);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(EarlyCloseRoot) });
}}

struct EarlyCloseRoot;

impl Context for EarlyCloseRoot {}

impl RootContext for EarlyCloseRoot {
    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }

    fn create_http_context(&self, context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(EarlyClose { context_id, path: None }))
    }
}

struct EarlyClose {
    context_id: u32,
    path: Option<String>,
}

impl Context for EarlyClose {
    fn on_done(&mut self) -> bool {
        info!(
            "#{} done, path {}",
            self.context_id,
            self.path.as_deref().unwrap_or("(none)")
        );
        true
    }
}

impl HttpContext for EarlyClose {
    fn on_http_request_headers(&mut self, _: usize, _: bool) -> Action {
        self.path = self.get_http_request_header(":path");
        Action::Continue
    }

    fn on_log(&mut self) {
        let status = self.get_http_response_header(":status");
        info!(
            "#{} log, path {}, status {}",
            self.context_id,
            self.path.as_deref().unwrap_or("(none)"),
            status.as_deref().unwrap_or("(none)")
        );
    }
}
