package dev.bkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.net.TestFrontend;
import dev.bkv.testsupport.CliRun;
import java.security.SecureRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 'bkv status' renders the frontend's bkv-fleet-status/1 JSON as one row per node plus the
 * nodes it cannot reach, and exits 1 exactly when no leader is known or a majority is
 * unreachable.
 */
class StatusCommandTest {
  static TestFrontend frontend;

  @BeforeAll
  static void start() throws Exception {
    frontend = new TestFrontend(new SecureRandom());
  }

  @AfterAll
  static void stop() {
    frontend.close();
  }

  static String node(int hsm, String dc, String role, int leader, String storage) {
    return "{\"format\":\"bkv-node-status/1\",\"fleet\":\"fleet-1\",\"hsm\":" + hsm + ",\"hsmId\":\"ab" + hsm + "\","
        + "\"datacenter\":\"" + dc + "\",\"role\":\"" + role + "\",\"term\":7,\"commitIndex\":42,\"leader\":" + leader
        + ",\"abstaining\":false,\"storage\":\"" + storage + "\",\"peers\":[{\"hsm\":" + ((hsm + 1) % 3)
        + ",\"lastContactMillis\":12},{\"hsm\":" + ((hsm + 2) % 3) + ",\"lastContactMillis\":-1}],\"uptimeMillis\":1000}";
  }

  static String unreachable(int hsm) {
    return "{\"hsm\":" + hsm + ",\"url\":\"http://127.0.0.1:740" + (hsm + 1) + "\",\"error\":\"connection refused\"}";
  }

  static String fleet(String... nodes) {
    return "{\"format\":\"bkv-fleet-status/1\",\"fleet\":\"fleet-1\",\"nodes\":[" + String.join(",", nodes) + "]}";
  }

  CliRun status(String json, String... more) {
    frontend.statusJson = json;
    String[] args = new String[2 + more.length + 1];
    args[0] = "status";
    args[1] = "--frontend";
    args[2] = frontend.url();
    System.arraycopy(more, 0, args, 3, more.length);
    return CliRun.run(args);
  }

  @Test
  void aHealthyFleetIsOneRowPerNode() {
    CliRun run = status(fleet(node(0, "dc-a", "leader", 0, "ok"), node(1, "dc-b", "follower", 0, "ok"),
        node(2, "dc-c", "follower", 0, "disk full")));
    assertEquals(0, run.exit(), run.err());
    String[] lines = run.out().split("\n");
    assertEquals("fleet fleet-1: 3 of 3 nodes answered, leader 0", lines[0]);
    assertTrue(lines[1].startsWith("HSM  DC    ROLE      TERM  COMMIT  LEADER  ABSTAINING  STORAGE    LAST CONTACT (ms)"),
        lines[1]);
    assertEquals("0    dc-a  leader    7     42      0       no          ok         1:12 2:never", lines[2]);
    assertTrue(lines[4].contains("disk full"), lines[4]);
    assertEquals(5, lines.length);
  }

  @Test
  void oneUnreachableNodeIsListed_andAMajorityStillAnswers() {
    CliRun run = status(fleet(node(0, "dc-a", "leader", 0, "ok"), unreachable(1), node(2, "dc-c", "follower", 0, "ok")));
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("fleet fleet-1: 2 of 3 nodes answered, leader 0"), run.out());
    assertTrue(run.out().contains("UNREACHABLE hsm 1 at http://127.0.0.1:7402: connection refused"), run.out());
  }

  @Test
  void noLeaderOrNoMajorityExits1() {
    CliRun noLeader = status(fleet(node(0, "dc-a", "candidate", -1, "ok"), node(1, "dc-b", "follower", -1, "ok"),
        node(2, "dc-c", "follower", -1, "ok")));
    assertEquals(1, noLeader.exit());
    assertTrue(noLeader.err().contains("no leader known"), noLeader.err());
    CliRun noMajority = status(fleet(node(0, "dc-a", "leader", 0, "ok"), unreachable(1), unreachable(2)));
    assertEquals(1, noMajority.exit());
    assertTrue(noMajority.err().contains("2 of 3 nodes unreachable"), noMajority.err());
  }

  @Test
  void jsonOutputAndMalformedJson() {
    CliRun json = status(fleet(node(0, "dc-a", "leader", 0, "ok")), "--json");
    assertEquals(0, json.exit(), json.err());
    assertTrue(json.out().startsWith("{\"format\":\"bkv-fleet-status/1\""), json.out());
    CliRun bad = status("{\"format\":\"bkv-fleet-status/1\",\"fleet\":\"f\",\"nodes\":[{\"hsm\":0,\"role\":\"leader\"}]}");
    assertEquals(1, bad.exit());
    assertTrue(bad.err().contains("node 0: \"datacenter\" must be a string"), bad.err());
    CliRun escapes = status(fleet(node(0, "dc-a", "leader", 0, "bad\\u001b[31m")));
    assertTrue(escapes.out().contains("bad?[31m"), "no control characters from the host reach the terminal");
  }

  @Test
  void anUnreachableFrontendExits1() throws Exception {
    int port;
    try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
      port = closed.getLocalPort();
    }
    CliRun run = CliRun.run("status", "--frontend", "http://127.0.0.1:" + port);
    assertEquals(1, run.exit());
    assertTrue(run.err().contains("cannot reach frontend"), run.err());
  }
}
