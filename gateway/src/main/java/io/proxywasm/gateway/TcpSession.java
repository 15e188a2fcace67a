package io.proxywasm.gateway;

import io.proxywasm.gateway.config.GatewaySpec.Endpoint;
import io.proxywasm.host.BodyBuffer;
import io.proxywasm.host.PropertyResolver;
import io.proxywasm.host.TcpStream;
import io.proxywasm.host.TcpStreamListener;
import io.proxywasm.spi.FilterStatus;
import io.proxywasm.spi.PeerType;
import io.proxywasm.spi.StreamType;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One downstream TCP connection through a listener's network wasm filters and its TCP proxy, as
 * Envoy runs a filter chain of {@code envoy.filters.network.wasm} filters and {@code
 * envoy.filters.network.tcp_proxy}: every filter sees the new connection in order, downstream data
 * passes the filters in order to the upstream connection, upstream data passes them in reverse
 * order to the client, and each filter learns when either side closes. A filter that stops on data
 * holds it, and the next data is added to what it holds, until it continues or resumes. Runs on its
 * event loop.
 */
final class TcpSession implements PropertyResolver, PluginCalls.Resumer {
  private final Loop loop;
  private final ListenerRuntime listener;
  private final NetSocket down;
  private final PluginCalls calls;
  private final long connectionId;
  private ClusterRuntime cluster;

  /** The cluster the TCP proxy connects to: the configured one, or the plugin's filter state. */
  private String clusterName;

  /** Envoy's filter state objects the plugins set on this connection, by key, or null. */
  private Map<String, byte[]> filterState;

  private int endpointIndex = -1;
  private NetSocket up;

  /** The upstream the properties read. */
  private final UpstreamInfo info = new UpstreamInfo();

  private LivePlugin live;
  private TcpStream[] streams = new TcpStream[0];
  private Held[] fromClient = new Held[0];
  private Held[] fromServer = new Held[0];

  /** The filter the new connection waits on, or -1. */
  private int newConnectionStoppedAt = -1;

  private final List<Buffer> upQueue = new ArrayList<>();
  private boolean upQueueEnd;
  private boolean connecting;
  private boolean downClosed;
  private boolean upClosed;
  private boolean closingDown;
  private boolean closingUp;
  private boolean closeRequested;
  private boolean finished;

  private final long startNanos = System.nanoTime();
  private final long startMillis = System.currentTimeMillis();
  private long bytesReceived;
  private long bytesSent;
  private boolean connectFailed;

  /** What one filter holds in one direction. */
  private static final class Held {
    BodyBuffer data = new BodyBuffer();
    boolean end;
    boolean endPassed;
  }

  TcpSession(Loop loop, ListenerRuntime listener, NetSocket down) {
    this.loop = loop;
    this.listener = listener;
    this.down = down;
    this.calls = new PluginCalls(loop.context, this);
    this.connectionId = loop.gateway.nextConnectionId();
  }

  void start() {
    down.pause();
    listener.cxTotal.add(1);
    loop.exchangeStarted();
    clusterName = listener.spec.tcpCluster();
    down.handler(
        b -> {
          listener.cxRxBytes.add(b.length());
          bytesReceived += b.length();
          dataAt(false, 0, b.getBytes(), false);
        });
    down.endHandler(v -> dataAt(false, 0, new byte[0], true));
    down.closeHandler(v -> downstreamClosed());
    down.exceptionHandler(e -> closeBoth());
    live = LivePlugin.acquire(listener.plugin);
    int n = live == null ? 0 : live.plugins.size();
    streams = new TcpStream[n];
    fromClient = new Held[n];
    fromServer = new Held[n];
    for (int i = 0; i < n; i++) {
      streams[i] =
          loop.worker.handle(live.plugins.get(i)).newTcpStream(new FilterListener(i), this);
      fromClient[i] = new Held();
      fromServer[i] = new Held();
    }
    newConnectionFrom(0);
  }

  /** The new connection reaches filters from k on; past the last, the TCP proxy connects. */
  private void newConnectionFrom(int k) {
    for (int i = k; i < streams.length; i++) {
      FilterStatus s;
      calls.enter();
      try {
        s = streams[i].onNewConnection();
      } finally {
        calls.exit();
      }
      if (afterCall()) {
        return;
      }
      if (s != FilterStatus.CONTINUE) {
        // as in Envoy, the TCP proxy does not connect (and nothing is read) until the filter
        // continues
        newConnectionStoppedAt = i;
        return;
      }
    }
    newConnectionStoppedAt = -1;
    connectUpstream();
    down.resume();
  }

