package io.proxywasm.examples.quarkus;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Requests through the running application: the plugin answers one, the application the other. */
@QuarkusTest
class ProxyWasmRoutesTest {
  @Test
  void eachRequestGoesThroughThePlugin() {
    given()
        .get("/hello")
        .then()
        .statusCode(200)
        .header("Hello", "World")
        .body(equalTo("Hello, World!\n"));

    given()
        .header("x-plugin", "passed")
        .get("/orders/7")
        .then()
        .statusCode(200)
        .header("x-seen-by-app", "passed")
        .body(equalTo("from the application: /orders/7\n"));
  }
}
