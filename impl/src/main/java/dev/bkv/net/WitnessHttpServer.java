package dev.bkv.net;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bkv.base.Check;
import dev.bkv.witness.WitnessService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Serves a {@link WitnessService} over HTTP/1.1 with the JDK's HttpServer. Plumbing only:
 * it reads at most {@code REQUEST_BYTES_MAX + 1} body bytes, hands method, path and body to
 * the service, and writes the reply back. Keep-alive is the JDK default.
 */
public final class WitnessHttpServer implements AutoCloseable {
  /** Worker threads; requests beyond them wait in a bounded queue. */
  public static final int THREADS = 4;
  /** Connections and requests waiting for a worker; beyond that new ones are dropped. */
  public static final int QUEUED_REQUESTS_MAX = 64;
  /** Seconds {@link #close} lets in-flight exchanges finish. */
  private static final int STOP_DELAY_SECONDS = 1;

  private final HttpServer server;
  private final ExecutorService workers;

  private WitnessHttpServer(HttpServer server, ExecutorService workers) {
    this.server = server;
    this.workers = workers;
  }

  /** Binds {@code address} (port 0 picks a free port) and starts serving. */
  public static WitnessHttpServer start(InetSocketAddress address, WitnessService service) throws IOException {
    // The JDK server writes headers and body in separate segments; with Nagle's algorithm on,
    // each reply then waits for the client's delayed ACK (about 40 ms). The JDK reads this
    // documented property once, when its first server is created.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(address, QUEUED_REQUESTS_MAX);
    ThreadPoolExecutor workers =
        new ThreadPoolExecutor(
            THREADS, THREADS, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUED_REQUESTS_MAX),
            runnable -> {
              Thread t = new Thread(runnable, "witness-http");
              t.setDaemon(true);
              return t;
            },
            (rejected, executor) -> {
              throw new java.util.concurrent.RejectedExecutionException("witness is overloaded");
            });
    server.setExecutor(workers);
    server.createContext("/", exchange -> handle(exchange, service));
    server.start();
    return new WitnessHttpServer(server, workers);
  }

  /** The bound address; its port is the real one when started with port 0. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** {@code http://host:port} of this server. */
  public String baseUrl() {
    return "http://" + address().getHostString() + ":" + address().getPort();
  }

  private static void handle(HttpExchange exchange, WitnessService service) throws IOException {
    try (exchange) {
      byte[] body = readBounded(exchange.getRequestBody(), WitnessService.REQUEST_BYTES_MAX);
      WitnessService.Reply reply;
      if (body == null) {
        reply = WitnessService.Reply.text(413, "request body is longer than " + WitnessService.REQUEST_BYTES_MAX + " bytes");
      } else {
        try {
          reply = service.handle(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), body);
        } catch (Check.InvariantViolation e) {
          throw e; // never answered as if the witness could go on
        } catch (RuntimeException e) {
          e.printStackTrace();
          reply = WitnessService.Reply.text(500, "internal error: " + e);
        }
      }
      exchange.getResponseHeaders().set("Content-Type", reply.contentType());
      if (!reply.cacheControl().isEmpty()) {
        exchange.getResponseHeaders().set("Cache-Control", reply.cacheControl());
      }
      if (!reply.retryAfter().isEmpty()) {
        exchange.getResponseHeaders().set("Retry-After", reply.retryAfter());
      }
      exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
      if (reply.body().length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(reply.body());
        }
      }
    }
  }

  /** The body, or null when it is longer than {@code bytesMax}. */
  static byte[] readBounded(InputStream in, int bytesMax) throws IOException {
    byte[] body = in.readNBytes(bytesMax + 1);
    return body.length > bytesMax ? null : body;
  }

  @Override
  public void close() {
    server.stop(STOP_DELAY_SECONDS);
    workers.shutdownNow();
  }
}
