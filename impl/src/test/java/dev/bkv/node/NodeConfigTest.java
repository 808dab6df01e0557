package dev.bkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Goal: node and frontend configs parse strictly: every value checked, every bad line named, text round-trips. */
class NodeConfigTest {
  static final Path BASE = Path.of("/srv/ws/fleets/fleet-1/nodes");
  static final String NODE = "bkv-node-config/1\n"
      + "# written by bkv fleet init\n"
      + "fleet fleet-1\n"
      + "fleet-config ../fleet.conf\n"
      + "member 1\n"
      + "hsm-dir ../hsm-2\n"
      + "datacenter dc-2\n"
      + "listen 127.0.0.1 7402\n"
      + "data-dir hsm-2.data\n"
      + "peer 0 http://127.0.0.1:7401\n"
      + "peer 2 http://127.0.0.1:7403\n"
      + "election-timeout-ms 1000 2000\n"
      + "heartbeat-ms 100\n";
  static final String FRONTEND = "bkv-frontend-config/1\n"
      + "fleet fleet-1\n"
      + "listen 127.0.0.1 7400\n"
      + "node 0 dc-1 http://127.0.0.1:7401\n"
      + "node 1 dc-2 http://127.0.0.1:7402\n"
      + "bundle ../../bundles\n"
      + "witness http://127.0.0.1:7380\n";

  static NodeConfig node(String text) throws ConfigException {
    return NodeConfig.parse("hsm-2.conf", text.getBytes(StandardCharsets.US_ASCII), BASE);
  }

  static FrontendConfig frontend(String text) throws ConfigException {
    return FrontendConfig.parse("frontend.conf", text.getBytes(StandardCharsets.US_ASCII), BASE.getParent());
  }

  @Test
  void aNodeConfig_parses_resolvesPathsAgainstItsFolder_andRoundTrips() throws Exception {
    NodeConfig c = node(NODE);
    assertEquals("fleet-1", c.fleetId());
    assertEquals(1, c.member());
    assertEquals(Path.of("/srv/ws/fleets/fleet-1/fleet.conf"), c.fleetConfig());
    assertEquals(Path.of("/srv/ws/fleets/fleet-1/hsm-2"), c.hsmDir());
    assertEquals(Path.of("/srv/ws/fleets/fleet-1/nodes/hsm-2.data"), c.dataDir());
    assertEquals(Map.of(0, URI.create("http://127.0.0.1:7401"), 2, URI.create("http://127.0.0.1:7403")), c.peers());
    assertEquals(new NodeConfig.Timing(1000, 2000, 100, NodeConfig.Timing.DEFAULTS.answerTimeoutMillis()), c.timing());
    assertEquals(Optional.empty(), c.migrationAnchors());
    assertEquals(c, node(c.text("../fleet.conf", "../hsm-2", "hsm-2.data", Optional.empty())));
  }

  @Test
  void aNodeConfig_namesItsMigrationAnchors_relativeToItsFolder_once() throws Exception {
    NodeConfig c = node(NODE + "migration-anchors ../../../client-anchors.txt\n");
    assertEquals(Optional.of(Path.of("/srv/ws/client-anchors.txt")), c.migrationAnchors());
    assertEquals(c, node(c.text("../fleet.conf", "../hsm-2", "hsm-2.data", Optional.of("../../../client-anchors.txt"))));
    ConfigException twice = assertThrows(ConfigException.class,
        () -> node(NODE + "migration-anchors a.txt\nmigration-anchors b.txt\n"));
    assertTrue(twice.getMessage().contains("given twice"), twice.getMessage());
  }

  @Test
  void aBadNodeConfig_isRefusedWithTheLineAndTheReason() {
    String[][] cases = {
        {NODE.replace("bkv-node-config/1", "bkv-node-config/2"), "first line must be 'bkv-node-config/1'"},
        {NODE.replace("member 1\n", ""), "missing 'member' line"},
        {NODE.replace("member 1\n", "member 1\nmember 2\n"), "given twice"},
        {NODE.replace("member 1", "member x"), "not a decimal number"},
        {NODE.replace("member 1", "member 64"), "not in [0, 63]"},
        {NODE.replace("listen 127.0.0.1 7402", "listen 127.0.0.1 70000"), "not in [0, 65535]"},
        {NODE.replace("listen 127.0.0.1 7402", "listen 127.0.0.1"), "expects 2 values, got 1"},
        {NODE.replace("peer 0 http://127.0.0.1:7401", "peer 0 ftp://127.0.0.1:7401"), "is not an http(s)://host:port URL"},
        {NODE.replace("peer 0 http://127.0.0.1:7401", "peer 2 http://127.0.0.1:7401"), "peer 2 given twice"},
        {NODE.replace("peer 0 http://127.0.0.1:7401", "peer 1 http://127.0.0.1:7401"), "own member index"},
        {NODE.replace("heartbeat-ms 100", "heartbeat-ms 600"), "heartbeat must be in [1, election timeout min / 2]"},
        {NODE.replace("election-timeout-ms 1000 2000", "election-timeout-ms 2000 1000"), "min <= max"},
        {NODE.replace("datacenter dc-2", "datacenter dc-2  "), "exactly one space"},
        {NODE + "colour blue\n", "unknown key"},
        {NODE.replace("fleet fleet-1", "fleet fl\u00e9et"), "not printable ASCII"},
    };
    for (String[] c : cases) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> NodeConfig.parse("hsm-2.conf", c[0].getBytes(StandardCharsets.UTF_8), BASE), c[1]);
      assertTrue(e.getMessage().startsWith("hsm-2.conf: "), e.getMessage());
      assertTrue(e.getMessage().contains(c[1]), c[1] + " in: " + e.getMessage());
      assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
    assertThrows(ConfigException.class, () -> NodeConfig.parse("big", new byte[NodeConfig.CONFIG_BYTES_MAX + 1], BASE));
  }

  @Test
  void aFrontendConfig_parses_andRoundTrips() throws Exception {
    FrontendConfig c = frontend(FRONTEND);
    assertEquals(7400, c.listenPort());
    assertEquals(2, c.nodes().size());
    assertEquals(new FrontendConfig.Node(1, "dc-2", URI.create("http://127.0.0.1:7402")), c.nodes().get(1));
    assertEquals(Optional.of(Path.of("/srv/ws/bundles")), c.bundle());
    assertEquals(Optional.of(URI.create("http://127.0.0.1:7380")), c.witness());
    assertEquals(c, frontend(c.text(Optional.of("../../bundles"))));
  }

  @Test
  void aBadFrontendConfig_isRefusedWithTheLineAndTheReason() {
    String[][] cases = {
        {FRONTEND.replace("node 0 dc-1 http://127.0.0.1:7401\n", ""), "must be members 0..0 each once, got [1]"},
        {FRONTEND.replace("node 1 dc-2", "node 0 dc-2"), "node 0 given twice"},
        {FRONTEND.replace("witness http://127.0.0.1:7380", "witness http://127.0.0.1:7380/log"), "not an http(s)://host:port URL"},
        {FRONTEND.replace("listen 127.0.0.1 7400\n", ""), "missing 'listen' line"},
        {"bkv-frontend-config/1\nfleet fleet-1\nlisten 127.0.0.1 7400\n", "missing 'node' lines"},
    };
    for (String[] c : cases) {
      ConfigException e = assertThrows(ConfigException.class, () -> frontend(c[0]), c[1]);
      assertTrue(e.getMessage().contains(c[1]), c[1] + " in: " + e.getMessage());
    }
  }
}
