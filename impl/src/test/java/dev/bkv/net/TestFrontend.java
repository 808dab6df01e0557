package dev.bkv.net;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.client.ClientAnchors;
import dev.bkv.client.VaultClient;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.sim.LocalFleet;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.TilePath;
import dev.bkv.tlog.Tiles;
import dev.bkv.tlog.VerifierSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A frontend for tests: the plan's HTTP API over an in-process {@link LocalFleet}. POST
 * /bkv/vault goes to the fleet's transport; GET /bkv/bundle serves a bundle witnessed in a
 * fixture witness log (real signatures, a real inclusion proof) naming the fleet's OPAQUE key;
 * GET /bkv/log/ serves that log's tiles; GET /bkv/status a canned JSON. Vault requests are
 * counted, and tests may replace what any route serves.
 */
public final class TestFrontend implements AutoCloseable {
  /** Ticks for the fleet's first election. */
  static final int LEADER_TICKS_MAX = 2_000;

  public final LocalFleet fleet;
  public final BundleFixtures.Log log = new BundleFixtures.Log();
  public final AtomicInteger vaultRequests = new AtomicInteger();
  public volatile byte[] servedBundle;
  public volatile String statusJson = "{}";
  /** When set, POST /bkv/vault answers this status with an empty body instead of relaying. */
  public volatile int vaultStatusOverride;
  /** When set, POST /bkv/vault answers 200 with this many junk bytes. */
  public volatile int vaultOversizeBytes;
  private final HttpServer server;
  private final P256Group.Element opaqueKey;
  private Optional<Sha256Digest> previous = Optional.empty();
  private long epoch;

  public TestFrontend(SecureRandom random) throws Exception {
    fleet = LocalFleet.create(3, List.of("dc-a", "dc-b", "dc-c"), random.nextLong(), random);
    if (fleet.runUntilLeader(LEADER_TICKS_MAX).isEmpty()) {
      throw new IllegalStateException("the test fleet elected no leader");
    }
    opaqueKey = VaultClient.attest(fleet.transport()).opaqueServerKey();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/bkv/vault", this::vault);
    server.createContext("/bkv/bundle", e -> answer(e, servedBundle == null ? 404 : 200, servedBundle));
    server.createContext("/bkv/status", e -> answer(e, 200, statusJson.getBytes(StandardCharsets.UTF_8)));
    server.createContext("/bkv/log/", this::tile);
    server.start();
    publish();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The anchors an app of the fixture namespace compiles in. */
  public static TrustAnchors anchors() {
    return new TrustAnchors(BundleFixtures.NAMESPACE, BundleFixtures.bundleKey().verifier(),
        BundleFixtures.operatorKey().publicKey(), BundleFixtures.LOG_ORIGIN, BundleFixtures.logKey().verifier(),
        VerifierSet.of(), 0);
  }

  public static byte[] anchorsFile() {
    return ClientAnchors.format(anchors());
  }

  /** Logs the next epoch's bundle of this fleet (valid from an hour ago for a day) and serves it. */
  public synchronized ValidationBundle publish() throws Exception {
    List<MemberKeys> members = new ArrayList<>();
    for (MemberKeys m : BundleFixtures.members("local-fleet", 3, 3)) {
      members.add(new MemberKeys(m.hsmId(), m.datacenter(), m.identityKey(), opaqueKey));
    }
    long now = Instant.now().getEpochSecond();
    ValidationBundle bundle = ValidationBundle.of(BundleFixtures.NAMESPACE, "local-fleet", ++epoch, now - 3600, now + 86_400,
        members, BundleFixtures.evidenceDigest("local-fleet"), previous);
    previous = Optional.of(bundle.digest());
    servedBundle = BundleFixtures.witness(log, bundle).toBytes();
    return bundle;
  }

  private void vault(HttpExchange e) throws IOException {
    vaultRequests.incrementAndGet();
    byte[] request;
    try (InputStream in = e.getRequestBody()) {
      request = in.readNBytes(64 * 1024);
    }
    if (vaultStatusOverride != 0) {
      answer(e, vaultStatusOverride, new byte[0]);
      return;
    }
    if (vaultOversizeBytes != 0) {
      answer(e, 200, new byte[vaultOversizeBytes]);
      return;
    }
    byte[] response;
    try {
      synchronized (fleet) {
        response = fleet.transport().exchange(request);
      }
    } catch (Exception ex) {
      answer(e, 503, ("no answer: " + ex.getMessage()).getBytes(StandardCharsets.UTF_8));
      return;
    }
    answer(e, 200, response);
  }

  private void tile(HttpExchange e) throws IOException {
    String path = e.getRequestURI().getPath().substring("/bkv/log/".length());
    byte[] body;
    synchronized (this) {
      try {
        TilePath tile = TilePath.parse(path);
        body = tile.entries() || !Tiles.exists(tile, log.tree.size()) ? null : Tiles.hashTile(log.tree, tile);
      } catch (FormatException ex) {
        body = path.equals("checkpoint") ? log.checkpoint(log.tree.size(), List.of()).toBytes() : null;
      }
    }
    answer(e, body == null ? 404 : 200, body);
  }

  private static void answer(HttpExchange e, int status, byte[] body) throws IOException {
    byte[] bytes = body == null ? new byte[0] : body;
    e.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = e.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
