package dev.bkv.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Check;
import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.crypto.Ed25519;
import dev.bkv.testsupport.OversizePost;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.witness.BundleSubmission;
import dev.bkv.witness.CrashPoints;
import dev.bkv.witness.Witness;
import dev.bkv.witness.WitnessService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The witness's HTTP server under hostile and heavy clients: slow clients neither stall other
 * requests nor hold their connection for ever, a burst gets only answers (200 or 503), and
 * malformed, over-long or oversize requests get a 4xx status line rather than a dropped
 * connection; an operator over its rate gets 429 with the service's Retry-After.
 */
class WitnessHttpLimitsTest {
  /** Liveness bound for one request while others misbehave; not a benchmark. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  /** How long a raw socket waits for a status line or for the server to cut it off. */
  private static final int SOCKET_TIMEOUT_MILLIS = 20_000;
  /** Slow connections held open at once (each kind gets half). */
  private static final int SLOW_CONNECTIONS = 16;
  /** Requests in the burst, and the client threads that send them. */
  private static final int BURST_REQUESTS = 200;
  private static final int BURST_CLIENT_THREADS = 8;
  private static final int BURST_TIMEOUT_SECONDS = 60;
  /**
   * Operators whose submissions make up the burst's posts: enough that each sends
   * BURST_REQUESTS / 2 / BURST_OPERATORS = 25, under the witness's 60 a minute per operator.
   */
  private static final int BURST_OPERATORS = 4;
  /** Requests sent to exhaust one operator's rate; well above any per-minute limit the witness sets. */
  private static final int RATE_PROBE_REQUESTS_MAX = 1_000;

  @TempDir Path temp;
  private Witness witness;
  private WitnessHttpServer server;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws Exception {
    Witness.init(temp, "witness.example/limits", "witness.example/limits/bundles", new SecureRandom());
    witness = Witness.open(temp, () -> 1_750_000_000L, CrashPoints.NONE);
    server = WitnessHttpServer.start(new InetSocketAddress("127.0.0.1", 0), witness.service());
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
    witness.close();
  }

