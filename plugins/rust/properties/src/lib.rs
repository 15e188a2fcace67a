//! Properties on the proxy-wasm Rust SDK. On request headers: sets the single-segment property `sdk_test` to the request's
//! `x-value` header (or `unset`), reads it back, reads `request.path` and `plugin_root_id`, and logs
//! the three values. The SDK's `set_property` panics on any status other than Ok.
use log::info;
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Trace);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(PropertiesRoot) });
}}

struct PropertiesRoot;

impl Context for PropertiesRoot {}

impl RootContext for PropertiesRoot {
    fn on_configure(&mut self, _: usize) -> bool {
        info!("root plugin_root_id = {}", text(self.get_property(vec!["plugin_root_id"])));
        true
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }

    fn create_http_context(&self, _: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(Properties))
    }
}

fn text(value: Option<Vec<u8>>) -> String {
    match value {
        Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        None => "(not found)".to_string(),
    }
}

struct Properties;

impl Context for Properties {}

impl HttpContext for Properties {
    fn on_http_request_headers(&mut self, _: usize, _: bool) -> Action {
        let value = self
            .get_http_request_header("x-value")
            .unwrap_or_else(|| "unset".to_string());
        self.set_property(vec!["sdk_test"], Some(value.as_bytes()));
        info!("sdk_test = {}", text(self.get_property(vec!["sdk_test"])));
        info!("request.path = {}", text(self.get_property(vec!["request", "path"])));
        info!("plugin_root_id = {}", text(self.get_property(vec!["plugin_root_id"])));
        Action::Continue
    }
}
