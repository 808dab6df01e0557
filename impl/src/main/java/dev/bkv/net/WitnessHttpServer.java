package dev.bkv.net;

import dev.bkv.witness.WitnessService;
import java.io.IOException;
import java.io.InputStream;
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
 * Serves a {@link WitnessService} over HTTP/1.1 with Jetty. Plumbing only: {@link
 * WitnessHandler} reads the body, hands method, path and body to the service, and writes the
 * reply back. Every resource a client can hold is bounded, so a slow or hostile client costs
 * at most one connection slot for a few seconds and never a thread: connections and threads
 * are capped, silence on a connection closes it, a body has a deadline, requests past the
 * in-flight cap get 503 with Retry-After, and malformed requests get Jetty's 4xx answer.
 *
 * <p>The numbers are sized for a witness on 2 cores. Its work per request is an Ed25519
 * signature or a file read plus, for appends, one fsync; a handful of threads keep both
 * cores and the disk busy, and more only queue on the same log.
 */
public final class WitnessHttpServer implements AutoCloseable {
  /** Open connections; past this Jetty stops accepting (new ones wait in the accept queue). */
  public static final int CONNECTIONS_MAX = 256;
  /**
   * Connections the kernel holds for Jetty while it is at {@link #CONNECTIONS_MAX}: they wait
   * for a slot instead of being refused.
   */
  public static final int ACCEPT_QUEUE_CONNECTIONS = 256;
  /**
   * Silence on a connection, in any state (waiting for headers, for the next body bytes, or for
   * the next request on a kept-alive connection), after which Jetty closes it. An honest client
   * sends a witness request (at most {@code REQUEST_BYTES_MAX}) without pausing this long.
   */
  public static final long IDLE_TIMEOUT_MILLIS = 5_000;
  /** Idle timeout applied instead while the server is at {@link #CONNECTIONS_MAX}. */
  public static final long CROWDED_IDLE_TIMEOUT_MILLIS = 1_000;
  /** Pool threads: one acceptor, one selector, Jetty's reserve and the request handlers. */
  public static final int THREADS_MAX = 16;
  private static final int THREADS_MIN = 4;
  private static final int ACCEPTORS = 1;
  /** One selector thread watches every connection; a second one would not help on 2 cores. */
  private static final int SELECTORS = 1;
  /** Request line and headers; the witness's clients send a few short headers. */
  public static final int REQUEST_HEADER_BYTES_MAX = 8 * 1024;
  /** Milliseconds {@link #close} lets in-flight requests finish. */
  private static final long STOP_TIMEOUT_MILLIS = 1_000;

  private final Server server;
  private final WitnessHandler handler;
  private final InetSocketAddress bound;

  private WitnessHttpServer(Server server, WitnessHandler handler, InetSocketAddress bound) {
    this.server = server;
    this.handler = handler;
    this.bound = bound;
  }

  /** Binds {@code address} (port 0 picks a free port) and starts serving. */
  public static WitnessHttpServer start(InetSocketAddress address, WitnessService service) throws IOException {
    return start(address, service::handle);
  }

  /** As {@link #start(InetSocketAddress, WitnessService)}, serving any function of the same shape. */
  static WitnessHttpServer start(InetSocketAddress address, WitnessHandler.Service service) throws IOException {
    QueuedThreadPool threads = new QueuedThreadPool(THREADS_MAX, THREADS_MIN);
    threads.setName("witness-http");
    threads.setDaemon(true);
    Server server = new Server(threads, new ScheduledExecutorScheduler("witness-http-timer", true), null);
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
    connector.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
    connector.setAcceptQueueSize(ACCEPT_QUEUE_CONNECTIONS);
    // Jetty's default, set here because it matters: without TCP_NODELAY a reply written in two
    // segments waits for the client's delayed ACK (about 40 ms) before its second segment.
    connector.setAcceptedTcpNoDelay(true);
    server.addConnector(connector);
    NetworkConnectionLimit limit = new NetworkConnectionLimit(CONNECTIONS_MAX, connector);
    limit.setEndPointIdleTimeout(CROWDED_IDLE_TIMEOUT_MILLIS);
    server.addBean(limit);
    WitnessHandler handler = new WitnessHandler(service);
    server.setHandler(handler);
    try {
      server.start();
    } catch (IOException e) {
      stopQuietly(server);
      throw e;
    } catch (Exception e) {
      stopQuietly(server);
      throw new IOException("cannot start the witness HTTP server on " + address + ": " + e.getMessage(), e);
    }
    InetSocketAddress bound = (InetSocketAddress) ((ServerSocketChannel) connector.getTransport()).getLocalAddress();
    return new WitnessHttpServer(server, handler, bound);
  }

  /** The bound address; its port is the real one when started with port 0. */
  public InetSocketAddress address() {
    return bound;
  }

  /** {@code http://host:port} of this server. */
  public String baseUrl() {
    return "http://" + address().getHostString() + ":" + address().getPort();
  }

  /** The body, or null when it is longer than {@code bytesMax}. */
  static byte[] readBounded(InputStream in, int bytesMax) throws IOException {
    byte[] body = in.readNBytes(bytesMax + 1);
    return body.length > bytesMax ? null : body;
  }

  @Override
  public void close() {
    try {
      handler.drain(STOP_TIMEOUT_MILLIS);
      server.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopQuietly(server);
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the witness HTTP server: " + e.getMessage(), e);
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
