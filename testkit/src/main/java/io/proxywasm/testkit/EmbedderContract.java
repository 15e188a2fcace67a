package io.proxywasm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.proxywasm.host.FailPolicy;
import io.proxywasm.host.HttpCallResponse;
import io.proxywasm.host.Plugin;
import io.proxywasm.host.PluginConfig;
import io.proxywasm.host.ProxyWasmHost;
import io.proxywasm.spi.Header;
import io.proxywasm.spi.WasmResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract a gateway's integration of this host must meet. Extend it in your gateway's tests
 * and implement {@link #gateway}: given a host and a loaded plugin, build your request pipeline
 * around them. Each test sends a request through your gateway to an upstream the contract provides
 * and checks that your adapter applied the plugin's decision: header and body rewrites in both
 * directions, a local reply (the upstream is not called), a request paused until an HTTP callout
 * answers on another thread and then resumed, and fail-closed (503) and fail-open (pass through)
 * after the plugin fails.
 *
 * <p>The plugin is a Java plugin shipped in the test kit, run on the Null VM with the host's real
 * scheduler; your adapter sees the same decisions a wasm plugin would make.
 */
public abstract class EmbedderContract {
  /** A request the client sends. */
  public record ClientRequest(String method, String path, List<Header> headers, byte[] body) {
    /**
     * Copies the parts.
     *
     * @param method the method
     * @param path the path
     * @param headers the headers besides the pseudo-headers
     * @param body the body, empty for none
     */
    public ClientRequest {
      headers = List.copyOf(headers);
      body = body.clone();
    }

    /**
     * Returns a copy of the body.
     *
     * @return the bytes
     */
    @Override
    public byte[] body() {
      return body.clone();
    }
  }

  /** What the client receives. */
  public record ClientResponse(int status, List<Header> headers, byte[] body) {
    /**
     * Copies the parts.
     *
     * @param status the status
     * @param headers the headers, without {@code :status}
     * @param body the body
     */
    public ClientResponse {
      headers = List.copyOf(headers);
      body = body.clone();
    }

    /**
     * Returns a copy of the body.
     *
     * @return the bytes
     */
    @Override
    public byte[] body() {
      return body.clone();
    }

    /**
     * Returns the first value of a header.
     *
     * @param name the name, lower case
     * @return the value
     */
    public Optional<String> header(String name) {
      return headers.stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(Map.Entry::getValue)
          .findFirst();
    }
  }

  /** What reaches the upstream. */
  public record UpstreamRequest(List<Header> headers, byte[] body) {
    /**
     * Copies the parts.
     *
     * @param headers the headers, pseudo-headers included
     * @param body the body
     */
    public UpstreamRequest {
      headers = List.copyOf(headers);
      body = body.clone();
    }

    /**
     * Returns a copy of the body.
     *
     * @return the bytes
     */
    @Override
    public byte[] body() {
      return body.clone();
    }

    /**
     * Returns the first value of a header.
     *
     * @param name the name, lower case
     * @return the value
     */
    public Optional<String> header(String name) {
      return headers.stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(Map.Entry::getValue)
          .findFirst();
    }
  }

  /** What the upstream answers. */
  public record UpstreamResponse(int status, List<Header> headers, byte[] body) {
    /**
     * Copies the parts.
     *
     * @param status the status
     * @param headers the headers, without {@code :status}
     * @param body the body
     */
    public UpstreamResponse {
      headers = List.copyOf(headers);
      body = body.clone();
    }

    /**
     * Returns a copy of the body.
     *
     * @return the bytes
     */
    @Override
    public byte[] body() {
      return body.clone();
    }
  }

  /** The upstream a gateway forwards to. */
  @FunctionalInterface
  public interface Upstream {
    /**
     * Answers one request.
     *
     * @param request what reached the upstream
     * @return the answer
     */
    UpstreamResponse handle(UpstreamRequest request);
  }

  /** The embedder's gateway around one plugin. */
  public interface Gateway extends AutoCloseable {
    /**
     * Sends a client request through the gateway and waits for the whole response.
     *
     * @param request the client's request
     * @param upstream where the gateway forwards requests the plugin lets through
     * @return what the client received
     * @throws Exception if the gateway fails
     */
    ClientResponse send(ClientRequest request, Upstream upstream) throws Exception;

    /** Releases the gateway's resources; the contract closes the plugin and the host. */
    @Override
    default void close() {}
  }

  /** Creates the contract; subclasses are JUnit test classes. */
  protected EmbedderContract() {}

  /**
   * Builds the gateway under test around a host and a plugin loaded in it.
   *
   * @param host the host
   * @param plugin the plugin, loaded
   * @return the gateway
   * @throws Exception if it cannot be built
   */
  protected abstract Gateway gateway(ProxyWasmHost host, Plugin plugin) throws Exception;

  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
  private final List<UpstreamRequest> reached = new CopyOnWriteArrayList<>();

  private final Upstream echo =
      request -> {
        reached.add(request);
        return new UpstreamResponse(
            200,
            List.of(Header.of("content-type", "text/plain")),
            request.body().length == 0
                ? "upstream".getBytes(StandardCharsets.UTF_8)
                : request.body());
      };

  private Gateway start(FailPolicy policy) throws Exception {
    ProxyWasmHost host =
        ProxyWasmHost.builder()
            .offer(ContractPlugin.NAME, new ContractPlugin())
            .httpCalls(
                (request, callback) -> {
                  if (!request.upstream().equals(ContractPlugin.AUTH_UPSTREAM)) {
                    return WasmResult.BAD_ARGUMENT;
                  }
                  // answer later, from another thread, as a real upstream would
                  CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)
                      .execute(
                          () ->
                              callback.onResponse(
                                  new HttpCallResponse(
                                      List.of(Header.of(":status", "200")),
                                      "granted".getBytes(StandardCharsets.UTF_8),
                                      List.of())));
                  return WasmResult.OK;
                })
            .build();
    open.add(host);
    Plugin plugin =
        host.load(
            PluginConfig.builder("contract")
                .javaPlugin(ContractPlugin.NAME)
                .failPolicy(policy)
                .build());
    open.add(0, plugin);
    Gateway gateway = gateway(host, plugin);
    open.add(0, gateway);
    return gateway;
  }

  /**
   * Closes what a test opened.
   *
   * @throws Exception if closing fails
   */
  @AfterEach
  public void closeEverything() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    open.clear();
  }

  private static ClientRequest get(String path, List<Header> headers) {
    return new ClientRequest("GET", path, headers, new byte[0]);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * Header changes reach the upstream and the client.
   *
   * @throws Exception if the gateway fails
   */
  @Test
  public void appliesHeaderRewritesInBothDirections() throws Exception {
    Gateway gateway = start(FailPolicy.FAIL_CLOSED);
    ClientResponse r =
        gateway.send(
            get("/headers", List.of(Header.of("x-remove-me", "1"), Header.of("x-keep", "2"))),
            echo);
    assertEquals(200, r.status());
    assertEquals(1, reached.size(), "the request reaches the upstream once");
    UpstreamRequest up = reached.get(0);
    assertEquals(Optional.of("added"), up.header("x-wasm-request"), "request header added");
    assertEquals(Optional.empty(), up.header("x-remove-me"), "request header removed");
    assertEquals(Optional.of("2"), up.header("x-keep"), "other request headers kept");
    assertEquals(Optional.of("added"), r.header("x-wasm-response"), "response header added");
  }

  /**
   * Body changes reach the upstream and the client.
   *
   * @throws Exception if the gateway fails
   */
  @Test
  public void appliesBodyRewritesInBothDirections() throws Exception {
    Gateway gateway = start(FailPolicy.FAIL_CLOSED);
    ClientResponse r =
        gateway.send(
            new ClientRequest("POST", "/body", List.of(), "ping".getBytes(StandardCharsets.UTF_8)),
            echo);
    assertEquals(1, reached.size());
    assertEquals("PING", text(reached.get(0).body()), "the upstream gets the rewritten body");
    assertEquals("PING (filtered)", text(r.body()), "the client gets the rewritten response");
  }

  /**
   * A local reply goes to the client and the upstream is not called.
   *
   * @throws Exception if the gateway fails
   */
  @Test
  public void appliesALocalReplyWithoutCallingTheUpstream() throws Exception {
    Gateway gateway = start(FailPolicy.FAIL_CLOSED);
    ClientResponse r = gateway.send(get("/deny", List.of()), echo);
    assertEquals(403, r.status(), "local reply status");
    assertEquals("denied", text(r.body()), "local reply body");
    assertEquals(Optional.of("yes"), r.header("x-denied"), "local reply header");
    assertTrue(reached.isEmpty(), "the upstream must not be called after a local reply");
  }

  /**
   * A paused request waits for the plugin to resume it, with the plugin's changes.
   *
   * @throws Exception if the gateway fails
   */
  @Test
  public void holdsAPausedRequestUntilThePluginResumesIt() throws Exception {
    Gateway gateway = start(FailPolicy.FAIL_CLOSED);
    ClientResponse r = gateway.send(get("/pause", List.of()), echo);
    assertEquals(200, r.status());
    assertEquals(1, reached.size(), "the resumed request reaches the upstream once");
    assertEquals(
        Optional.of("granted"),
        reached.get(0).header("x-auth"),
        "the upstream sees the header set while the request was paused");
  }

  /**
   * A failed plugin answers 503 when it fails closed, and the next request is served again.
   *
   * @throws Exception if the gateway fails
   */
  @Test
  public void failsClosedWith503() throws Exception {
    Gateway gateway = start(FailPolicy.FAIL_CLOSED);
    ClientResponse r = gateway.send(get("/trap", List.of()), echo);
    assertEquals(503, r.status(), "fail closed answers 503");
    assertTrue(reached.isEmpty(), "a fail-closed request must not reach the upstream");
    assertEquals(200, gateway.send(get("/other", List.of()), echo).status(), "next request");
  }

  /**
   * A failed plugin lets the request through when it fails open.
   *
   * @throws Exception if the gateway fails
   */
  @Test
  public void failsOpenByPassingTheRequestThrough() throws Exception {
    Gateway gateway = start(FailPolicy.FAIL_OPEN);
    ClientResponse r = gateway.send(get("/trap", List.of()), echo);
    assertEquals(200, r.status(), "fail open passes the request through");
    assertEquals(1, reached.size(), "the upstream is called");
  }
}