  private void connectUpstream() {
    byte[] chosen = filterState == null ? null : filterState.get(EnvoyForeign.TCP_PROXY_CLUSTER);
    if (chosen != null) {
      // as Envoy's tcp_proxy reads its PerConnectionCluster object when it connects
      clusterName = new String(chosen, StandardCharsets.UTF_8);
    }
    cluster = loop.gateway.cluster(clusterName);
    if (cluster == null) {
      // as Envoy's tcp_proxy with a cluster it does not know: downstream_cx_no_route, and the
      // downstream connection is closed without connecting
      listener.cxNoRoute.add(1);
      upClosed = true;
      closeDown();
      return;
    }
    endpointIndex = cluster.pick();
    info.picked(cluster, endpointIndex);
    Endpoint ep = cluster.endpoint(endpointIndex);
    cluster.started(endpointIndex);
    long connectStart = System.nanoTime();
    cluster.cxTotal.add(1);
    connecting = true;
    cluster
        .tcpClient
        .connect(
            new ConnectOptions()
                .setHost(ep.host())
                .setPort(ep.port())
                // over TLS the SNI name is the configured one (UpstreamTls), or none
                .setSsl(cluster.spec.tls() != null))
        .onComplete(
            ar -> {
              connecting = false;
              if (ar.failed()) {
                cluster.cxConnectFail.add(1);
                connectFailed = true;
                String tls = UpstreamTls.failureReason(ar.cause());
                if (tls != null) {
                  info.transportFailureReason = tls;
                }
                upClosed = true;
                closeDown();
                return;
              }
              up = ar.result();
              info.poolReadyNanos = System.nanoTime() - connectStart;
              info.localAddress = up.localAddress();
              info.tls = up.isSsl() ? up.sslSession() : null;
              if (finished || downClosed) {
                closingUp = true;
                up.close();
                return;
              }
              up.handler(
                  b -> {
                    listener.cxTxBytes.add(b.length());
                    bytesSent += b.length();
                    dataAt(true, 0, b.getBytes(), false);
                  });
              up.endHandler(v -> dataAt(true, 0, new byte[0], true));
              up.closeHandler(v -> upstreamClosed());
              up.exceptionHandler(e -> closeBoth());
              up.drainHandler(v -> down.resume());
              down.drainHandler(v -> up.resume());
              for (Buffer b : upQueue) {
                up.write(b);
              }
              upQueue.clear();
              if (upQueueEnd) {
                closingUp = true;
                up.end();
              }
            });
  }

  // ------------------------------------------------------------------ plugin calls

  /** Applies a close or resumes recorded during the last call; true if the connection is over. */
  private boolean afterCall() {
    if (closeRequested) {
      closeBoth();
      return true;
    }
    if (finished) {
      return true;
    }
    calls.runDeferredResumes();
    return false;
  }

  /** The decisions of one filter's stream. */
  private final class FilterListener implements TcpStreamListener, GatewayStream {
    private final int filter;

    FilterListener(int filter) {
      this.filter = filter;
    }

    @Override
    public void onResume(StreamType direction) {
      calls.resume(filter, direction);
    }

    @Override
    public void onClose(StreamType direction) {
      if (calls.duringCall()) {
        closeRequested = true;
      } else {
        calls.later(TcpSession.this::closeBoth);
      }
    }

    @Override
    public void setFilterState(String key, byte[] value) {
      if (filterState == null) {
        filterState = new HashMap<>();
      }
      filterState.put(key, value.clone());
    }

    @Override
    public void clearRouteCache() {
      // a connection has no route
    }
  }

  // ------------------------------------------------------------------ data

  /**
   * Data reaches the k-th filter of a direction: from the client the filters in order, from the
   * upstream in reverse order; past the last filter it is written to the other side.
   */
  private void dataAt(boolean fromUpstream, int k, byte[] bytes, boolean eos) {
    if (finished) {
      return;
    }
    int n = streams.length;
    if (k == n) {
      write(fromUpstream, bytes, eos);
      return;
    }
    Held h = (fromUpstream ? fromServer : fromClient)[k];
    if (h.endPassed) {
      return;
    }
    h.data.append(bytes);
    h.end |= eos;
    int f = fromUpstream ? n - 1 - k : k;
    FilterStatus s;
    calls.enter();
    try {
      s =
          fromUpstream
              ? streams[f].onUpstreamData(h.data, h.end)
              : streams[f].onDownstreamData(h.data, h.end);
    } finally {
      calls.exit();
    }
    if (afterCall()) {
      return;
    }
    if (s == FilterStatus.CONTINUE) {
      passOn(fromUpstream, k, h);
    } else if (h.data.length() > Exchange.WATERMARK) {
      (fromUpstream ? up : down).pause();
    }
  }

  private void passOn(boolean fromUpstream, int k, Held h) {
    byte[] b = h.data.bytes();
    h.data = new BodyBuffer();
    h.endPassed = h.end;
    dataAt(fromUpstream, k + 1, b, h.end);
  }

  /** A filter continues a direction it stopped. */
  @Override
  public void resume(int filter, StreamType direction) {
    boolean upstream = direction == StreamType.UPSTREAM;
    if (finished) {
      return;
    }
    if (!upstream && newConnectionStoppedAt == filter) {
      newConnectionFrom(filter + 1);
      return;
    }
    int k = upstream ? streams.length - 1 - filter : filter;
    Held h = (upstream ? fromServer : fromClient)[k];
    if (h.data.length() > 0 || (h.end && !h.endPassed)) {
      passOn(upstream, k, h);
    }
    NetSocket source = upstream ? up : down;
    if (source != null && !finished) {
      source.resume();
    }
  }

