package dev.bkv.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.microraft.RaftNodeStatus;
import io.microraft.RaftRole;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The consensus baseline commits every guess once, counts per user, and stops cleanly. */
class MicroRaftClusterTest {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final int USERS = 10;
  private static final int GUESSES_PER_USER = 10;

  private static byte[] userId(int i) {
    byte[] id = new byte[GuessCounterMachine.USER_ID_BYTES];
    id[0] = (byte) 0x80; // the high bit set: ids are bytes, not signed numbers
    id[GuessCounterMachine.USER_ID_BYTES - 1] = (byte) i;
    return id;
  }

  @Test
  void whenAThreeNodeGroupCommitsOneHundredGuesses_thenTheLeaderCountsEachUsersAndAllMembersStop() {
    assertTimeoutPreemptively(BOUND, () -> {
      MicroRaftCluster cluster = MicroRaftCluster.start(3);
      try {
        assertEquals(RaftRole.LEADER, cluster.leader().getReport().join().getResult().getRole());
        byte[][] batch = new byte[USERS * GUESSES_PER_USER][];
        long[] expected = new long[batch.length];
        for (int i = 0; i < batch.length; i++) {
          batch[i] = userId(i % USERS);
          expected[i] = i / USERS + 1; // the k-th guess of a user answers k: one batch commits in order
        }
        assertArrayEquals(expected, cluster.countGuesses(batch));
        for (int u = 0; u < USERS; u++) {
          assertEquals(GUESSES_PER_USER, cluster.countOnLeader(userId(u)));
        }
        assertEquals(0, cluster.countOnLeader(userId(USERS)));
      } finally {
        cluster.close();
      }
      assertEquals(RaftNodeStatus.TERMINATED, cluster.leader().getStatus());
    });
  }

  @Test
  void whenAGroupSizeIsOutsideTheBaselineRange_thenStartRefusesIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MicroRaftCluster.start(MicroRaftCluster.NODES_MAX + 1));
    assertEquals("MicroRaft group size must be in [1, 7], got 8", e.getMessage());
  }

  @Test
  void whenAUserIdIsNotSixteenBytes_thenTheOperationIsRefusedBeforeReplication() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GuessCounterMachine.User.of(new byte[15]));
    assertEquals("user id must be 16 bytes, got 15", e.getMessage());
  }
}
