//! gRPC callouts through the SDK: a request to `/call/<Method>` makes a unary call to
//! `test.Echo/<Method>` on cluster `grpc` with the path as its message; one to `/stream/<Method>`
//! opens a stream, sends the path as one message with end of stream, and writes down every stream
//! event. Either way the plugin answers the request itself with what it heard. The SDK panics
//! ("invalid token_id") on a metadata callback for a unary call's token and on a second outcome
//! for it (a close after the answer's message), so the host must deliver a unary call as Envoy
//! does: its message alone, or its failure's close.
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};
use std::time::Duration;

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Trace);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(GrpcRoot) });
}}

struct GrpcRoot;

impl Context for GrpcRoot {}

impl RootContext for GrpcRoot {
    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }

    fn create_http_context(&self, _: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(GrpcCallouts { seen: Vec::new() }))
    }
}

struct GrpcCallouts {
    seen: Vec<String>,
}

impl GrpcCallouts {
    fn answer(&self) {
        self.send_http_response(200, vec![], Some(self.seen.join(" | ").as_bytes()));
    }
}

fn text(bytes: Option<Vec<u8>>) -> String {
    String::from_utf8_lossy(&bytes.unwrap_or_default()).into_owned()
}

impl Context for GrpcCallouts {
    fn on_grpc_call_response(&mut self, _: u32, status_code: u32, response_size: usize) {
        let message = text(self.get_grpc_call_response_body(0, response_size));
        let (_, words) = self.get_grpc_status();
        self.seen.push(format!(
            "call {} {}{}",
            status_code,
            message,
            words.unwrap_or_default()
        ));
        self.answer();
    }

    fn on_grpc_stream_initial_metadata(&mut self, _: u32, _: u32) {
        let server = text(self.get_grpc_stream_initial_metadata_value("x-server"));
        self.seen.push(format!("init {}", server));
    }

    fn on_grpc_stream_message(&mut self, _: u32, message_size: usize) {
        let message = text(self.get_grpc_stream_message(0, message_size));
        self.seen.push(format!("msg {}", message));
    }

    fn on_grpc_stream_trailing_metadata(&mut self, _: u32, _: u32) {
        let status = text(self.get_grpc_stream_trailing_metadata_value("grpc-status"));
        self.seen.push(format!("trail {}", status));
    }

    fn on_grpc_stream_close(&mut self, _: u32, status_code: u32) {
        let (_, words) = self.get_grpc_status();
        self.seen
            .push(format!("close {} {}", status_code, words.unwrap_or_default()));
        self.answer();
    }
}

impl HttpContext for GrpcCallouts {
    fn on_http_request_headers(&mut self, _: usize, _: bool) -> Action {
        let path = self.get_http_request_header(":path").unwrap_or_default();
        let mut parts = path.trim_start_matches('/').splitn(2, '/');
        let kind = parts.next().unwrap_or_default().to_string();
        let method = parts.next().unwrap_or_default().to_string();
        let opened = if kind == "stream" {
            self.open_grpc_stream("grpc", "test.Echo", &method, vec![])
                .map(|token| {
                    self.send_grpc_stream_message(token, Some(path.as_bytes()), true);
                    token
                })
        } else {
            self.dispatch_grpc_call(
                "grpc",
                "test.Echo",
                &method,
                vec![],
                Some(path.as_bytes()),
                Duration::from_secs(5),
            )
        };
        match opened {
            Ok(_) => Action::Pause,
            Err(status) => {
                self.send_http_response(500, vec![], Some(format!("refused {:?}", status).as_bytes()));
                Action::Pause
            }
        }
    }
}
