package dev.bkv.net;

import static dev.bkv.testsupport.FuzzSelector.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bkv.base.Json;
import dev.bkv.bundle.BundleFixtures;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.Ed25519;
import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.node.NodeHost;
import dev.bkv.node.NodeStatus;
import dev.bkv.testsupport.FuzzSelector;
import dev.bkv.testsupport.TestFiles;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.FormatException;
import dev.bkv.witness.AddCheckpointRequest;
import dev.bkv.witness.BundleReceipt;
import dev.bkv.witness.Witness;
import dev.bkv.witness.WitnessFixtures;
import dev.bkv.witness.WitnessService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;

/**
 * The fuzz target of every HTTP entry point, below the socket: a node's requests ({@code POST
 * /bkv/peer}, {@code POST /bkv/vault}, {@code GET /bkv/status}), a frontend's ({@code POST
 * /bkv/vault}, {@code GET /bkv/bundle}, {@code /bkv/status}, {@code /bkv/log/...}) and a
 * witness's ({@code add-bundle}, {@code add-checkpoint}, {@code checkpoint}, tiles), each
 * called as the function of method, path and body that Jetty calls; and the witness's
 * request and receipt decoders; and, above the socket, the bytes of a connection as Jetty
 * parses them and {@link AsyncHandler} reads the body and answers. A request is {@code method (1 byte) | path | '\n' | body}.
 *
 * <p>What must hold for any request: the handler answers (no exception, no pending future),
 * never with a 5xx of its own; a request it refuses gets a 4xx (or, for a vault request that
 * does not decode, the firmware's MALFORMED_REQUEST refusal, as an HSM would answer) and
 * reaches nothing behind the handler: no peer message queued, no vault request, no relay, no
 * witness state changed.
 *
 * <p>The first input byte picks the target ({@link FuzzSelector}); the normal build replays
 * {@code src/test/resources/dev/bkv/net/HttpFuzzTestInputs/fuzz/}; {@code impl/fuzz/campaign.sh}
 * fuzzes for real.
 */
