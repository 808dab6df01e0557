package dev.bkv.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import dev.bkv.crypto.opaque.OpaqueClient;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.hsm.VaultProtocol;
import dev.bkv.witness.Witness;
import dev.bkv.node.FrontendConfig;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.testsupport.OversizePost;
import dev.bkv.vault.UserId;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the node and frontend HTTP APIs behave as spec/FORMATS.md says: status codes, the
 * Bkv-Leader hint, body caps, the bundle and log routes, the status shapes, and trace lines.
 * Method: one traced loopback fleet of three nodes, asked directly with the JDK client.
 */
class NodeHttpBehaviourTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir static Path dir;
  static LoopbackFleet fleet;

  @BeforeAll
  static void start() throws Exception {
    fleet = LoopbackFleet.start(dir, 3, 3, true);
    // A status request is answered only by the leader: once one answers, the fleet has one.
    byte[] status = FirmwareCodec.encode(new FirmwareRequest.Status(UserId.ofUtf8("nobody")));
    HttpResponse<byte[]> r = post(fleet.frontend.baseUrl() + "/bkv/vault", status);
    assertEquals(200, r.statusCode());
    assertInstanceOf(FirmwareResponse.NotFound.class, FirmwareCodec.decodeResponse(r.body()));
  }

  @AfterAll
  static void stop() throws Exception {
    fleet.close();
  }

  static HttpResponse<byte[]> post(String url, byte[] body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /**
   * The status of a vault request one byte over the cap. The server refuses it from its
   * Content-Length and closes the connection: a client of its own keeps the next request off it
   * (see {@link OversizePost}).
   */
  static int postOversize(String url) throws Exception {
    return OversizePost.status(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[FirmwareCodec.REQUEST_BYTES_MAX + 1])).build());
  }

  static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aFollower_refusesWithTheLeaderInBkvLeader_andTheLeaderAnswers() throws Exception {
    int leader = NodeFleetHttpTest.awaitLeader(fleet.frontend.baseUrl());
    int follower = (leader + 1) % 3;
    byte[] status = FirmwareCodec.encode(new FirmwareRequest.Status(UserId.ofUtf8("nobody")));
    HttpResponse<byte[]> refused = post(fleet.nodes.get(follower).baseUrl() + "/bkv/vault", status);
    assertEquals(200, refused.statusCode());
    FirmwareResponse.Refused r = assertInstanceOf(FirmwareResponse.Refused.class, FirmwareCodec.decodeResponse(refused.body()));
    assertEquals(FirmwareResponse.Reason.NOT_LEADER, r.reason());
    assertEquals(Integer.toString(leader), refused.headers().firstValue(NodeHttpServer.LEADER_HEADER).orElseThrow());
    HttpResponse<byte[]> answered = post(fleet.nodes.get(leader).baseUrl() + "/bkv/vault", status);
    assertInstanceOf(FirmwareResponse.NotFound.class, FirmwareCodec.decodeResponse(answered.body()));

    // A registration started on a follower could never be uploaded (only its starter takes
    // the upload, only a leader appends): the follower sends the client to the leader first.
    OpaqueClient opaque = new OpaqueClient(VaultProtocol.opaqueConfig(NodeFleetHttpTest.FAST_KSF));
    byte[] start = FirmwareCodec.encode(new FirmwareRequest.RegisterStart(UserId.ofUtf8("carol"),
        opaque.startRegistration(Password.utf8("pw"), LoopbackFleet.RANDOM).request()));
    HttpResponse<byte[]> sent = post(fleet.nodes.get(follower).baseUrl() + "/bkv/vault", start);
    assertEquals(FirmwareResponse.Reason.NOT_LEADER,
        assertInstanceOf(FirmwareResponse.Refused.class, FirmwareCodec.decodeResponse(sent.body())).reason());
    assertEquals(Integer.toString(leader), sent.headers().firstValue(NodeHttpServer.LEADER_HEADER).orElseThrow());
    assertInstanceOf(FirmwareResponse.RegisterStarted.class,
        FirmwareCodec.decodeResponse(post(fleet.nodes.get(leader).baseUrl() + "/bkv/vault", start).body()));
  }

  @Test
  void theLogRoute_relaysTheWitnessLog() throws Exception {
    Path w = dir.resolve("witness");
    Witness.init(w, "witness.example/w1", "witness.example/w1/bundles", LoopbackFleet.RANDOM);
    Witness witness = Witness.open(w);
    FrontendConfig relaying = new FrontendConfig("fleet-1", "127.0.0.1", 0, List.of(
        new FrontendConfig.Node(0, "dc-1", URI.create(fleet.nodes.get(0).baseUrl()))), Optional.empty(), Optional.empty());
    try (WitnessHttpServer server = WitnessHttpServer.start(new InetSocketAddress("127.0.0.1", 0), witness.service());
        FrontendHttpServer frontend = FrontendHttpServer.start(new InetSocketAddress("127.0.0.1", 0),
            relaying.withWitness(URI.create(server.baseUrl())))) {
      HttpResponse<String> direct = get(server.baseUrl() + "/checkpoint");
      HttpResponse<String> relayed = get(frontend.baseUrl() + "/bkv/log/checkpoint");
      assertEquals(200, relayed.statusCode());
      assertEquals(direct.body(), relayed.body());
      assertEquals(400, get(frontend.baseUrl() + "/bkv/log/tile/..%2F..%2Fkeys").statusCode());
      assertEquals(404, get(frontend.baseUrl() + "/bkv/log/no-such-file").statusCode()); // the witness's own 404
    } finally {
      witness.close();
    }
  }

  @Test
  void badRequests_getTheirStatusCodes() throws Exception {
    String node = fleet.nodes.get(0).baseUrl();
    assertEquals(413, postOversize(node + "/bkv/vault"));
    HttpResponse<byte[]> garbage = post(node + "/bkv/vault", new byte[] {9, 9, 9});
    assertEquals(200, garbage.statusCode());
    assertEquals(FirmwareResponse.Reason.MALFORMED_REQUEST,
        ((FirmwareResponse.Refused) FirmwareCodec.decodeResponse(garbage.body())).reason());
    assertEquals(405, get(node + "/bkv/vault").statusCode());
    assertEquals(405, post(node + "/bkv/status", new byte[0]).statusCode());
    assertEquals(404, get(node + "/elsewhere").statusCode());
    // A forged peer message is accepted for delivery (204) and dropped by the HSM's MAC check.
    assertEquals(204, post(node + "/bkv/peer", new byte[] {1, 2, 3}).statusCode());
    String frontend = fleet.frontend.baseUrl();
    assertEquals(413, postOversize(frontend + "/bkv/vault"));
    assertEquals(404, get(frontend + "/bkv/log/checkpoint").statusCode()); // this frontend relays no witness
    assertEquals(405, post(frontend + "/bkv/bundle", new byte[0]).statusCode());
  }

  @Test
  void theBundleRoute_servesTheNewestWitnessedBundleFile_or404() throws Exception {
    String frontend = fleet.frontend.baseUrl();
    assertEquals(404, get(frontend + "/bkv/bundle").statusCode());
    Path bundles = Files.createDirectories(fleet.workspace.resolve("bundles"));
    Files.writeString(bundles.resolve("1.witnessed"), "not a witnessed bundle\n");
    assertEquals(404, get(frontend + "/bkv/bundle").statusCode()); // not this fleet's (not a bundle at all)
    Path file = dir.resolve("current.witnessed");
    Files.writeString(file, "bundle bytes as published\n");
    FrontendConfig named = new FrontendConfig("fleet-1", "127.0.0.1", 0, List.of(
        new FrontendConfig.Node(0, "dc-1", URI.create(fleet.nodes.get(0).baseUrl()))), Optional.of(file), Optional.empty());
    try (FrontendHttpServer other = FrontendHttpServer.start(new InetSocketAddress("127.0.0.1", 0), named)) {
      HttpResponse<String> served = get(other.baseUrl() + "/bkv/bundle");
      assertEquals(200, served.statusCode());
      assertEquals("bundle bytes as published\n", served.body()); // a named file is served as it is
    }
  }

  @Test
  void statuses_haveTheirDocumentedShape() throws Exception {
    int leader = NodeFleetHttpTest.awaitLeader(fleet.frontend.baseUrl());
    Thread.sleep(3 * LoopbackFleet.FAST.heartbeatMillis()); // a heartbeat reaches every follower
    Map<String, Object> fleetStatus = NodeFleetHttpTest.status(fleet.frontend.baseUrl());
    assertEquals("fleet-1", fleetStatus.get("fleet"));
    @SuppressWarnings("unchecked")
    List<Object> nodes = (List<Object>) fleetStatus.get("nodes");
    assertEquals(3, nodes.size());
    for (int i = 0; i < 3; i++) {
      @SuppressWarnings("unchecked")
      Map<String, Object> n = (Map<String, Object>) nodes.get(i);
      assertEquals(List.of("format", "fleet", "hsm", "hsmId", "datacenter", "role", "term", "commitIndex", "leader",
          "abstaining", "storage", "peers", "uptimeMillis"), new ArrayList<>(n.keySet()));
      assertEquals("bkv-node-status/1", n.get("format"));
      assertEquals(i, ((Number) n.get("hsm")).intValue());
      assertEquals(fleet.fleet.members().get(i).hsmId().toHex(), n.get("hsmId"));
      assertEquals("ok", n.get("storage"));
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> peers = (List<Map<String, Object>>) (List<?>) n.get("peers");
      assertEquals(2, peers.size());
      // A follower hears from its leader (followers do not talk to each other); a leader from everyone.
      for (Map<String, Object> p : peers) {
        int peer = ((Number) p.get("hsm")).intValue();
        if (i == leader || peer == leader) {
          assertTrue(((Number) p.get("lastContactMillis")).longValue() >= 0, "leader and follower have talked: " + n);
        }
      }
    }
  }

  @Test
  void traceLines_areJsonWithAHeaderAndNonDecreasingClock() throws Exception {
    for (int i = 0; i < 3; i++) {
      List<String> lines = Files.readAllLines(dir.resolve("trace-" + i + ".jsonl"), StandardCharsets.UTF_8);
      assertTrue(lines.size() > 1, "node " + i + " traced its steps");
      Map<String, Object> header = Json.parseObject(lines.get(0));
      assertEquals("bkv-node-trace/1", header.get("format"));
      assertEquals(i, ((Number) header.get("node")).intValue());
      long t = Long.MIN_VALUE;
      boolean sawStep = false;
      for (String line : lines.subList(1, lines.size())) {
        Map<String, Object> event = Json.parseObject(line);
        long at = ((Number) event.get("t")).longValue();
        assertTrue(at >= t, "t never goes back within a file");
        t = at;
        assertTrue(event.containsKey("action"), line);
        sawStep |= event.containsKey("post");
      }
      assertTrue(sawStep, "node " + i + " has rendered steps");
    }
  }

  /**
   * Merged by t, every receipt comes after its send: the sender of a message of term T had
   * reached term T in an event stamped before the receipt (a node's term only grows).
   */
  @Test
  @SuppressWarnings("unchecked")
  void mergedTraceLines_putEverySendBeforeItsReceipt() throws Exception {
    // The nodes write on while the files are read: only receipts stamped before the reading
    // began are judged (their sends were stamped, and flushed, earlier still).
    long cutoff = System.nanoTime();
    List<List<Map<String, Object>>> byNode = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      List<Map<String, Object>> events = new ArrayList<>();
      List<String> lines = Files.readAllLines(dir.resolve("trace-" + i + ".jsonl"), StandardCharsets.UTF_8);
      for (String line : lines.subList(1, lines.size())) {
        events.add(Json.parseObject(line));
      }
      byNode.add(events);
    }
    int receipts = 0;
    for (List<Map<String, Object>> events : byNode) {
      for (Map<String, Object> e : events) {
        if (!e.containsKey("msg") || ((Number) e.get("t")).longValue() >= cutoff) {
          continue;
        }
        Map<String, Object> msg = (Map<String, Object>) e.get("msg");
        long t = ((Number) e.get("t")).longValue();
        long term = ((Number) msg.get("mterm")).longValue();
        int source = ((Number) msg.get("msource")).intValue();
        boolean sent = byNode.get(source).stream().anyMatch(s -> s.containsKey("post")
            && ((Number) s.get("t")).longValue() < t
            && ((Number) ((Map<String, Object>) s.get("post")).get("term")).longValue() >= term);
        assertTrue(sent, "receipt at " + t + " of " + msg + " has no earlier step of its sender in its term");
        receipts++;
      }
    }
    assertTrue(receipts > 0, "the fleet exchanged messages");
  }
}
