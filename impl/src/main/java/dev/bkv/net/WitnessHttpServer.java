package dev.bkv.net;

import dev.bkv.witness.WitnessService;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Serves a {@link WitnessService} over HTTP/1.1 with Jetty. Plumbing only: {@link JettyShell}
 * bounds what a client can hold and {@link WitnessHandler} reads the body, hands method, path
 * and body to the service, and writes the reply back. Requests past the in-flight cap get 503
 * with Retry-After, and malformed requests get Jetty's 4xx answer.
 *
 * <p>The numbers are sized for a witness on 2 cores. Its work per request is an Ed25519
 * signature or a file read plus, for appends, one fsync.
 */
public final class WitnessHttpServer implements AutoCloseable {
  /** Open connections; past this Jetty stops accepting (new ones wait in the accept queue). */
  public static final int CONNECTIONS_MAX = JettyShell.CONNECTIONS_MAX;
  /** Connections the kernel holds for Jetty while it is at {@link #CONNECTIONS_MAX}. */
  public static final int ACCEPT_QUEUE_CONNECTIONS = JettyShell.ACCEPT_QUEUE_CONNECTIONS;
  /**
   * Silence on a connection, in any state, after which Jetty closes it. An honest client
   * sends a witness request (at most {@code REQUEST_BYTES_MAX}) without pausing this long.
   */
  public static final long IDLE_TIMEOUT_MILLIS = 5_000;
  /** Idle timeout applied instead while the server is at {@link #CONNECTIONS_MAX}. */
  public static final long CROWDED_IDLE_TIMEOUT_MILLIS = JettyShell.CROWDED_IDLE_TIMEOUT_MILLIS;
  /** Pool threads: one acceptor, one selector, Jetty's reserve and the request handlers. */
  public static final int THREADS_MAX = JettyShell.THREADS_MAX;
  /** Request line and headers; the witness's clients send a few short headers. */
  public static final int REQUEST_HEADER_BYTES_MAX = JettyShell.REQUEST_HEADER_BYTES_MAX;
  /** Milliseconds {@link #close} lets in-flight requests finish. */
  private static final long STOP_TIMEOUT_MILLIS = 1_000;
  private static final JettyShell.Settings SETTINGS =
      new JettyShell.Settings("witness", "witness HTTP server", IDLE_TIMEOUT_MILLIS, STOP_TIMEOUT_MILLIS);

  private final JettyShell shell;

  private WitnessHttpServer(JettyShell shell) {
    this.shell = shell;
  }

  /** Binds {@code address} (port 0 picks a free port) and starts serving. */
  public static WitnessHttpServer start(InetSocketAddress address, WitnessService service) throws IOException {
    return start(address, service::handle);
  }

  /** As {@link #start(InetSocketAddress, WitnessService)}, serving any function of the same shape. */
  static WitnessHttpServer start(InetSocketAddress address, WitnessHandler.Service service) throws IOException {
    try {
      return new WitnessHttpServer(JettyShell.start(SETTINGS, address, WitnessHandler.create(service)));
    } catch (JettyShell.StartFailure e) {
      throw new IOException("cannot start the witness HTTP server on " + address + ": " + e.getMessage(), e.getCause());
    }
  }

  /** The bound address; its port is the real one when started with port 0. */
  public InetSocketAddress address() {
    return shell.address();
  }

  /** {@code http://host:port} of this server. */
  public String baseUrl() {
    return "http://" + address().getHostString() + ":" + address().getPort();
  }

  @Override
  public void close() {
    shell.close();
  }
}
