//! Two root contexts in one VM, each dispatching HTTP calls. Each root learns its root_id from the
//! `plugin_root_id` property when configured, and its tick period in milliseconds from its
//! configuration (none when empty or 0); on each tick it sends `GET /<root_id>` to the cluster
//! `upstream` and logs the token; the answer logs the root_id, token and status. The SDK
//! maps each token to the context that dispatched it and panics on a duplicate token.
use log::{info, warn};
use proxy_wasm::traits::{Context, RootContext};
use proxy_wasm::types::LogLevel;
use std::time::Duration;

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Trace);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> {
        Box::new(Caller { root_id: String::new() })
    });
}}

struct Caller {
    root_id: String,
}

impl Context for Caller {
    fn on_http_call_response(&mut self, token: u32, _: usize, _: usize, _: usize) {
        let status = self.get_http_call_response_header(":status");
        info!(
            "{} answer for token {}: {}",
            self.root_id,
            token,
            status.as_deref().unwrap_or("none")
        );
    }
}

impl RootContext for Caller {
    fn on_configure(&mut self, _: usize) -> bool {
        let root_id = self.get_property(vec!["plugin_root_id"]).unwrap_or_default();
        self.root_id = String::from_utf8_lossy(&root_id).into_owned();
        let config = self.get_plugin_configuration().unwrap_or_default();
        let millis = String::from_utf8_lossy(&config).trim().parse::<u64>().unwrap_or(0);
        if millis > 0 {
            self.set_tick_period(Duration::from_millis(millis));
        }
        true
    }

    fn on_tick(&mut self) {
        let path = format!("/{}", self.root_id);
        match self.dispatch_http_call(
            "upstream",
            vec![(":method", "GET"), (":path", &path), (":authority", "upstream")],
            None,
            vec![],
            Duration::from_secs(5),
        ) {
            Ok(token) => info!("{} dispatched token {}", self.root_id, token),
            Err(status) => warn!("{} dispatch failed: {:?}", self.root_id, status),
        }
    }
}
