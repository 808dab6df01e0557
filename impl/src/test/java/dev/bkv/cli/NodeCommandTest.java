package dev.bkv.cli;

import static dev.bkv.testsupport.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import dev.bkv.node.FrontendConfig;
import dev.bkv.node.NodeConfig;
import dev.bkv.testsupport.CliRun;
import dev.bkv.testsupport.ListeningChild;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bkv node} and {@code bkv frontend}: the configs {@code bkv fleet init} and {@code
 * rotate} write, one clear line and a non-zero exit when a node cannot start (port taken,
 * config missing, HSM not the config's member), and a node process that serves its status
 * and shuts down on SIGTERM.
 */
class NodeCommandTest {
  @TempDir Path dir;
  Path workspace;
  Path fleet1;

  @BeforeEach
  void init() throws Exception {
    workspace = dir.resolve("ws");
    Path jar = dir.resolve("vault.jar");
    Files.writeString(jar, "stands for impl/target/bkv-impl.jar");
    CliRun r = run("fleet", "init", "--dir", workspace.toString(), "--hsms", "3", "--datacenters", "3", "--jar",
        jar.toString(), "--base-port", "7400");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("frontend on port 7400"), r.out());
    fleet1 = workspace.resolve("fleets/fleet-1");
  }

  @Test
  void fleetInitAndRotate_writeNodeAndFrontendConfigs_inTheirOwnPortBlocks() throws Exception {
    FrontendConfig frontend = FrontendConfig.load(fleet1.resolve("frontend.conf"));
    assertEquals(7400, frontend.listenPort());
    assertEquals(3, frontend.nodes().size());
    for (int i = 1; i <= 3; i++) {
      NodeConfig node = NodeConfig.load(fleet1.resolve("nodes/hsm-" + i + ".conf"));
      assertEquals(7400 + i, node.listenPort());
      assertEquals(fleet1.resolve("hsm-" + i).toAbsolutePath().normalize(), node.hsmDir());
      assertEquals(2, node.peers().size());
      assertEquals(frontend.nodes().get(node.member()).url(), URI.create("http://127.0.0.1:" + (7400 + i)));
    }
    Path jar = dir.resolve("vault.jar");
    CliRun rotate = run("fleet", "rotate", "--dir", workspace.toString(), "--jar", jar.toString());
    assertEquals(0, rotate.exit(), rotate.err());
    assertEquals(7500, FrontendConfig.load(workspace.resolve("fleets/fleet-2/frontend.conf")).listenPort());
    CliRun status = run("fleet", "status", "--dir", workspace.toString());
    assertEquals(0, status.exit(), status.err());
    assertTrue(status.out().contains("frontend http://127.0.0.1:7400"), status.out());
    assertTrue(status.out().contains("frontend http://127.0.0.1:7500"), status.out());
    assertTrue(status.out().contains("node hsm-3: member "), status.out());
  }

  @Test
  void aTakenPort_aMissingConfig_orAnotherHsm_areOneLineAndExitNonZero() throws Exception {
    Path config = fleet1.resolve("nodes/hsm-1.conf");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      CliRun r = run("node", "--config", config.toString(), "--port", Integer.toString(taken.getLocalPort()));
      assertOneLine(r, "bkv node: cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
    assertOneLine(run("node", "--config", dir.resolve("absent.conf").toString()), "no such file");
    assertOneLine(run("node", "--config", config.toString(), "--port", "0", "--hsm-dir", fleet1.resolve("hsm-2").toString()),
        "but member");
    assertOneLine(run("node", "--config", config.toString(), "--hsm-dir", dir.resolve("nowhere").toString()),
        "is not an HSM directory");
    assertOneLine(run("frontend", "--config", dir.resolve("absent.conf").toString()), "no such file");
  }

  @Test
  @Timeout(120) // a node that accepts the config serves until stopped: a timeout is the failure
  void aFleetConfigThatIsNotTheOneTheEvidenceDescribes_isRefusedInOneLine() throws Exception {
    CliRun rotate = run("fleet", "rotate", "--dir", workspace.toString(), "--jar", dir.resolve("vault.jar").toString());
    assertEquals(0, rotate.exit(), rotate.err());
    // The evidence beside fleet-1's config now describes fleet-2: the operator's files disagree.
    Files.copy(workspace.resolve("fleets/fleet-2/evidence.txt"), fleet1.resolve("evidence.txt"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertOneLine(run("node", "--config", fleet1.resolve("nodes/hsm-1.conf").toString(), "--port", "0"),
        "is not the fleet config the evidence");
  }

  @Test
  void aNodeWhoseMigrationAnchorsAreMissingOrMalformed_refusesToStart_withOneLine() throws Exception {
    Path config = fleet1.resolve("nodes/hsm-1.conf");
    assertOneLine(run("node", "--config", config.toString(), "--port", "0", "--migration-anchors",
        dir.resolve("absent-anchors.txt").toString()), "no such file (the trust anchors named by 'migration-anchors')");
    Path bad = Files.writeString(dir.resolve("bad-anchors.txt"), "bkv-client-anchors/1\nnamespace x\n");
    assertOneLine(run("node", "--config", config.toString(), "--port", "0", "--migration-anchors", bad.toString()),
        "bad-anchors.txt");
    Files.writeString(config, Files.readString(config) + "migration-anchors ../../../client-anchors.txt\n");
    assertOneLine(run("node", "--config", config.toString(), "--port", "0"), "client-anchors.txt: no such file");
  }

  @Test
  void aNodeProcess_servesItsStatus_andStopsOnSigterm() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ListeningChild child = ListeningChild.start(List.of(java, "-cp", System.getProperty("java.class.path"),
        "dev.bkv.cli.Main", "node", "--config", fleet1.resolve("nodes/hsm-2.conf").toString(), "--port", "0"),
        Duration.ofSeconds(60));
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(child.url + "/bkv/status")).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode());
      Map<String, Object> status = Json.parseObject(response.body());
      assertEquals("bkv-node-status/1", status.get("format"));
      assertEquals("fleet-1", status.get("fleet"));
      assertEquals("ok", status.get("storage"));
      assertEquals(2, ((List<?>) status.get("peers")).size());
      for (String key : List.of("hsm", "hsmId", "datacenter", "role", "term", "commitIndex", "leader", "abstaining",
          "uptimeMillis")) {
        assertTrue(status.containsKey(key), key + " in " + status);
      }
      // SIGTERM through the handle: Process.destroy() would also close our end of its output.
      child.process.toHandle().destroy();
      assertTrue(child.process.waitFor(30, TimeUnit.SECONDS), "node did not stop on SIGTERM");
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!child.transcript().contains("shutting down") && System.nanoTime() < until) {
        Thread.sleep(20); // the transcript reader may lag the exit
      }
      assertTrue(child.transcript().contains("shutting down"), child.transcript());
      assertEquals(143, child.process.exitValue(), child.transcript()); // 128 + SIGTERM, after the shutdown hooks
    } finally {
      child.process.destroyForcibly();
    }
  }

  private static void assertOneLine(CliRun r, String expected) {
    assertEquals(1, r.exit(), r.out() + r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains(expected), r.err());
  }
}
