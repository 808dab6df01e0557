package dev.bkv.cli;

import static dev.bkv.testsupport.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.client.RecoveryResult;
import dev.bkv.client.VaultClient;
import dev.bkv.client.VaultClientException;
import dev.bkv.client.VaultStatus;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.net.FrontendHttpClient;
import dev.bkv.net.FrontendHttpServer;
import dev.bkv.net.NodeHttpServer;
import dev.bkv.net.PeerHttpLinks;
import dev.bkv.net.VaultHttpTransport;
import dev.bkv.net.WitnessHttpServer;
import dev.bkv.node.LatePeerLinks;
import dev.bkv.node.FleetDeployment;
import dev.bkv.node.FrontendConfig;
import dev.bkv.node.NodeConfig;
import dev.bkv.node.NodeHost;
import dev.bkv.testsupport.CliRun;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.Phase;
import dev.bkv.vault.UserId;
import dev.bkv.witness.Witness;
import dev.bkv.witness.WitnessKeys;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: G8 as an operator runs it. Two fleets of a workspace, each a set of node servers and a
 * frontend on loopback; {@code bkv fleet migrate} moves the users of the first to the second over
 * HTTP with their guess counts, the old fleet answers them no more, a second run changes nothing;
 * an unpublished new fleet, swapped frontends and an old fleet without migration anchors are
 * refused before any record is frozen; {@code bkv audit} names the rotation.
 */
class FleetMigrateCommandTest {
  static final Ksf FAST_KSF = Ksf.argon2id(64, 1, 1);
  /** Small timers, elections slower than LoopbackFleet's so a loaded machine keeps its leader through a test. */
  static final NodeConfig.Timing FAST = new NodeConfig.Timing(400, 800, 40, 5_000);
  static final SecureRandom RANDOM = new SecureRandom();
  static final Password PASSWORD = Password.utf8("correct horse");
  static final long LEADER_WAIT_NANOS_MAX = 20_000_000_000L;
  static final int REGISTER_ATTEMPTS_MAX = 3;

  @TempDir Path dir;
  final List<RunningFleet> running = new ArrayList<>();

  RunningFleet started(RunningFleet fleet) {
    running.add(fleet);
    return fleet;
  }

  @AfterEach
  void stopFleets() {
    running.forEach(RunningFleet::close);
  }


  /** The node servers and frontend of one fleet of the workspace, from the configs 'bkv fleet init/rotate' wrote. */
  static final class RunningFleet implements AutoCloseable {
    final List<NodeHttpServer> nodes = new ArrayList<>();
    final List<LatePeerLinks> links = new ArrayList<>();
    FrontendHttpServer frontend;
    boolean closed;

    /** {@code anchors}: the migration anchors to give nodes whose config names none. */
    static RunningFleet start(Path workspace, String fleetId, Optional<Path> anchors) throws Exception {
      RunningFleet fleet = new RunningFleet();
      Path nodesDir = workspace.resolve("fleets").resolve(fleetId).resolve(FleetDeployment.NODES_DIR);
      TreeMap<Integer, NodeHttpServer> byMember = new TreeMap<>();
      TreeMap<Integer, LatePeerLinks> linksByMember = new TreeMap<>();
      TreeMap<Integer, String> datacenters = new TreeMap<>();
      List<Path> files;
      try (Stream<Path> list = Files.list(nodesDir)) {
        files = list.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
      }
      for (Path file : files) {
        NodeConfig c = NodeConfig.load(file);
        NodeConfig config = new NodeConfig(c.fleetId(), c.fleetConfig(), c.member(), c.hsmDir(), c.datacenter(), "127.0.0.1",
            0, c.dataDir(), c.peers(), FAST, c.migrationAnchors().isPresent() ? c.migrationAnchors() : anchors);
        LatePeerLinks late = new LatePeerLinks();
        NodeHost host = NodeHost.start(config, late, Optional.empty(), reason -> { });
        byMember.put(config.member(), NodeHttpServer.start(new InetSocketAddress("127.0.0.1", 0), host));
        linksByMember.put(config.member(), late);
        datacenters.put(config.member(), config.datacenter());
      }
      List<FrontendConfig.Node> frontendNodes = new ArrayList<>();
      for (var e : byMember.entrySet()) {
        TreeMap<Integer, URI> peers = new TreeMap<>();
        for (var other : byMember.entrySet()) {
          if (!other.getKey().equals(e.getKey())) {
            peers.put(other.getKey(), URI.create(other.getValue().baseUrl()));
          }
        }
        linksByMember.get(e.getKey()).bind(new PeerHttpLinks(peers));
        frontendNodes.add(new FrontendConfig.Node(e.getKey(), datacenters.get(e.getKey()), URI.create(e.getValue().baseUrl())));
      }
      fleet.nodes.addAll(byMember.values());
      fleet.links.addAll(linksByMember.values());
      fleet.frontend = FrontendHttpServer.start(new InetSocketAddress("127.0.0.1", 0), new FrontendConfig(fleetId,
          "127.0.0.1", 0, frontendNodes, Optional.of(workspace.resolve("bundles")), Optional.empty()));
      fleet.awaitLeader();
      return fleet;
    }

