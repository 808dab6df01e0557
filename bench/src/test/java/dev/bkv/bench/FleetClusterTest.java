package dev.bkv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.consensus.ReplicaCore;
import dev.bkv.firmware.ReplicatedVault;
import dev.bkv.vault.Response;
import dev.bkv.vault.VaultRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fleet fixture commits every guess once, counts per user on every HSM, and works on real files. */
class FleetClusterTest {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final int USERS = 10;
  private static final int GUESSES = 100;
  private static final int BATCH = 16;

  @Test
  void whenAThreeNodeFleetInMemoryCommitsOneHundredGuessesInBatches_thenEveryHsmCountsEachUsersGuesses() {
    assertTimeoutPreemptively(BOUND, () -> {
      try (FleetCluster cluster = FleetCluster.start(3, FleetCluster.Storage.MEMORY)) {
        cluster.registerUsers(USERS);
        int committed = 0;
        long lastIndex = 0;
        while (committed < GUESSES) {
          int batch = Math.min(BATCH, GUESSES - committed);
          List<ReplicatedVault.Released> released = cluster.countGuesses(batch);
          assertEquals(batch, released.size());
          for (ReplicatedVault.Released r : released) {
            assertTrue(r.index() > lastIndex, "released in log order");
            lastIndex = r.index();
            // Guesses go to the users in turn: the n-th overall is attempt n / USERS + 1 of its user.
            assertEquals(committed / USERS + 1, ((Response.GuessCounted) r.response()).attemptNumber());
            committed++;
          }
        }
        cluster.round(); // followers learn the last commit index from the next heartbeat
        for (int node = 0; node < cluster.size(); node++) {
          ReplicatedVault vault = cluster.vault(node);
          assertEquals(node == cluster.leader() ? ReplicaCore.Role.LEADER : ReplicaCore.Role.FOLLOWER, vault.core().role());
          assertEquals(lastIndex, vault.appliedIndex(), "HSM " + node + " applied every entry");
          for (int u = 0; u < USERS; u++) {
            VaultRecord record = vault.record(cluster.users().id(u)).orElseThrow();
            assertEquals(GUESSES / USERS, record.guessesUsed(), "HSM " + node + ", user " + u);
          }
        }
      }
    });
  }

  @Test
  void whenAFleetWritesItsLogsToFilesWithFsync_thenGuessesCommitAndCloseRemovesTheFiles() {
    assertTimeoutPreemptively(BOUND, () -> {
      Path dir;
      try (FleetCluster cluster = FleetCluster.start(3, FleetCluster.Storage.FSYNC)) {
        cluster.registerUsers(USERS);
        assertEquals(BATCH, cluster.countGuesses(BATCH).size());
        // One write per HSM and batch (group commit), plus the election, no-op and registration writes.
        assertTrue(cluster.storage(1).syncs() >= 3, "follower fsyncs: " + cluster.storage(1).syncs());
        dir = cluster.logDirectory().orElseThrow();
        assertTrue(Files.list(dir.resolve("hsm0")).findAny().isPresent(), "the leader's segments are on disk");
      }
      assertFalse(Files.exists(dir), "close removes the fleet's files");
    });
  }

  @Test
  void whenGuessesWouldExhaustTheUsers_thenTheFixtureRefusesRatherThanCountingDestroyedRecords() {
    try (FleetCluster cluster = FleetCluster.start(3, FleetCluster.Storage.MEMORY)) {
      cluster.registerUsers(1);
      for (int n = 0; n < FleetCluster.MAX_ATTEMPTS; n += FleetCluster.BATCH_MAX / 2) {
        cluster.countGuesses(Math.min(FleetCluster.BATCH_MAX / 2, FleetCluster.MAX_ATTEMPTS - n));
      }
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> cluster.countGuesses(1));
      assertEquals("1 guesses exceed the 0 left to 1 users; call users().ensureBudget between measurements", e.getMessage());
      cluster.users().ensureBudget(1);
      assertEquals(1, ((Response.GuessCounted) cluster.countGuesses(1).get(0).response()).attemptNumber());
    }
  }

  @Test
  void whenAFleetSizeIsOutsideTheBenchmarkRange_thenStartRefusesIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FleetCluster.start(FleetCluster.NODES_MAX + 1, FleetCluster.Storage.MEMORY));
    assertEquals("fleet size must be in [3, 7], got 8", e.getMessage());
  }
}