  @Test
  void whenSlowClientsHoldConnections_thenCheckpointStillAnswersAndTheSlowOnesAreCutOff() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < SLOW_CONNECTIONS; i++) {
        Socket s = connect();
        String request = i % 2 == 0
            ? "POST /bkv/add-bundle HTTP/1.1\r\nHost: w\r\nContent-Length: 10\r\n\r\n" // promised body never sent
            : "GET /checkpoint HTTP/1.1\r\nHost: w\r\nX-Slow: "; // header line never finished
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        slow.add(s);
      }
      HttpResponse<String> checkpoint = http.send(get("/checkpoint"), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, checkpoint.statusCode(), checkpoint.body());
      for (Socket s : slow) {
        // Cut off: either closed outright or answered with a timeout status, never left hanging.
        String reply = readAll(s);
        assertTrue(reply.isEmpty() || reply.startsWith("HTTP/1.1 408"), reply);
      }
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void whenABurstArrives_thenEveryRequestIsAnsweredWith200Or503() throws Exception {
    ExecutorService clientThreads = Executors.newFixedThreadPool(BURST_CLIENT_THREADS);
    try {
      HttpClient burst = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads).build();
      // The posts are retries of one signed bundle per registered operator: each is answered
      // with its receipt, and no operator sends enough to meet its rate limit.
      List<byte[]> submissions = new ArrayList<>();
      for (int k = 0; k < BURST_OPERATORS; k++) {
        String namespace = "burst.example/operator-" + k;
        Ed25519Note.Signer operator = new Ed25519Note.Signer(namespace, BundleFixtures.ed25519Key(namespace));
        witness.operators().add(operator.verifier().vkey());
        byte[] bundle = ValidationBundle.of(namespace, "fleet-1", 1, BundleFixtures.NOT_BEFORE, BundleFixtures.NOT_AFTER,
            BundleFixtures.members("fleet-1", 3, 3), BundleFixtures.evidenceDigest("fleet-1"), Optional.empty()).toBytes();
        submissions.add(BundleSubmission.sign(bundle, witness.keys().origin(), operator));
      }
      List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
      for (int i = 0; i < BURST_REQUESTS; i++) {
        HttpRequest request = i % 2 == 0
            ? get("/checkpoint")
            : post("/bkv/add-bundle", submissions.get(i / 2 % BURST_OPERATORS));
        replies.add(burst.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
      }
      Map<String, Integer> outcomes = new TreeMap<>();
      for (CompletableFuture<HttpResponse<String>> reply : replies) {
        String outcome;
        try {
          HttpResponse<String> r = reply.get(BURST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
          outcome = String.valueOf(r.statusCode());
          if (r.statusCode() == 503) {
            assertTrue(r.headers().firstValue("Retry-After").isPresent(), "503 says when to retry");
          }
        } catch (java.util.concurrent.ExecutionException e) {
          outcome = e.getCause().getClass().getSimpleName();
        }
        outcomes.merge(outcome, 1, Integer::sum);
      }
      System.out.println("[witness-http] burst of " + BURST_REQUESTS + ": " + outcomes);
      outcomes.keySet().forEach(k -> assertTrue(k.equals("200") || k.equals("503"), "outcomes " + outcomes));
      assertTrue(outcomes.getOrDefault("200", 0) > 0, "some requests are served: " + outcomes);
    } finally {
      clientThreads.shutdownNow();
    }
  }

  @Test
  void whenTheServiceIsFull_thenTheNextRequestGets503WithRetryAfter() throws Exception {
    CountDownLatch entered = new CountDownLatch(WitnessHandler.IN_FLIGHT_MAX);
    CountDownLatch release = new CountDownLatch(1);
    WitnessHandler.Service blocking = (method, path, body) -> {
      if (path.equals("/block")) {
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return WitnessService.Reply.text(200, "done");
    };
    try (WitnessHttpServer busy = WitnessHttpServer.start(new InetSocketAddress("127.0.0.1", 0), blocking)) {
      List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
      for (int i = 0; i < WitnessHandler.IN_FLIGHT_MAX; i++) {
        held.add(http.sendAsync(request(busy, "/block"), HttpResponse.BodyHandlers.ofString()));
      }
      assertTrue(entered.await(REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "every held request reached the service");
      HttpResponse<String> refused = http.send(request(busy, "/other"), HttpResponse.BodyHandlers.ofString());
      assertEquals(503, refused.statusCode(), refused.body());
      assertEquals("witness is busy; retry in 1 s\n", refused.body());
      assertEquals(String.valueOf(WitnessHandler.RETRY_AFTER_SECONDS), refused.headers().firstValue("Retry-After").orElse(""));
      release.countDown();
      for (CompletableFuture<HttpResponse<String>> h : held) {
        assertEquals(200, h.get(REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS).statusCode());
      }
      assertEquals(200, http.send(request(busy, "/other"), HttpResponse.BodyHandlers.ofString()).statusCode(),
          "capacity is given back");
    } finally {
      release.countDown();
    }
  }

  @Test
  void whenTheServiceFails_thenA500NamesIt_butABrokenInvariantDropsTheConnectionUnanswered() throws Exception {
    // Goal: a failing witness answers 500, but a broken invariant is never answered as if the
    // witness could go on; either way its in-flight slot is given back.
    WitnessHandler.Service failing = (method, path, body) -> {
      if (path.equals("/invariant")) {
        throw new Check.InvariantViolation("test invariant");
      }
      if (path.equals("/fault")) {
        throw new IllegalStateException("test fault");
      }
      return WitnessService.Reply.text(200, "done");
    };
    try (WitnessHttpServer server = WitnessHttpServer.start(new InetSocketAddress("127.0.0.1", 0), failing)) {
      HttpResponse<String> fault = http.send(request(server, "/fault"), HttpResponse.BodyHandlers.ofString());
      assertEquals(500, fault.statusCode());
      assertEquals("internal error: java.lang.IllegalStateException: test fault\n", fault.body());
      for (int i = 0; i <= WitnessHandler.IN_FLIGHT_MAX; i++) {
        assertThrows(IOException.class, () -> http.send(request(server, "/invariant"), HttpResponse.BodyHandlers.ofString()));
      }
      assertEquals(200, http.send(request(server, "/other"), HttpResponse.BodyHandlers.ofString()).statusCode(),
          "capacity is given back");
    }
  }

  @Test
  void whenAnOperatorExceedsItsRate_thenThe429CarriesRetryAfterOverHttp() throws Exception {
    // The clock is frozen, so the operator's bucket never refills: a retry of one bundle spends
    // a token each time until the witness refuses with 429 and says when to come back.
    Ed25519Note.Signer operator = new Ed25519Note.Signer(BundleFixtures.NAMESPACE, Ed25519.PrivateKey.fromSeed(new byte[32]));
    witness.operators().add(operator.verifier().vkey());
    byte[] request = BundleSubmission.sign(BundleFixtures.bundle("fleet-1", 1, Optional.empty()).toBytes(),
        witness.keys().origin(), operator);
    HttpResponse<String> reply;
    int sent = 0;
    do {
      reply = http.send(post("/bkv/add-bundle", request), HttpResponse.BodyHandlers.ofString());
      sent++;
    } while (reply.statusCode() == 200 && sent <= RATE_PROBE_REQUESTS_MAX);
    assertEquals(429, reply.statusCode(), reply.body());
    String retryAfter = reply.headers().firstValue("Retry-After").orElse("");
    assertTrue(retryAfter.matches("[1-9][0-9]*"), "429 says in whole seconds when to retry: '" + retryAfter + "'");
    assertTrue(reply.body().contains("retry after " + retryAfter + " s"), "header and reason agree: " + reply.body());
    HttpResponse<String> ok = http.send(get("/checkpoint"), HttpResponse.BodyHandlers.ofString());
    assertTrue(ok.headers().firstValue("Retry-After").isEmpty(), "only refusals carry Retry-After");
  }

  @Test
  void whenAChunkedBodyIsMalformed_thenTheReplyIs400() throws Exception {
    String status = rawStatusLine("POST /bkv/add-bundle HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "zz\r\nnot a chunk size\r\n0\r\n\r\n");
    assertTrue(status.startsWith("HTTP/1.1 400"), status);
  }

  @Test
  void whenAHeaderIsOverLong_thenTheReplyIs4xx() throws Exception {
    String status = rawStatusLine("GET /checkpoint HTTP/1.1\r\nHost: w\r\nX-Long: " + "a".repeat(64 * 1024) + "\r\n\r\n");
    assertTrue(status.matches("HTTP/1\\.1 4\\d\\d.*"), status);
  }

  @Test
  void whenABodyIsOversize_thenTheReplyIs413EvenBeforeItIsSent() throws Exception {
    int tooLong = WitnessService.REQUEST_BYTES_MAX + 1;
    // Announced by Content-Length and never sent: refused from the header alone.
    String status = rawStatusLine("POST /bkv/add-bundle HTTP/1.1\r\nHost: w\r\nContent-Length: " + tooLong + "\r\n\r\n");
    assertTrue(status.startsWith("HTTP/1.1 413"), status);
    // Sent in full.
    assertEquals(413, OversizePost.status(post("/bkv/add-bundle", new byte[tooLong])));
  }

  @Test
  void whenRepliesAreServed_thenTheirHeadersAreTheServicesOwn() throws Exception {
    HttpResponse<String> checkpoint = http.send(get("/checkpoint"), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, checkpoint.statusCode());
    assertEquals(WitnessService.TEXT, checkpoint.headers().firstValue("Content-Type").orElse(""));
    assertEquals(WitnessService.CACHE_MUTABLE, checkpoint.headers().firstValue("Cache-Control").orElse(""));
    HttpResponse<String> empty = http.send(post("/bkv/add-bundle", new byte[0]), HttpResponse.BodyHandlers.ofString());
    assertEquals(403, empty.statusCode(), "an empty request reaches the service, which finds it unsigned");
    assertEquals(WitnessService.TEXT, empty.headers().firstValue("Content-Type").orElse(""));
    assertTrue(empty.headers().firstValue("Cache-Control").isEmpty());
    HttpResponse<String> wrongMethod = http.send(post("/checkpoint", new byte[0]), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, wrongMethod.statusCode());
    HttpResponse<String> missing = http.send(get("/tile/0/000"), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, missing.statusCode());
    assertEquals(missing.body().getBytes(StandardCharsets.UTF_8).length,
        Integer.parseInt(missing.headers().firstValue("Content-Length").orElse("-1")), "bodies are sent with their length");
  }

  private static HttpRequest request(WitnessHttpServer target, String path) {
    return HttpRequest.newBuilder(URI.create(target.baseUrl() + path)).timeout(REQUEST_TIMEOUT).GET().build();
  }

  private HttpRequest get(String path) {
    return HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(REQUEST_TIMEOUT).GET().build();
  }

  private HttpRequest post(String path, byte[] body) {
    return HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(REQUEST_TIMEOUT)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(server.address().getAddress(), server.address().getPort());
    s.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
    return s;
  }

  /** Sends {@code request} on a fresh connection and returns the reply's first line ("" if closed without one). */
  private String rawStatusLine(String request) throws IOException {
    try (Socket s = connect()) {
      try {
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
      } catch (IOException closedEarly) {
        // The server may answer and close before reading all of an over-long request.
      }
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      try {
        for (int b; (b = in.read()) >= 0 && b != '\r'; ) {
          line.write(b);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no status line and not closed within " + SOCKET_TIMEOUT_MILLIS + " ms", e);
      } catch (IOException reset) {
        // Closed with a reset: whatever arrived before it is the answer.
      }
      return line.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** Everything the server sends until it closes the connection; fails if it neither answers nor closes. */
  private static String readAll(Socket s) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    InputStream in = s.getInputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        got.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no reply and not closed within " + SOCKET_TIMEOUT_MILLIS + " ms; got: " + got, e);
    } catch (IOException reset) {
      // A reset after the reply still leaves the reply to check.
    }
    return got.toString(StandardCharsets.ISO_8859_1);
  }
}