  private void write(boolean toDownstream, byte[] bytes, boolean eos) {
    if (toDownstream) {
      if (bytes.length > 0) {
        down.write(Buffer.buffer(bytes));
        if (down.writeQueueFull() && up != null) {
          up.pause();
        }
      }
      if (eos) {
        closeDown();
      }
      return;
    }
    if (up == null) {
      // still connecting: written once connected (a failed connection closes the client)
      if (bytes.length > 0) {
        upQueue.add(Buffer.buffer(bytes));
      }
      upQueueEnd |= eos;
      return;
    }
    if (bytes.length > 0) {
      up.write(Buffer.buffer(bytes));
      if (up.writeQueueFull()) {
        down.pause();
      }
    }
    if (eos) {
      closingUp = true;
      up.end();
    }
  }

  // ------------------------------------------------------------------ closing

  private void closeDown() {
    if (!downClosed && !closingDown) {
      closingDown = true;
      down.end();
    }
  }

  private void closeBoth() {
    if (up != null && !upClosed && !closingUp) {
      closingUp = true;
      up.close();
    }
    if (!downClosed && !closingDown) {
      closingDown = true;
      down.close();
    }
    if (up == null && !connecting) {
      upClosed = true;
    }
  }

  private void downstreamClosed() {
    if (downClosed) {
      return;
    }
    downClosed = true;
    PeerType peer = closingDown ? PeerType.LOCAL : PeerType.REMOTE;
    for (TcpStream s : streams) {
      calls.enter();
      try {
        s.onConnectionClose(StreamType.DOWNSTREAM, peer);
      } finally {
        calls.exit();
      }
    }
    closeRequested = false;
    // as the TCP proxy does, the upstream connection closes once what was written to it is sent
    if (up != null && !upClosed && !closingUp) {
      closingUp = true;
      up.end();
    } else if (up == null && !connecting) {
      upClosed = true;
    }
    maybeFinish();
  }

  private void upstreamClosed() {
    if (upClosed) {
      return;
    }
    upClosed = true;
    PeerType peer = closingUp ? PeerType.LOCAL : PeerType.REMOTE;
    for (TcpStream s : streams) {
      calls.enter();
      try {
        s.onConnectionClose(StreamType.UPSTREAM, peer);
      } finally {
        calls.exit();
      }
    }
    closeRequested = false;
    closeDown();
    maybeFinish();
  }

  private void maybeFinish() {
    if (finished || !downClosed || !upClosed) {
      return;
    }
    finished = true;
    if (endpointIndex >= 0) {
      cluster.ended(endpointIndex);
    }
    try {
      for (TcpStream s : streams) {
        s.close();
      }
    } finally {
      if (live != null) {
        live.release();
      }
      AccessLogs logs = listener.accessLogs;
      if (logs != null) {
        logs.log(new Log());
      }
      loop.exchangeDone();
    }
  }

  /** The finished connection as its access log lines read it. */
  private final class Log implements AccessLogRecord {
    private final long durationMillis = (System.nanoTime() - startNanos) / 1_000_000;

    @Override
    public long startMillis() {
      return startMillis;
    }

    @Override
    public long durationMillis() {
      return durationMillis;
    }

    @Override
    public String requestHeader(String name) {
      return null;
    }

    @Override
    public String responseHeader(String name) {
      return null;
    }

    @Override
    public String responseTrailer(String name) {
      return null;
    }

    @Override
    public String protocol() {
      return null;
    }

    @Override
    public int responseCode() {
      return 0;
    }

    @Override
    public String details() {
      return null;
    }

    @Override
    public String responseFlags() {
      return connectFailed ? "UF" : null;
    }

    @Override
    public long bytesReceived() {
      return bytesReceived;
    }

    @Override
    public long bytesSent() {
      return bytesSent;
    }

    @Override
    public UpstreamInfo upstream() {
      return info;
    }

    @Override
    public String upstreamCluster() {
      return listener.spec.tcpCluster();
    }

    @Override
    public SocketAddress downstreamRemote() {
      return down.remoteAddress();
    }

    @Override
    public SocketAddress downstreamLocal() {
      return down.localAddress();
    }

    @Override
    public String routeName() {
      return null;
    }

    @Override
    public String requestedServerName() {
      return null;
    }

    @Override
    public long connectionId() {
      return connectionId;
    }
  }

  // ------------------------------------------------------------------ properties

  @Override
  public Optional<byte[]> get(List<String> path) {
    if (path.size() == 2 && path.get(0).equals("filter_state")) {
      byte[] v = filterState == null ? null : filterState.get(path.get(1));
      return v == null ? Optional.empty() : Optional.of(v.clone());
    }
    String key = String.join(".", path);
    switch (key) {
      case "xds.cluster_name":
      case "cluster_name":
        return ConnectionProperties.str(clusterName);
      default:
        return ConnectionProperties.get(
            key, down.remoteAddress(), down.localAddress(), () -> connectionId, info);
    }
  }
}
