package dev.bkv.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import dev.bkv.client.RecoveryResult;
import dev.bkv.client.VaultClient;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.hsm.SoftHsm;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.UserId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a fleet of HSM nodes serving HTTP, reached only through the frontend, registers and
 * recovers a user, and keeps serving after its leader's process stops (a new leader is
 * found by following hints and trying the next node). Method: three or five nodes and a frontend on
 * loopback in this process, a real VaultClient over HTTP.
 */
class NodeFleetHttpTest {
  static final Ksf FAST_KSF = Ksf.argon2id(64, 1, 1);
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void threeHsms_register_recover_then_survive_the_leaders_stop() throws Exception {
    registerRecoverAndSurviveTheLeadersStop(3, 3);
  }

  @Test
  void fiveHsms_register_recover_then_survive_the_leaders_stop() throws Exception {
    registerRecoverAndSurviveTheLeadersStop(5, 3);
  }

  private void registerRecoverAndSurviveTheLeadersStop(int hsms, int datacenters) throws Exception {
    try (LoopbackFleet fleet = LoopbackFleet.start(dir.resolve(hsms + "-hsms"), hsms, datacenters)) {
      SoftHsm anyMember = SoftHsm.open(fleet.fleetDir.resolve("hsm-1"), LoopbackFleet.RANDOM);
      VaultClient client = new VaultClient(new TestVaultHttpTransport(fleet.frontend.baseUrl()),
          anyMember.opaqueServerSetup().serverPublicKey(), FAST_KSF, LoopbackFleet.RANDOM);
      UserId alice = UserId.ofUtf8("alice");
      byte[] key = new byte[32];
      LoopbackFleet.RANDOM.nextBytes(key);
      client.register(alice, Password.utf8("correct horse"), new BackupKey(key.clone()), 5);
      RecoveryResult.Recovered first = assertInstanceOf(RecoveryResult.Recovered.class,
          client.recover(alice, Password.utf8("correct horse")));
      assertArrayEquals(key, first.backupKey().toBytes());

      int leader = awaitLeader(fleet.frontend.baseUrl());
      fleet.nodes.get(leader).close();

      assertInstanceOf(RecoveryResult.NotRecovered.class, client.recover(alice, Password.utf8("wrong")));
      RecoveryResult.Recovered second = assertInstanceOf(RecoveryResult.Recovered.class,
          client.recover(alice, Password.utf8("correct horse")));
      assertArrayEquals(key, second.backupKey().toBytes());
      Map<String, Object> after = status(fleet.frontend.baseUrl());
      assertNotEquals(leader, awaitLeader(fleet.frontend.baseUrl()));
      @SuppressWarnings("unchecked")
      Map<String, Object> stopped = (Map<String, Object>) ((List<Object>) after.get("nodes")).get(leader);
      assertTrue(stopped.containsKey("error"), "a stopped node is reported with an error: " + stopped);
    }
  }

  /** The member that leads, once one does (an election may be on); fails after 20 s. */
  static int awaitLeader(String frontendUrl) throws Exception {
    long until = System.nanoTime() + 20_000_000_000L;
    while (true) {
      Map<String, Object> status = status(frontendUrl);
      try {
        return leaderOf(status);
      } catch (AssertionError none) {
        if (System.nanoTime() > until) {
          throw none;
        }
        Thread.sleep(20);
      }
    }
  }

  /** The member whose status says it leads; fails if none does. */
  @SuppressWarnings("unchecked")
  static int leaderOf(Map<String, Object> fleetStatus) {
    for (Object node : (List<Object>) fleetStatus.get("nodes")) {
      Map<String, Object> n = (Map<String, Object>) node;
      if ("leader".equals(n.get("role"))) {
        return ((Number) n.get("hsm")).intValue();
      }
    }
    throw new AssertionError("no leader in " + fleetStatus);
  }

  static Map<String, Object> status(String baseUrl) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/bkv/status"))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    Map<String, Object> status = Json.parseObject(response.body());
    assertEquals("bkv-fleet-status/1", status.get("format"));
    return status;
  }
}
