//! Trailers on the proxy-wasm Rust SDK: logs each request and response trailer when they arrive,
//! and in `on_log` how many of each the stream had (a stream may have none: the lists are empty).
use log::info;
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Trace);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(TrailersRoot) });
}}

struct TrailersRoot;

impl Context for TrailersRoot {}

impl RootContext for TrailersRoot {
    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }

    fn create_http_context(&self, _: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(Trailers))
    }
}

struct Trailers;

impl Context for Trailers {}

impl HttpContext for Trailers {
    fn on_http_request_trailers(&mut self, _: usize) -> Action {
        for (name, value) in &self.get_http_request_trailers() {
            info!("request trailer {}: {}", name, value);
        }
        Action::Continue
    }

    fn on_http_response_trailers(&mut self, _: usize) -> Action {
        for (name, value) in &self.get_http_response_trailers() {
            info!("response trailer {}: {}", name, value);
        }
        Action::Continue
    }

    fn on_log(&mut self) {
        info!(
            "trailers: request {}, response {}",
            self.get_http_request_trailers().len(),
            self.get_http_response_trailers().len()
        );
    }
}
