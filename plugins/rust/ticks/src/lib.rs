//! A root-only plugin (no HTTP or TCP context): sets a tick period from its configuration (in
//! milliseconds, 1000 when empty or not a number) and logs each tick with its number.
use log::info;
use proxy_wasm::traits::{Context, RootContext};
use proxy_wasm::types::LogLevel;
use std::time::Duration;

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Trace);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(Ticks { count: 0 }) });
}}

struct Ticks {
    count: u64,
}

impl Context for Ticks {}

impl RootContext for Ticks {
    fn on_configure(&mut self, _: usize) -> bool {
        let config = self.get_plugin_configuration().unwrap_or_default();
        let millis = String::from_utf8_lossy(&config).trim().parse::<u64>().unwrap_or(1000);
        self.set_tick_period(Duration::from_millis(millis));
        info!("tick period {} ms", millis);
        true
    }

    fn on_tick(&mut self) {
        self.count += 1;
        info!("tick {}", self.count);
    }
}
