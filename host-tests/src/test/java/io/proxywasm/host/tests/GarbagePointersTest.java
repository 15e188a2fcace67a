package io.proxywasm.host.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.proxywasm.host.HeaderMap;
import io.proxywasm.host.HttpStream;
import io.proxywasm.host.HttpStreamListener;
import io.proxywasm.host.ManualScheduler;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.host.Worker;
import io.proxywasm.testkit.RecordingLogSink;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A plugin passes out-of-bounds pointers and bad enum values to host functions: each gets its exact
 * status code, nothing reaches the embedder as an exception, and the VM stays usable.
 */
class GarbagePointersTest {

  @Test
  void everyHostCallAnswersWithItsStatus() throws Exception {
    RecordingLogSink log = new RecordingLogSink();
    try (ProxyWasmHost host = TestSupport.host(log, new ManualScheduler()).build();
        Plugin plugin =
            host.load(
                PluginConfig.builder("prober")
                    .runtime(TestSupport.RUNTIME)
                    .code(TestSupport.wat("prober.wat"))
                    .vmConfiguration("some vm configuration")
                    .build())) {
      List<String> results = new ArrayList<>();
      for (String m : log.messages()) {
        if (m.startsWith(" ")) {
          String[] parts = m.trim().split(" ");
          results.add(parts[0] + "=" + parts[1]);
        }
      }
      // The canary start logs the table once; call N = status code.
      assertEquals(
          List.of(
              "1=6", // proxy_log, bad message pointer
              "2=2", // proxy_log, level 9
              "3=6", // proxy_log, range past the end of memory
              "4=6", // proxy_log, size 0xFFFFFFFF
              "5=6", // proxy_get_log_level
              "6=6", // proxy_get_status
              "7=6", // proxy_set_property
              "8=6", // proxy_get_property
              "9=2", // proxy_continue_stream, stream type 99
              "10=2", // proxy_close_stream, stream type 4
              "11=6", // proxy_send_local_response
              "12=6", // proxy_get_shared_data
              "13=6", // proxy_set_shared_data
              "14=6", // proxy_register_shared_queue
              "15=6", // proxy_resolve_shared_queue
              "16=1", // proxy_dequeue_shared_queue, unknown token
              "17=6", // proxy_enqueue_shared_queue, data read before the token
              "18=2", // proxy_get_header_map_value, map type 8
              "19=6", // proxy_get_header_map_value
              "20=6", // proxy_add_header_map_value
              "21=6", // proxy_replace_header_map_value
              "22=6", // proxy_remove_header_map_value
              "23=2", // proxy_get_header_map_pairs, map type 99
              "24=6", // proxy_set_header_map_pairs
              "25=2", // proxy_get_header_map_size, map type 8
              "26=6", // proxy_get_buffer_status, bad out pointers
              "27=2", // proxy_get_buffer_status, buffer type 9
              "28=6", // proxy_get_buffer_bytes, bad out pointers
              "29=6", // proxy_set_buffer_bytes
              "30=6", // proxy_http_call
              "31=6", // proxy_grpc_call
              "32=6", // proxy_grpc_stream
              "33=6", // proxy_grpc_send
              "34=6", // proxy_get_current_time_nanoseconds
              "35=6", // proxy_get_current_time_nanoseconds, 8 bytes over the end
              "36=2", // proxy_define_metric, type 3
              "37=6", // proxy_define_metric
              "38=2", // proxy_increment_metric, id of no type (999 & 3 = 3): BadArgument
              "39=1", // proxy_record_metric, unknown id
              "40=2", // proxy_get_metric, id of no type: BadArgument
              "41=2", // proxy_set_effective_context, unknown id
              "42=1", // proxy_done, not shutting down
              "43=6", // proxy_call_foreign_function
              "44=21", // WASI fd_write, bad iovec: EFAULT
              "45=0"), // proxy_set_tick_period_milliseconds(0)
          results.subList(0, 45));
      try (Worker worker = host.newWorker()) {
        HttpStream stream = worker.handle(plugin).newHttpStream(HttpStreamListener.IGNORE);
        stream.onRequestHeaders(new HeaderMap(), true);
        stream.close();
      }
    }
  }
}
