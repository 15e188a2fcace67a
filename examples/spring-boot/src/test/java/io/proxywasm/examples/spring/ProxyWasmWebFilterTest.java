package io.proxywasm.examples.spring;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.proxywasm.host.ProxyWasmHost;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Requests through a running application: the plugin answers one, the application the other. */
class ProxyWasmWebFilterTest {
  private static final Path PLUGIN =
      Path.of(System.getProperty("proxywasm.plugins.dir", "../../plugins"), "wasm")
          .resolve("c-http-headers.wasm");

  @Test
  void eachRequestGoesThroughThePluginAndTheHostClosesWithTheApplication() {
    ProxyWasmHost host;
    try (ConfigurableApplicationContext app =
        SpringApplication.run(
            ExampleApplication.class, "--server.port=0", "--proxywasm.plugin=" + PLUGIN)) {
      host = app.getBean(ProxyWasmHost.class);
      WebTestClient client =
          WebTestClient.bindToServer()
              .baseUrl("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"))
              .build();

      client
          .get()
          .uri("/hello")
          .exchange()
          .expectStatus()
          .isOk()
          .expectHeader()
          .valueEquals("Hello", "World")
          .expectBody(String.class)
          .isEqualTo("Hello, World!\n");

      client
          .get()
          .uri("/orders/7")
          .header("x-plugin", "passed")
          .exchange()
          .expectStatus()
          .isOk()
          .expectHeader()
          .valueEquals("x-seen-by-app", "passed")
          .expectBody(String.class)
          .isEqualTo("from the application: /orders/7\n");
    }
    // The application stopped: its host is closed, with every VM and worker.
    assertThrows(IllegalStateException.class, host::newWorker);
  }
}