public class HttpFuzzTest {
  static final List<String> METHODS = List.of("GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "get", "");
  static final URI WITNESS = URI.create("http://127.0.0.1:7380");

  /** Append only: a seed's first byte is its target's position here. */
  static final FuzzSelector TARGETS = FuzzSelector.of(
      bytes("node", HttpFuzzTest::node),
      bytes("frontend", HttpFuzzTest::frontend),
      bytes("witness", HttpFuzzTest::witness),
      bytes("addCheckpointRequest", HttpFuzzTest::addCheckpointRequest),
      bytes("bundleReceipt", HttpFuzzTest::bundleReceipt),
      bytes("asyncHandler", HttpFuzzTest::asyncHandler));

  @FuzzTest(maxDuration = "10m")
  void fuzz(FuzzedDataProvider data) throws Exception {
    fuzzerTestOneInput(data);
  }

  /** Jazzer's entry point when the campaign runs this target outside JUnit. */
  public static void fuzzerTestOneInput(FuzzedDataProvider data) throws Exception {
    TARGETS.run(data);
  }

  /** Jazzer calls this once before a campaign starts: see {@link FuzzSelector#warmUp}. */
  public static void fuzzerInitialize() throws Exception {
    TARGETS.warmUp();
  }

  /** One request as the handler sees it. */
  record Request(String method, String path, byte[] body) {
    static Request of(byte[] input) {
      String method = input.length == 0 ? "GET" : METHODS.get((input[0] & 0xff) % METHODS.size());
      int newline = 1;
      while (newline < input.length && input[newline] != '\n') {
        newline++;
      }
      String path = input.length <= 1 ? "/" : new String(input, 1, newline - 1, StandardCharsets.UTF_8);
      byte[] body = newline < input.length ? Arrays.copyOfRange(input, newline + 1, input.length) : new byte[0];
      return new Request(method, path, body);
    }
  }

  private static HttpReply answer(CompletableFuture<HttpReply> future, Request r) {
    assertTrue(future.isDone(), () -> "no answer to " + r.method() + " " + r.path());
    return future.join();
  }

  // ---------------------------------------------------------------------------------------
  // Node

  /** A node that answers at once and records what reached it. */
  static final class RecordingNode implements NodeHttpServer.Node {
    final List<byte[]> peerMessages = new ArrayList<>();
    final List<FirmwareRequest> requests = new ArrayList<>();
    int statusReads;

    @Override
    public boolean offerPeerMessage(byte[] bytes) {
      peerMessages.add(bytes.clone());
      return true;
    }

    @Override
    public CompletableFuture<NodeHost.Reply> request(FirmwareRequest request) {
      requests.add(request);
      // A follower's answer naming a leader, or a leader's; both go back as 200.
      FirmwareResponse response = requests.size() % 2 == 0 ? new FirmwareResponse.NotFound()
          : new FirmwareResponse.Refused(FirmwareResponse.Reason.NOT_LEADER, "follower");
      return CompletableFuture.completedFuture(new NodeHost.Reply(response, 2));
    }

    @Override
    public CompletableFuture<NodeStatus> status() {
      statusReads++;
      return CompletableFuture.completedFuture(new NodeStatus("fleet-1", 0, "00", "dc-1", "follower", 1, 0, 2, false,
          "ok", List.of(), 0));
    }

    int calls() {
      return peerMessages.size() + requests.size() + statusReads;
    }
  }

  static void node(byte[] input) throws DecodeException {
    checkNode(NodeHttpServer::service, input);
  }

  /** The node's checks, for the node's service as {@code serviceOf} builds it around a node. */
  static void checkNode(Function<NodeHttpServer.Node, AsyncHandler.Service> serviceOf, byte[] input)
      throws DecodeException {
    Request r = Request.of(input);
    if (r.body().length > NodeHttpServer.bodyBytesMax(r.path())) {
      return; // AsyncHandler answers 413 before the service sees it
    }
    RecordingNode node = new RecordingNode();
    HttpReply reply = answer(serviceOf.apply(node).handle(r.method(), r.path(), r.body()), r);
    assertTrue(reply.status() < 500, () -> "node answered " + reply.status() + " to " + r.method() + " " + r.path());
    boolean post = r.method().equals("POST");
    switch (r.path()) {
      case "/bkv/peer" -> {
        if (post) {
          assertEquals(204, reply.status());
          assertEquals(1, node.peerMessages.size());
          assertArrayEquals(r.body(), node.peerMessages.get(0), "the node gets the peer message as sent");
          return;
        }
      }
      case "/bkv/vault" -> {
        if (post) {
          assertEquals(200, reply.status());
          FirmwareResponse response = FirmwareCodec.decodeResponse(reply.body());
          FirmwareRequest decoded;
          try {
            decoded = FirmwareCodec.decodeRequest(r.body());
          } catch (DecodeException malformed) {
            FirmwareResponse.Refused refused = assertInstanceOf(FirmwareResponse.Refused.class, response);
            assertEquals(FirmwareResponse.Reason.MALFORMED_REQUEST, refused.reason());
            assertEquals(0, node.calls(), "a malformed vault request reached the node");
            return;
          }
          // Requests hold byte arrays, so they are compared by their encoding, which decodeRequest
          // accepts only in its canonical form: the body as sent.
          assertEquals(1, node.requests.size());
          assertArrayEquals(r.body(), FirmwareCodec.encode(node.requests.get(0)), "the node gets the request as sent");
          assertArrayEquals(r.body(), FirmwareCodec.encode(decoded));
          boolean notLeader = response instanceof FirmwareResponse.Refused refused
              && refused.reason() == FirmwareResponse.Reason.NOT_LEADER;
          assertEquals(notLeader ? Optional.of("2") : Optional.empty(),
              Optional.ofNullable(reply.headers().get(NodeHttpServer.LEADER_HEADER)));
          return;
        }
      }
      case "/bkv/status" -> {
        if (r.method().equals("GET")) {
          assertEquals(200, reply.status());
          assertEquals("fleet-1", Json.parseObject(new String(reply.body(), StandardCharsets.UTF_8)).get("fleet"));
          return;
        }
      }
      default -> {
        assertEquals(404, reply.status());
        assertEquals(0, node.calls(), "a request for no resource reached the node");
        return;
      }
    }
    assertEquals(405, reply.status(), "a known resource with the wrong method");
    assertNotNull(reply.headers().get("Allow"));
    assertEquals(0, node.calls(), "a request with the wrong method reached the node");
  }

  // ---------------------------------------------------------------------------------------
  // Frontend

  /** Stands for the frontend's relays; records what reached them. */
  static final class RecordingBackend implements FrontendHttpServer.Backend {
    final boolean relaysLog;
    final List<String> calls = new ArrayList<>();
    final List<byte[]> relayed = new ArrayList<>();

    RecordingBackend(boolean relaysLog) {
      this.relaysLog = relaysLog;
    }

    @Override
    public CompletableFuture<HttpReply> relay(byte[] request) {
      calls.add("relay");
      relayed.add(request.clone());
      return CompletableFuture.completedFuture(HttpReply.binary(200, new byte[] {1}));
    }

    @Override
    public CompletableFuture<HttpReply> bundle() {
      calls.add("bundle");
      return CompletableFuture.completedFuture(HttpReply.text(404, "none"));
    }

    @Override
    public CompletableFuture<HttpReply> status() {
      calls.add("status");
      return CompletableFuture.completedFuture(HttpReply.json("{}"));
    }

    @Override
    public boolean relaysLog() {
      return relaysLog;
    }

    @Override
    public CompletableFuture<HttpReply> log(String path) {
      calls.add("log " + path);
      // What the real relay builds from the path: it must stay a request to the witness.
      URI uri = URI.create(WITNESS + "/" + path);
      assertEquals(WITNESS.getHost(), uri.getHost(), path);
      assertEquals(WITNESS.getPort(), uri.getPort(), path);
      assertTrue(uri.getQuery() == null && uri.getFragment() == null, path);
      assertTrue(!Arrays.asList(uri.getPath().split("/")).contains(".."), path);
      return CompletableFuture.completedFuture(HttpReply.text(200, "ok"));
    }
  }

  static void frontend(byte[] input) {
    checkFrontend(FrontendHttpServer::service, input);
  }

  /** The frontend's checks, for the frontend's service as {@code serviceOf} builds it around its relays. */
  static void checkFrontend(Function<FrontendHttpServer.Backend, AsyncHandler.Service> serviceOf, byte[] input) {
    Request r = Request.of(input);
    if (r.body().length > FirmwareCodec.REQUEST_BYTES_MAX) {
      return; // AsyncHandler answers 413 before the service sees it
    }
    RecordingBackend backend = new RecordingBackend(input.length % 2 == 0);
    HttpReply reply = answer(serviceOf.apply(backend).handle(r.method(), r.path(), r.body()), r);
    assertTrue(reply.status() < 500, () -> "frontend answered " + reply.status() + " to " + r.method() + " " + r.path());
    boolean get = r.method().equals("GET");
    List<String> expected;
    if (r.path().equals("/bkv/vault") && r.method().equals("POST")) {
      expected = List.of("relay");
      assertArrayEquals(r.body(), backend.relayed.get(0), "the frontend relays the body unchanged");
    } else if (get && r.path().equals("/bkv/bundle")) {
      expected = List.of("bundle");
    } else if (get && r.path().equals("/bkv/status")) {
      expected = List.of("status");
    } else if (get && r.path().startsWith("/bkv/log/") && backend.relaysLog
        && FrontendHttpServer.isLogPath(r.path().substring("/bkv/log/".length()))) {
      expected = List.of("log " + r.path().substring("/bkv/log/".length()));
    } else {
      expected = List.of();
      assertTrue(reply.status() >= 400, () -> "refused with " + reply.status());
    }
    assertEquals(expected, backend.calls, () -> r.method() + " " + r.path());
  }

  // ---------------------------------------------------------------------------------------
  // Witness

  /** One witness for the whole run, with a log it cosigns and an operator it logs bundles for. */
  static final class FuzzWitness {
    static final WitnessFixtures.OtherLog LOG = new WitnessFixtures.OtherLog("fuzz.example/log", 1);
    static final Ed25519Note.Signer OPERATOR = operator();
    static final Witness WITNESS = open();
    static final WitnessService SERVICE = WITNESS.service();

    static Ed25519Note.Signer operator() {
      byte[] seed = new byte[32];
      seed[0] = 1;
      return new Ed25519Note.Signer(BundleFixtures.NAMESPACE, Ed25519.PrivateKey.fromSeed(seed));
    }

    static Witness open() {
      try {
        Path dir = Files.createTempDirectory("bkv-fuzz-witness");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            TestFiles.deleteTree(dir);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }));
        WitnessFixtures.init(dir);
        Witness witness = WitnessFixtures.open(dir, new AtomicLong(1_767_225_600L));
        witness.checkpoints().knownLogs().addKey(LOG.origin, LOG.key.verifier().vkey());
        witness.operators().add(OPERATOR.verifier().vkey());
        LOG.grow(20);
        return witness;
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the fuzzed witness", e);
      }
    }

    /** Everything a request could change: the log and the latest cosigned checkpoint of the known log. */
    static String state() {
      return WITNESS.log().size() + " " + new String(WITNESS.log().checkpoint().toBytes(), StandardCharsets.UTF_8) + " "
          + WITNESS.checkpoints().latest(LOG.origin);
    }
  }

  static void witness(byte[] input) {
    checkWitness(FuzzWitness.SERVICE::handle, FuzzWitness::state, input);
  }

  /** The witness's checks, for a witness as a service and a rendering of its state. */
  static void checkWitness(WitnessHandler.Service service, Supplier<String> state, byte[] input) {
    Request r = Request.of(input);
    String before = state.get();
    WitnessService.Reply reply = service.handle(r.method(), r.path(), r.body());
    assertTrue(reply.status() < 500, () -> "witness answered " + reply.status() + " " + reply.bodyText());
    if (reply.status() >= 400 || !r.method().equals("POST")) {
      assertEquals(before, state.get(), () -> "a refused or read request changed the witness: " + reply.status());
    }
    if (reply.status() == 200 && r.path().equals("/bkv/add-bundle")) {
      try {
        assertNotNull(BundleReceipt.parse(reply.body()));
      } catch (FormatException e) {
        throw new AssertionError("the witness's receipt does not parse", e);
      }
    }
  }

  static void addCheckpointRequest(byte[] input) {
    try {
      AddCheckpointRequest request = AddCheckpointRequest.parse(input);
      byte[] again = request.format().getBytes(StandardCharsets.UTF_8);
      AddCheckpointRequest reparsed = AddCheckpointRequest.parse(again);
      assertEquals(request.oldSize(), reparsed.oldSize());
      assertEquals(request.proof(), reparsed.proof());
      assertEquals(request.checkpoint(), reparsed.checkpoint());
      assertTrue(request.proof().size() <= AddCheckpointRequest.PROOF_LINES_MAX);
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  static void bundleReceipt(byte[] input) {
    try {
      BundleReceipt receipt = BundleReceipt.parse(input);
      assertArrayEquals(receipt.toBytes(), BundleReceipt.parse(receipt.toBytes()).toBytes());
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  // ---------------------------------------------------------------------------------------
  // Jetty and AsyncHandler

  /**
   * One Jetty server in memory (a {@link LocalConnector}, no socket) around an {@link
   * AsyncHandler} with one in-flight slot, serving a service that records the bodies it gets
   * and answers 200 with their length (in a header as well as the body). Paths under {@code /small} cap bodies at {@link
   * #SMALL_CAP} bytes, the others at {@link #CAP}.
   */
  static final class LocalServer {
    static final int SMALL_CAP = 16;
    static final int CAP = 256;
    static final String BODY_BYTES_HEADER = "Fuzz-Body-Bytes";
    static final List<byte[]> BODIES = new CopyOnWriteArrayList<>();
    static final PreloadedConnector CONNECTOR = start();

    static int cap(String path) {
      return path.startsWith("/small") ? SMALL_CAP : CAP;
    }

    /**
     * A {@link LocalConnector} whose connections hold all their bytes and their end before
     * Jetty opens them. {@link LocalConnector#connect} opens the connection first, and then
     * every {@code addInput} runs Jetty's fill callback on the caller's thread, alongside
     * Jetty's own thread serving the same connection: two threads in one connection, which
     * no socket produces. The target has to test what a socket can deliver.
     */
    static final class PreloadedConnector extends LocalConnector {
      private final BlockingQueue<LocalEndPoint> ready = new LinkedBlockingQueue<>();

      PreloadedConnector(Server server) {
        super(server);
      }

      LocalEndPoint open(byte[] bytes) {
        LocalEndPoint endpoint = new LocalEndPoint();
        endpoint.addInput(ByteBuffer.wrap(bytes));
        endpoint.addInputEOF();
        ready.add(endpoint);
        return endpoint;
      }

      /** What {@link LocalConnector#accept} does, for the endpoints {@link #open} queued. */
      @Override
      protected void accept(int acceptorId) throws InterruptedException {
        LocalEndPoint endpoint = ready.take();
        Connection connection = getDefaultConnectionFactory().newConnection(this, endpoint);
        endpoint.setConnection(connection);
        endpoint.onOpen();
        onEndPointOpened(endpoint);
        connection.onOpen();
      }
    }

    private static PreloadedConnector start() {
      Server server = new Server();
      PreloadedConnector connector = new PreloadedConnector(server);
      server.addConnector(connector);
      server.setHandler(new AsyncHandler((method, path, body) -> {
        BODIES.add(body);
        HttpReply got = HttpReply.text(200, "got " + body.length + " bytes");
        // In a header too: the answer to a HEAD carries no body to check.
        return CompletableFuture.completedFuture(new HttpReply(got.status(), got.contentType(), got.body(),
            Map.of(BODY_BYTES_HEADER, Integer.toString(body.length))));
      }, LocalServer::cap, 1));
      try {
        server.start();
      } catch (Exception e) {
        throw new ExceptionInInitializerError(e);
      }
      return connector;
    }

    /** The bytes of one connection, then its end: the first response Jetty wrote, or null for none. */
    static HttpTester.Response exchange(byte[] bytes) throws Exception {
      LocalConnector.LocalEndPoint endpoint = CONNECTOR.open(bytes);
      ByteBuffer response = endpoint.waitForResponse(false, 10, TimeUnit.SECONDS);
      endpoint.waitUntilClosedOrIdleFor(10, TimeUnit.SECONDS);
      return response == null ? null : HttpTester.parseResponse(response);
    }
  }

  /**
   * Any bytes on a connection: Jetty and the handler answer without a 500 (nothing threw) or
   * a 503 (requests are one at a time, so a 503 means a slot was lost); no body longer than
   * its path's cap reaches the service; a 200 is the service's answer to the first body it
   * got; and afterwards a well-formed request still gets its 200, so every slot came back.
   */
  static void asyncHandler(byte[] input) throws Exception {
    LocalServer.BODIES.clear();
    HttpTester.Response response = LocalServer.exchange(input);
    List<byte[]> bodies = List.copyOf(LocalServer.BODIES);
    if (response != null) {
      int status = response.getStatus();
      assertTrue(status != 500 && status != 503, () -> "answered " + status + ": " + response.getContent());
      if (status == 200) {
        assertTrue(!bodies.isEmpty(), "a 200 that the service did not give");
        assertEquals(Integer.toString(bodies.get(0).length), response.get(LocalServer.BODY_BYTES_HEADER));
      }
    }
    for (byte[] body : bodies) {
      assertTrue(body.length <= LocalServer.CAP, () -> "a body of " + body.length + " bytes reached the service");
    }
    LocalServer.BODIES.clear();
    HttpTester.Response after = LocalServer.exchange(
        "POST /after HTTP/1.1\r\nHost: fuzz\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"
            .getBytes(StandardCharsets.US_ASCII));
    assertNotNull(after, "no answer to a well-formed request");
    assertEquals(200, after.getStatus(), () -> "a well-formed request after the input got " + after.getStatus());
  }
}
