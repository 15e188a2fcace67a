package io.proxywasm.examples.spring;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** A WebFlux application whose requests go through a proxy-wasm plugin first. */
@SpringBootApplication
public class ExampleApplication {
  /**
   * Starts the application.
   *
   * @param args Spring Boot's arguments, for example {@code --proxywasm.plugin=FILE}
   */
  public static void main(String[] args) {
    SpringApplication.run(ExampleApplication.class, args);
  }

  /**
   * What the application itself answers, for requests the plugin lets through.
   *
   * @return the routes
   */
  @Bean
  RouterFunction<ServerResponse> routes() {
    return route()
        .GET(
            "/**",
            request ->
                ServerResponse.ok()
                    .header("x-seen-by-app", request.headers().firstHeader("x-plugin") + "")
                    .bodyValue("from the application: " + request.path() + "\n"))
        .build();
  }
}