    /**
     * Waits until every node names the same leader and it says it leads: a registration's two
     * requests must reach one leader, and on a loaded machine the first election may take a few rounds.
     */
    @SuppressWarnings("unchecked")
    void awaitLeader() throws Exception {
      long until = System.nanoTime() + LEADER_WAIT_NANOS_MAX;
      while (true) {
        Set<Object> named = new HashSet<>();
        int leaders = 0;
        for (Object node : (List<Object>) Json.parseObject(FrontendHttpClient.to(url()).status()).get("nodes")) {
          Map<String, Object> status = (Map<String, Object>) node;
          named.add(status.get("leader"));
          leaders += "leader".equals(status.get("role")) ? 1 : 0;
        }
        if (leaders == 1 && named.size() == 1) {
          return;
        }
        assertTrue(System.nanoTime() < until, "no settled leader: " + FrontendHttpClient.to(url()).status());
        Thread.sleep(20);
      }
    }

    String url() {
      return frontend.baseUrl();
    }

    VaultClient client(WitnessedBundle trusted) {
      return new VaultClient(new VaultHttpTransport(FrontendHttpClient.to(url())), trusted.bundle().opaqueServerKey(),
          FAST_KSF, RANDOM);
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (frontend != null) {
        frontend.close();
      }
      nodes.forEach(NodeHttpServer::close);
      links.forEach(LatePeerLinks::close);
    }
  }

  private Path jar() throws Exception {
    Path jar = dir.resolve("vault.jar");
    if (!Files.exists(jar)) {
      Files.writeString(jar, "stands for impl/target/bkv-impl.jar");
    }
    return jar;
  }

  private static void ok(CliRun r) {
    assertEquals(0, r.exit(), r.out() + r.err());
  }

