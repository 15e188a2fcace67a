package io.proxywasm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** A JDK HTTP/1.1 client for the tests, and where the committed plugins are. */
final class Http {
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private Http() {}

  static Path plugin(String name) {
    String dir = System.getProperty("proxywasm.plugins.dir", "../plugins");
    return Path.of(dir, "wasm", name);
  }

  static Path repo(String relative) {
    String dir = System.getProperty("proxywasm.plugins.dir", "../plugins");
    return Path.of(dir).getParent().resolve(relative);
  }

  /** A request to a gateway's port on loopback, with a timeout of 20 seconds. */
  static HttpRequest.Builder request(int port, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20));
  }

  /** Sends a request with {@link #CLIENT}, the answer's body as text. */
  static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return send(CLIENT, request);
  }

  /** Sends a request with a client of the test's choosing, the answer's body as text. */
  static HttpResponse<String> send(HttpClient client, HttpRequest.Builder request)
      throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(int port, String path) throws Exception {
    return send(request(port, path));
  }

  /** The body of a GET that must be answered with 200. */
  static String okBody(int port, String path) throws Exception {
    HttpResponse<String> r = get(port, path);
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  static HttpResponse<String> post(int port, String path, String body) throws Exception {
    return send(request(port, path).POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** A GET with one more request header. */
  static HttpResponse<String> get(int port, String path, String header, String value)
      throws Exception {
    return send(request(port, path).header(header, value));
  }
}
