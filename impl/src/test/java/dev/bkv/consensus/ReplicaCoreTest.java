package dev.bkv.consensus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The replica core's actions on a fault-free three-HSM fleet, step by step, as the spec orders them. */
class ReplicaCoreTest {
  private static final Membership THREE_DCS = Membership.of(List.of("a", "b", "c"));
  private static final PeerKeys KEYS = PeerKeys.derive(new byte[32], "fleet".getBytes(), 3);

  private final ReplicaCore[] cores = new ReplicaCore[3];
  private final ArrayDeque<byte[]>[] inbox = inboxes();
  private final List<List<Output.Committed>> applied = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());

  @SuppressWarnings("unchecked")
  private static ArrayDeque<byte[]>[] inboxes() {
    return new ArrayDeque[] {new ArrayDeque<>(), new ArrayDeque<>(), new ArrayDeque<>()};
  }

  ReplicaCoreTest() {
    for (int i = 0; i < 3; i++) {
      cores[i] = ReplicaCore.create(i, THREE_DCS, KEYS, ReplicaCore.Limits.defaults(), CoreOptions.PRODUCTION,
          Nvram.INITIAL, RecoveredLog.EMPTY);
    }
  }

  /** The host: performs the writes in order, then sends. */
  private void host(int i, Output out) {
    applied.get(i).addAll(out.committed());
    if (out.logWrite().isPresent()) {
      host(i, cores[i].onLogWritten());
      return;
    }
    for (Message m : out.messages()) {
      inbox[m.dest()].add(cores[i].encode(m));
    }
  }

  private void deliverAll() {
    boolean any = true;
    while (any) {
      any = false;
      for (int i = 0; i < 3; i++) {
        byte[] bytes = inbox[i].poll();
        if (bytes != null) {
          host(i, cores[i].onPeerMessage(bytes));
          any = true;
        }
      }
    }
  }

  @Test
  void electionThenReplicationCommitsOnAMajorityAndAppliesEverywhere() {
    host(0, cores[0].onElectionTimeout());
    deliverAll();
    assertEquals(ReplicaCore.Role.LEADER, cores[0].role());
    Output appended = cores[0].onClientRequest(List.of(new byte[] {1}, new byte[] {2}));
    assertEquals(new Output.Appended(1, 2, 1), appended.appended().orElseThrow());
    assertTrue(appended.committed().isEmpty(), "nothing commits on append");
    host(0, appended);
    host(0, cores[0].onHeartbeatTick());
    deliverAll();
    assertEquals(2, cores[0].commitIndex());
    host(0, cores[0].onHeartbeatTick());
    deliverAll();
    for (int i = 0; i < 3; i++) {
      assertEquals(2, applied.get(i).size(), "HSM " + i + " applied both entries");
      assertArrayEquals(new byte[] {2}, applied.get(i).get(1).entry().payload());
      assertFalse(cores[i].abstains());
    }
  }

  @Test
  void tamperedOrMisdirectedMessagesAreDroppedWithAReason() {
    Output out = cores[0].onElectionTimeout();
    byte[] bytes = cores[0].encode(out.messages().get(0));
    byte[] tampered = bytes.clone();
    tampered[20] ^= 1;
    assertEquals(DropReason.BAD_MAC, cores[1].onPeerMessage(tampered).dropped().orElseThrow());
    assertEquals(DropReason.MISDIRECTED, cores[2].onPeerMessage(bytes).dropped().orElseThrow());
    assertEquals(DropReason.UNDECODABLE, cores[1].onPeerMessage(new byte[60]).dropped().orElseThrow());
    assertTrue(cores[1].onPeerMessage(bytes).dropped().isEmpty());
  }

  @Test
  void aRestartOnAnOlderLogAbstainsUntilALeaderMatchesItAgain() {
    host(0, cores[0].onElectionTimeout());
    deliverAll();
    host(0, cores[0].onClientRequest(List.of(new byte[] {7})));
    host(0, cores[0].onHeartbeatTick());
    deliverAll();
    Nvram nvram = cores[1].nvram();
    assertEquals(new LogHead(1, 1), nvram.head());
    // The host hands HSM 1 back its empty log: foreign, so it abstains.
    cores[1].restart(nvram, RecoveredLog.EMPTY);
    assertTrue(cores[1].foreign());
    assertTrue(cores[1].abstains());
    assertTrue(cores[1].onElectionTimeout().messages().isEmpty(), "an abstaining HSM starts no election");
    host(0, cores[0].onHeartbeatTick());
    deliverAll();
    host(0, cores[0].onHeartbeatTick());
    deliverAll();
    assertFalse(cores[1].abstains(), "caught up once the leader matched it up to catchUp");
  }
}
