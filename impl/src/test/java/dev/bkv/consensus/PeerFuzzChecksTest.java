package dev.bkv.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Goal: the checks of the peer fuzz target can fail. Method: each is shown the state it
 * exists to catch (a genuine message passed off as injected, a second leader in a term, a
 * second entry committed at an index) and must throw, while the honest run next to it passes.
 */
class PeerFuzzChecksTest {
  /** Core 0 times out and asks the others for votes: the honest run. */
  private static PeerFuzzTest.Replicas election() {
    PeerFuzzTest.Replicas replicas = new PeerFuzzTest.Replicas();
    replicas.host(0, replicas.cores[0].onElectionTimeout());
    replicas.check();
    return replicas;
  }

  @Test
  void whenAGenuineMessageIsPassedOffAsInjected_thenTheCheckFails() {
    PeerFuzzTest.Replicas replicas = election();
    byte[] requestVote = replicas.pool.get(0);
    byte[] tampered = requestVote.clone();
    tampered[tampered.length - 1] ^= 1;
    replicas.assertDroppedAndUnchanged(PeerFuzzTest.Replicas.dest(tampered), tampered);
    assertThrows(AssertionFailedError.class,
        () -> replicas.assertDroppedAndUnchanged(PeerFuzzTest.Replicas.dest(requestVote), requestVote));
  }

  @Test
  void whenTwoLeadersShareATerm_thenElectionSafetyFails() {
    PeerFuzzTest.Replicas replicas = election();
    for (int round = 0; round < 3; round++) {
      for (byte[] wire : List.copyOf(replicas.pool)) {
        int dest = PeerFuzzTest.Replicas.dest(wire);
        replicas.host(dest, replicas.cores[dest].onPeerMessage(wire));
      }
    }
    assertEquals(ReplicaCore.Role.LEADER, replicas.cores[0].role());
    replicas.check();
    replicas.leaderOfTerm.put(replicas.cores[0].currentTerm(), 1); // as if HSM 1 had led this term too
    assertThrows(AssertionFailedError.class, replicas::check);
  }

  @Test
  void whenTwoEntriesAreCommittedAtOneIndex_thenG3Fails() {
    PeerFuzzTest.Replicas replicas = new PeerFuzzTest.Replicas();
    Output first = new Output();
    first.committed.add(new Output.Committed(1, new Entry(1, new byte[] {1})));
    replicas.host(0, first);
    Output same = new Output();
    same.committed.add(new Output.Committed(1, new Entry(1, new byte[] {1})));
    replicas.host(1, same);
    Output other = new Output();
    other.committed.add(new Output.Committed(1, new Entry(1, new byte[] {2})));
    assertThrows(AssertionFailedError.class, () -> replicas.host(2, other));
  }
}
