package dev.bkv.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.client.RecoveryResult;
import dev.bkv.client.VaultClient;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.hsm.SoftHsm;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.UserId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a node whose disk fails stops with one line naming the failure, shows it in its
 * status, and the rest of the fleet serves on. Method: a follower's sealed-log folder is
 * replaced by a file, then a registration makes every HSM append.
 */
class NodeStorageFailureTest {
  @TempDir Path dir;

  @Test
  void aFollowerWhoseDiskFails_stopsWithOneLine_andTheMajorityServesOn() throws Exception {
    try (LoopbackFleet fleet = LoopbackFleet.start(dir, 3, 3)) {
      VaultClient client = new VaultClient(new TestVaultHttpTransport(fleet.frontend.baseUrl()),
          SoftHsm.open(fleet.fleetDir.resolve("hsm-1"), LoopbackFleet.RANDOM).opaqueServerSetup().serverPublicKey(),
          NodeFleetHttpTest.FAST_KSF, LoopbackFleet.RANDOM);
      client.status(UserId.ofUtf8("nobody")); // answered by a leader with a committed entry of its term
      int leader = NodeFleetHttpTest.awaitLeader(fleet.frontend.baseUrl());
      int broken = (leader + 1) % 3;
      Path data = fleet.nodes.get(broken).host().config().dataDir();
      try (Stream<Path> files = Files.walk(data)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
      Files.writeString(data, "not a folder");

      byte[] key = new byte[32];
      client.register(UserId.ofUtf8("bob"), Password.utf8("pw"), new BackupKey(key.clone()), 5);
      assertInstanceOf(RecoveryResult.Recovered.class, client.recover(UserId.ofUtf8("bob"), Password.utf8("pw")));

      long until = System.nanoTime() + 10_000_000_000L;
      while (!fleet.failures.containsKey(broken) && System.nanoTime() < until) {
        Thread.sleep(10); // its append may come with the next heartbeat
      }
      String reason = fleet.failures.get(broken);
      assertTrue(reason != null && reason.startsWith("storage error in " + data), String.valueOf(reason));
      assertEquals(1, reason.lines().count(), reason);
      @SuppressWarnings("unchecked")
      Map<String, Object> node = (Map<String, Object>) ((List<Object>) NodeFleetHttpTest.status(
          fleet.frontend.baseUrl()).get("nodes")).get(broken);
      assertEquals(reason, node.get("storage"));
    }
  }
}
