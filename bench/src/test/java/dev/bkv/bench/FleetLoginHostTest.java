package dev.bkv.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bkv.client.RecoveryResult;
import dev.bkv.client.VaultClient;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.Phase;
import dev.bkv.vault.UserId;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The ordinary client registers and recovers through the OPAQUE firmware on a fleet's leader, and every HSM holds the result. */
class FleetLoginHostTest {
  @Test
  void whenAUserRegistersAndRecoversThroughAFiveHsmFleet_thenTheKeyComesBackAndEveryHsmHoldsTheRecord() {
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      try (FleetCluster cluster = FleetCluster.start(5, FleetCluster.Storage.MEMORY)) {
        SecureRandom random = new SecureRandom();
        FleetLoginHost host = new FleetLoginHost(cluster, random);
        VaultClient phone = new VaultClient(host, host.hsm().opaqueServerSetup().serverPublicKey(), Ksf.identity(), random);
        UserId user = FleetUsers.userId(7);
        byte[] key = new byte[FleetCluster.BACKUP_KEY_BYTES];
        key[0] = 42;
        phone.register(user, Password.utf8("pw"), new BackupKey(key));
        RecoveryResult result = phone.recover(user, Password.utf8("pw"));
        assertArrayEquals(key, assertInstanceOf(RecoveryResult.Recovered.class, result).backupKey().toBytes());
        cluster.round(); // followers learn the last commit from the next heartbeat
        for (int node = 0; node < cluster.size(); node++) {
          assertEquals(Phase.EXPOSED, cluster.vault(node).phase(user).orElseThrow(), "HSM " + node);
          assertEquals(0, cluster.vault(node).record(user).orElseThrow().guessesUsed(), "recovery reset the count on HSM " + node);
        }
      }
    });
  }
}
