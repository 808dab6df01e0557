package dev.bkv.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * The Jetty server of a node or frontend, with the witness server's limits (see {@link
 * WitnessHttpServer} for why each is there): capped connections and threads, an idle timeout
 * that tightens when crowded, bounded headers, dispatch only once a body starts.
 */
final class JettyShell implements AutoCloseable {
  static final int CONNECTIONS_MAX = 256;
  static final int ACCEPT_QUEUE_CONNECTIONS = 256;
  /** Silence after which a connection closes; peers and frontends reconnect on their next request. */
  static final long IDLE_TIMEOUT_MILLIS = 30_000;
  static final long CROWDED_IDLE_TIMEOUT_MILLIS = 1_000;
  /** Handlers never wait on the fleet (the service is asynchronous), so a few threads serve many requests. */
  static final int THREADS_MAX = 16;
  private static final int THREADS_MIN = 4;
  static final int REQUEST_HEADER_BYTES_MAX = 8 * 1024;
  /** Milliseconds {@link #close} lets in-flight requests finish. */
  static final long STOP_TIMEOUT_MILLIS = 2_000;

  private final Server server;
  private final AsyncHandler handler;
  private final InetSocketAddress bound;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private JettyShell(Server server, AsyncHandler handler, InetSocketAddress bound) {
    this.server = server;
    this.handler = handler;
    this.bound = bound;
  }

  static JettyShell start(String name, InetSocketAddress address, AsyncHandler handler) throws IOException {
    QueuedThreadPool threads = new QueuedThreadPool(THREADS_MAX, THREADS_MIN);
    threads.setName(name + "-http");
    threads.setDaemon(true);
    Server server = new Server(threads, new ScheduledExecutorScheduler(name + "-http-timer", true), null);
    server.setStopTimeout(0);
    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(REQUEST_HEADER_BYTES_MAX);
    http.setSendServerVersion(false);
    http.setDelayDispatchUntilContent(true);
    ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress());
    connector.setPort(address.getPort());
    connector.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
    connector.setAcceptQueueSize(ACCEPT_QUEUE_CONNECTIONS);
    connector.setAcceptedTcpNoDelay(true);
    server.addConnector(connector);
    NetworkConnectionLimit limit = new NetworkConnectionLimit(CONNECTIONS_MAX, connector);
    limit.setEndPointIdleTimeout(CROWDED_IDLE_TIMEOUT_MILLIS);
    server.addBean(limit);
    server.setHandler(handler);
    try {
      server.start();
    } catch (IOException e) {
      stopQuietly(server);
      throw e;
    } catch (Exception e) {
      stopQuietly(server);
      throw new IOException(e.getMessage(), e);
    }
    InetSocketAddress bound = (InetSocketAddress) ((ServerSocketChannel) connector.getTransport()).getLocalAddress();
    return new JettyShell(server, handler, bound);
  }

  InetSocketAddress address() {
    return bound;
  }

  String baseUrl() {
    String host = bound.getHostString();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort();
  }

  /** Stops accepting and lets in-flight requests finish (bounded); a second call does nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      handler.drain(STOP_TIMEOUT_MILLIS);
      server.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopQuietly(server);
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the HTTP server: " + e.getMessage(), e);
    }
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception ignored) {
      // Already failing to start: the start failure is the one to report.
    }
  }
}
