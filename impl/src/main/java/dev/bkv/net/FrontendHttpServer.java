package dev.bkv.net;

import dev.bkv.base.Json;
import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.node.FrontendConfig;
import dev.bkv.tlog.Tiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The operator's untrusted frontend (spec/FORMATS.md, "Node and frontend HTTP API"): the one
 * URL a client needs. {@code POST /bkv/vault} is relayed to the leader ({@link
 * FrontendRouter}); {@code GET /bkv/bundle} serves the fleet's witnessed bundle; {@code GET
 * /bkv/log/<path>} relays the witness's log ({@code checkpoint}, tiles); {@code GET
 * /bkv/status} gathers every node's status, with an error entry for a node that did not
 * answer.
 */
public final class FrontendHttpServer implements AutoCloseable {
  /** Client requests inside the frontend at once (each waits for a commit); more get 503. */
  public static final int IN_FLIGHT_MAX = 256;
  /** A witness log reply: a checkpoint, a hash tile or an entry bundle, at most. */
  static final int LOG_REPLY_BYTES_MAX = Math.max(Tiles.BUNDLE_BYTES_MAX, 64 * 1024);
  static final int LOG_PATH_CHARS_MAX = 256;
  /** A node's status JSON, at most. */
  static final int STATUS_BYTES_MAX = 64 * 1024;
  static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);
  static final Duration LOG_TIMEOUT = Duration.ofSeconds(10);
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

  private final JettyShell shell;
  private final ExecutorService executor;

  private FrontendHttpServer(JettyShell shell, ExecutorService executor) {
    this.shell = shell;
    this.executor = executor;
  }

  public static FrontendHttpServer start(InetSocketAddress address, FrontendConfig config) throws IOException {
    ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "bkv-frontend");
      t.setDaemon(true);
      return t;
    });
    HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1)
        .executor(executor).build();
    FrontendRouter router = new FrontendRouter(config.nodes(), client, executor);
    BundleSource bundles = new BundleSource(config.fleetId(), config.bundle());
    Backend backend = new Backend() {
      @Override
      public CompletableFuture<HttpReply> relay(byte[] request) {
        return router.relay(request);
      }

      @Override
      public CompletableFuture<HttpReply> bundle() {
        return CompletableFuture.supplyAsync(bundles::reply, executor);
      }

      @Override
      public CompletableFuture<HttpReply> status() {
        return FrontendHttpServer.status(client, config);
      }

      @Override
      public boolean relaysLog() {
        return config.witness().isPresent();
      }

      @Override
      public CompletableFuture<HttpReply> log(String path) {
        return FrontendHttpServer.log(client, config.witness().orElseThrow(), path);
      }
    };
    AsyncHandler handler = new AsyncHandler(service(backend), path -> FirmwareCodec.REQUEST_BYTES_MAX, IN_FLIGHT_MAX);
    try {
      return new FrontendHttpServer(JettyShell.start("bkv-frontend", address, handler), executor);
    } catch (IOException e) {
      executor.shutdownNow();
      throw e;
    }
  }

  /** Where an admitted request goes: in production over HTTP to the nodes and the witness, in the fuzz target to a recorder. */
  interface Backend {
    CompletableFuture<HttpReply> relay(byte[] request);

    CompletableFuture<HttpReply> bundle();

    CompletableFuture<HttpReply> status();

    boolean relaysLog();

    /** {@code path}: a log path {@link #isLogPath} accepted. */
    CompletableFuture<HttpReply> log(String path);
  }

  /** The frontend's requests as a function of method, path and complete body, below the socket. */
  static AsyncHandler.Service service(Backend backend) {
    return (method, path, body) -> {
      if (path.equals("/bkv/vault")) {
        return method.equals("POST") ? backend.relay(body) : done(HttpReply.notAllowed("POST"));
      }
      if (!method.equals("GET")) {
        return done(path.equals("/bkv/bundle") || path.equals("/bkv/status") || path.startsWith("/bkv/log/")
            ? HttpReply.notAllowed("GET") : HttpReply.text(404, "no such resource: " + path));
      }
      if (path.equals("/bkv/bundle")) {
        return backend.bundle();
      }
      if (path.equals("/bkv/status")) {
        return backend.status();
      }
      if (path.startsWith("/bkv/log/")) {
        String logPath = path.substring("/bkv/log/".length());
        if (!backend.relaysLog()) {
          return done(HttpReply.text(404, "this frontend relays no witness log"));
        }
        if (!isLogPath(logPath)) {
          return done(HttpReply.text(400, "not a log path: "
              + (logPath.length() > 80 ? logPath.substring(0, 80) + "..." : logPath)));
        }
        return backend.log(logPath);
      }
      return done(HttpReply.text(404, "no such resource: " + path));
    };
  }

  /** Only log paths (no "..", no query) of bounded length are relayed to the witness. */
  static boolean isLogPath(String path) {
    return path.length() <= LOG_PATH_CHARS_MAX && path.matches("[A-Za-z0-9._/-]+") && !path.contains("..")
        && !path.startsWith("/");
  }

  private static CompletableFuture<HttpReply> done(HttpReply reply) {
    return CompletableFuture.completedFuture(reply);
  }

  /** Every node's status, in member order; a node that fails to answer gets an error entry instead. */
  private static CompletableFuture<HttpReply> status(HttpClient client, FrontendConfig config) {
    List<CompletableFuture<Object>> each = new ArrayList<>();
    for (FrontendConfig.Node node : config.nodes()) {
      HttpRequest get = HttpRequest.newBuilder(URI.create(node.url() + "/bkv/status")).timeout(STATUS_TIMEOUT).GET().build();
      each.add(client.sendAsync(get, HttpResponse.BodyHandlers.ofInputStream()).handle((response, failure) -> {
        if (failure != null) {
          return error(node, "unreachable: " + reason(failure));
        }
        try (InputStream in = response.body()) {
          byte[] body = in.readNBytes(STATUS_BYTES_MAX + 1);
          if (response.statusCode() != 200) {
            return error(node, "HTTP " + response.statusCode());
          }
          if (body.length > STATUS_BYTES_MAX) {
            return error(node, "status longer than " + STATUS_BYTES_MAX + " bytes");
          }
          return Json.parseObject(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
          return error(node, "bad status: " + e.getMessage());
        }
      }));
    }
    return CompletableFuture.allOf(each.toArray(new CompletableFuture<?>[0])).thenApply(ignored -> {
      Map<String, Object> fleet = new LinkedHashMap<>();
      fleet.put("format", "bkv-fleet-status/1");
      fleet.put("fleet", config.fleetId());
      List<Object> nodes = new ArrayList<>();
      for (CompletableFuture<Object> f : each) {
        nodes.add(f.join());
      }
      fleet.put("nodes", nodes);
      return HttpReply.json(Json.write(fleet));
    });
  }

  private static Map<String, Object> error(FrontendConfig.Node node, String error) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("hsm", node.member());
    m.put("url", node.url().toString());
    m.put("error", error);
    return m;
  }

  private static String reason(Throwable failure) {
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }

  /** Relays {@code GET <witness>/<path>} for a path {@link #isLogPath} accepted. */
  private static CompletableFuture<HttpReply> log(HttpClient client, URI witness, String path) {
    HttpRequest get = HttpRequest.newBuilder(URI.create(witness + "/" + path)).timeout(LOG_TIMEOUT).GET()
        .build();
    return client.sendAsync(get, HttpResponse.BodyHandlers.ofInputStream()).handle((response, failure) -> {
      if (failure != null) {
        return HttpReply.text(502, "witness unreachable: " + reason(failure));
      }
      try (InputStream in = response.body()) {
        byte[] body = in.readNBytes(LOG_REPLY_BYTES_MAX + 1);
        if (body.length > LOG_REPLY_BYTES_MAX) {
          return HttpReply.text(502, "witness reply longer than " + LOG_REPLY_BYTES_MAX + " bytes");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        response.headers().firstValue("Cache-Control").ifPresent(v -> headers.put("Cache-Control", v));
        return new HttpReply(response.statusCode(),
            response.headers().firstValue("Content-Type").orElse(HttpReply.BINARY), body, headers);
      } catch (IOException e) {
        return HttpReply.text(502, "witness reply unreadable: " + e.getMessage());
      }
    });
  }

  public InetSocketAddress address() {
    return shell.address();
  }

  public String baseUrl() {
    return shell.baseUrl();
  }

  /** Stops accepting, lets in-flight requests finish (bounded), then stops the relay threads. */
  @Override
  public void close() {
    shell.close();
    executor.shutdownNow();
  }
}