  /**
   * Registers as a phone does: a registration whose two requests met two leaders (an election in
   * between) is refused as not pending, and the phone starts it again.
   */
  private static void register(VaultClient client, UserId user, Password password, byte[] key) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        client.register(user, password, new BackupKey(key.clone()), 10);
        return;
      } catch (VaultClientException e) {
        if (attempt == REGISTER_ATTEMPTS_MAX || !e.getMessage().contains("UNKNOWN_REGISTRATION")) {
          throw e;
        }
      }
    }
  }

  private static WitnessedBundle bundle(Path op, int epoch) throws Exception {
    return WitnessedBundle.parse(Files.readAllBytes(op.resolve("bundles/" + epoch + ".witnessed")));
  }

  @Test
  void migrate_movesEveryUserWithTheirCounts_isIdempotent_andTheAuditNamesTheRotation() throws Exception {
    Path op = dir.resolve("op");
    ok(run("fleet", "init", "--dir", op.toString(), "--hsms", "3", "--datacenters", "3", "--jar", jar().toString(),
        "--namespace", "test.example/backup"));
    Path wdir = dir.resolve("w1");
    WitnessKeys keys = Witness.init(wdir, "w1.example/w", "w1.example/w/bundles", RANDOM);
    CliRun vkey = run("fleet", "submitter-key", "--dir", op.toString());
    ok(vkey);
    ok(run("witness", "add-operator", "--dir", wdir.toString(), "--vkey", vkey.out().strip()));
    Path vkeys = Files.writeString(dir.resolve("w1.vkeys"), keys.vkeys());
    try (Witness witness = Witness.open(wdir);
        WitnessHttpServer served = WitnessHttpServer.start(new InetSocketAddress("127.0.0.1", 0), witness.service())) {
      String witnessUrl = served.baseUrl();
      ok(run("fleet", "publish", "--dir", op.toString(), "--witness", witnessUrl, "--witness-vkeys", vkeys.toString()));
      Path anchors = op.resolve(FleetDeployment.WORKSPACE_ANCHORS_FILE);
      assertTrue(Files.isRegularFile(anchors), "the first publish writes the workspace's anchors");
      WitnessedBundle one = bundle(op, 1);
      UserId alice = UserId.ofUtf8("alice");
      UserId bob = UserId.ofUtf8("bob");
      byte[] aliceKey = RANDOM.generateSeed(32);
      // Started as 'bkv fleet init' configured it: no migration anchors yet.
      RunningFleet old = started(RunningFleet.start(op, "fleet-1", Optional.empty()));
      VaultClient onOld = old.client(one);
      register(onOld, alice, PASSWORD, aliceKey);
      register(onOld, bob, Password.utf8("bob's"), RANDOM.generateSeed(32));
      for (int i = 0; i < 3; i++) {
        assertInstanceOf(RecoveryResult.NotRecovered.class, onOld.recover(alice, Password.utf8("wrong " + i)));
      }
      assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 7, 10), onOld.status(alice));

      ok(run("fleet", "rotate", "--dir", op.toString(), "--hsms", "3", "--jar", jar().toString()));
      String conf = Files.readString(op.resolve("fleets/fleet-2/nodes/hsm-1.conf"));
      assertTrue(conf.contains("migration-anchors " + FleetDeployment.NODE_ANCHORS_PATH + "\n"), conf);
      // Not yet published: refused from the workspace alone, before any request.
      CliRun unpublished = run("fleet", "migrate", "--dir", op.toString(), "--from", old.url(), "--to",
          "http://127.0.0.1:9");
      assertEquals(2, unpublished.exit(), unpublished.out() + unpublished.err());
      assertEquals(1, unpublished.err().lines().count(), unpublished.err());
      assertTrue(unpublished.err().contains("fleet fleet-2 has no witnessed bundle"), unpublished.err());
      assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 7, 10), onOld.status(alice), "nothing was exported");

      ok(run("fleet", "publish", "--dir", op.toString(), "--witness", witnessUrl));
      WitnessedBundle two = bundle(op, 2);
      RunningFleet fresh = started(RunningFleet.start(op, "fleet-2", Optional.empty()));
      // An old fleet without migration anchors exports nothing: the run stops at once, nothing frozen.
      CliRun unconfigured = run("fleet", "migrate", "--dir", op.toString(), "--from", old.url(), "--to", fresh.url());
      assertEquals(1, unconfigured.exit(), unconfigured.out() + unconfigured.err());
      assertTrue(unconfigured.err().contains("stopped: the old fleet refused to export: MIGRATION_NOT_CONFIGURED"),
          unconfigured.err());
      assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 7, 10), onOld.status(alice), "nothing was frozen");
      // The operator restarts the old fleet's nodes with the workspace's anchors (--migration-anchors).
      old.close();
      old = started(RunningFleet.start(op, "fleet-1", Optional.of(anchors)));
      onOld = old.client(one);
      CliRun swapped = run("fleet", "migrate", "--dir", op.toString(), "--from", fresh.url(), "--to", old.url());
      assertEquals(2, swapped.exit(), swapped.out() + swapped.err());
      assertTrue(swapped.err().contains("--from " + fresh.url() + " serves fleet fleet-2, not fleet-1"), swapped.err());
      CliRun migrated = run("fleet", "migrate", "--dir", op.toString(), "--from", old.url(), "--to", fresh.url());
      ok(migrated);
      assertTrue(migrated.out().contains("alice migrated: 3/10 guesses used, carried over"), migrated.out());
      assertTrue(migrated.out().contains("bob migrated: 0/10 guesses used, carried over"), migrated.out());
      assertTrue(migrated.out().contains("2 users: 2 migrated, 0 already migrated"), migrated.out());

      // G8: the old fleet's records are frozen and answer no login, the right password included.
      assertEquals(new VaultStatus.Registered(Phase.MIGRATED, 7, 10), onOld.status(alice));
      assertInstanceOf(RecoveryResult.NotRecovered.class, onOld.recover(alice, PASSWORD));
      assertEquals(new VaultStatus.Registered(Phase.MIGRATED, 7, 10), onOld.status(alice), "a refused login counts nothing");

      // A second run moves nothing and changes no counter.
      CliRun again = run("fleet", "migrate", "--dir", op.toString(), "--from", old.url(), "--to", fresh.url());
      ok(again);
      assertTrue(again.out().contains("alice already migrated: 3/10"), again.out());
      assertTrue(again.out().contains("2 users: 0 migrated, 2 already migrated"), again.out());

      VaultClient onNew = fresh.client(two);
      assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 7, 10), onNew.status(alice), "the count carried over");
      RecoveryResult.Recovered recovered = assertInstanceOf(RecoveryResult.Recovered.class,
          onNew.recover(alice, PASSWORD));
      assertArrayEquals(aliceKey, recovered.backupKey().toBytes());
      assertEquals(new VaultStatus.Registered(Phase.EXPOSED, 10, 10), onNew.status(alice));

      // The witness's log shows the rotation between the two epochs to anyone who audits it.
      CliRun audit = run("audit", "--witness", witnessUrl, "--published", op.resolve("public").toString());
      ok(audit);
      assertTrue(audit.out().contains("change: fleet fleet-2 replaces fleet fleet-1: 3 HSMs added, 3 removed, "
          + "OPAQUE server key "), audit.out());
      assertTrue(audit.out().contains("AUDIT PASSED"), audit.out());
    }
  }
}
