package dev.bkv.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * The Jetty server of a witness, node or frontend, serving one {@link AsyncHandler}. Every
 * resource a client can hold is bounded, so a slow or hostile client costs at most one
 * connection slot for a few seconds and never a thread: connections and threads are capped,
 * silence on a connection closes it (sooner when crowded), headers are bounded, and a request
 * is dispatched only once its body starts.
 *
 * <p>The numbers are sized for 2 cores: a handful of threads keep both cores and the disk
 * busy, and more only queue on the same log.
 */
final class JettyShell implements AutoCloseable {
  /** Open connections; past this Jetty stops accepting (new ones wait in the accept queue). */
  static final int CONNECTIONS_MAX = 256;
  /**
   * Connections the kernel holds for Jetty while it is at {@link #CONNECTIONS_MAX}: they wait
   * for a slot instead of being refused.
   */
  static final int ACCEPT_QUEUE_CONNECTIONS = 256;
  /** Silence after which a node's or frontend's connection closes; peers and frontends reconnect on their next request. */
  static final long IDLE_TIMEOUT_MILLIS = 30_000;
  /** Idle timeout applied instead while the server is at {@link #CONNECTIONS_MAX}. */
  static final long CROWDED_IDLE_TIMEOUT_MILLIS = 1_000;
  /**
   * Pool threads: one acceptor, one selector, Jetty's reserve and the request handlers.
   * Handlers never wait on the fleet (the service is asynchronous), so a few threads serve many requests.
   */
  static final int THREADS_MAX = 16;
  private static final int THREADS_MIN = 4;
  private static final int ACCEPTORS = 1;
  /** One selector thread watches every connection; a second one would not help on 2 cores. */
  private static final int SELECTORS = 1;
  /** Request line and headers; clients send a few short headers. */
  static final int REQUEST_HEADER_BYTES_MAX = 8 * 1024;
  /** Milliseconds {@link #close} lets a node's or frontend's in-flight requests finish. */
  static final long STOP_TIMEOUT_MILLIS = 2_000;

  /**
   * What differs between servers: {@code name} names the threads, {@code label} the server
   * in a failure to stop; {@code idleTimeoutMillis} is the silence, in any state (waiting for
   * headers, for the next body bytes, or for the next request on a kept-alive connection),
   * after which a connection closes; {@code stopTimeoutMillis} is how long {@link #close}
   * lets in-flight requests finish.
   */
  record Settings(String name, String label, long idleTimeoutMillis, long stopTimeoutMillis) {}

  /** A start that failed for a reason other than I/O (Jetty's own); its message is the cause's. */
  static final class StartFailure extends IOException {
    StartFailure(Exception cause) {
      super(cause.getMessage(), cause);
    }
  }

  private final Server server;
  private final AsyncHandler handler;
  private final InetSocketAddress bound;
  private final String label;
  private final long stopTimeoutMillis;
  private final AtomicBoolean closed = new AtomicBoolean();

  private JettyShell(Server server, AsyncHandler handler, InetSocketAddress bound, Settings settings) {
    this.server = server;
    this.handler = handler;
    this.bound = bound;
    this.label = settings.label();
    this.stopTimeoutMillis = settings.stopTimeoutMillis();
  }

  /** A node's or frontend's server, threads named after {@code name}. */
  static JettyShell start(String name, InetSocketAddress address, AsyncHandler handler) throws IOException {
    return start(new Settings(name, "HTTP server", IDLE_TIMEOUT_MILLIS, STOP_TIMEOUT_MILLIS), address, handler);
  }

  /** Binds {@code address} (port 0 picks a free port) and starts serving {@code handler}. */
  static JettyShell start(Settings settings, InetSocketAddress address, AsyncHandler handler) throws IOException {
    QueuedThreadPool threads = new QueuedThreadPool(THREADS_MAX, THREADS_MIN);
    threads.setName(settings.name() + "-http");
    threads.setDaemon(true);
    Server server = new Server(threads, new ScheduledExecutorScheduler(settings.name() + "-http-timer", true), null);
    // No graceful stop in Jetty: it would wait for idle kept-alive connections too. close()
    // drains the handler's in-flight requests itself.
    server.setStopTimeout(0);

    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(REQUEST_HEADER_BYTES_MAX);
    http.setSendServerVersion(false);
    // A request whose body has not started to arrive is not handed to a thread at all.
    http.setDelayDispatchUntilContent(true);
    ServerConnector connector = new ServerConnector(server, ACCEPTORS, SELECTORS, new HttpConnectionFactory(http));
    connector.setHost(address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress());
    connector.setPort(address.getPort());
    connector.setIdleTimeout(settings.idleTimeoutMillis());
    connector.setAcceptQueueSize(ACCEPT_QUEUE_CONNECTIONS);
    // Jetty's default, set here because it matters: without TCP_NODELAY a reply written in two
    // segments waits for the client's delayed ACK (about 40 ms) before its second segment.
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
      throw new StartFailure(e);
    }
    InetSocketAddress bound = (InetSocketAddress) ((ServerSocketChannel) connector.getTransport()).getLocalAddress();
    return new JettyShell(server, handler, bound, settings);
  }

  /** The bound address; its port is the real one when started with port 0. */
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
      handler.drain(stopTimeoutMillis);
      server.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopQuietly(server);
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the " + label + ": " + e.getMessage(), e);
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
