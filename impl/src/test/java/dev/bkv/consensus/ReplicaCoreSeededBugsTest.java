package dev.bkv.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.consensus.ReplicaCore.Role;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Each seeded bug alone on one core: the one protection it removes, and that the core keeps
 * the rest of its behaviour. The simulator's seeded-bug runs show that its checker finds each
 * bug; these show, one step at a time, that the bug is what the core then does.
 */
class ReplicaCoreSeededBugsTest {
  private static final Membership THREE = Membership.of(List.of("a", "b", "c"));
  private static final PeerKeys KEYS_THREE = PeerKeys.derive(new byte[32], new byte[] {1}, 3);

  private static Entry entry(long term, int payload) {
    return new Entry(term, new byte[] {(byte) payload});
  }

  /** HSM {@code self} of three with the one seeded bug, new. */
  private static ReplicaCore fresh(int self, String bug) {
    return ReplicaCore.create(self, THREE, KEYS_THREE, ReplicaCore.Limits.defaults(), SeededCoreBugs.with(bug),
        Nvram.INITIAL, RecoveredLog.EMPTY);
  }

  @Test
  void staleVotesCounted_aVoteOfAnEarlierTermCountsAndOneOfTheCurrentTermStill() {
    ReplicaCore current = fresh(0, "STALE_VOTES_COUNTED");
    current.onElectionTimeout();
    current.receive(new Message.Vote(1, 1, 0));
    assertEquals(Role.LEADER, current.role());

    ReplicaCore stale = fresh(0, "STALE_VOTES_COUNTED");
    stale.onElectionTimeout();
    stale.onElectionTimeout();
    Output out = stale.receive(new Message.Vote(1, 1, 0));
    assertTrue(out.dropped().isEmpty());
    assertEquals(Role.LEADER, stale.role(), "the vote of term 1 made a leader of term 2");

    ReplicaCore candidate = fresh(0, "STALE_VOTES_COUNTED");
    candidate.onElectionTimeout();
    assertEquals(DropReason.IMPOSSIBLE_TERM, candidate.receive(new Message.Vote(2, 1, 0)).dropped().orElseThrow(),
        "a vote of a later term is still refused");
    assertEquals(Role.CANDIDATE, candidate.role());
  }

  @Test
  void noLogConsistencyCheck_entriesGoAfterTheLogWhateverPrevAndAHeartbeatWritesNothing() {
    ReplicaCore core = fresh(1, "NO_LOG_CONSISTENCY_CHECK");
    Output gap = core.receive(new Message.AppendEntries(1, 0, 1, 3, 1, List.of(entry(1, 4)), 0));
    assertEquals(new LogWrite.Append(0, List.of(entry(1, 4))), gap.logWrite().orElseThrow());
    assertEquals(List.of(new Message.AppendAck(1, 1, 0, true, 4)), core.onLogWritten().messages());

    Output heartbeat = core.receive(new Message.AppendEntries(1, 0, 1, 7, 3, List.of(), 0));
    assertTrue(heartbeat.logWrite().isEmpty());
    assertFalse(core.writing());
    assertEquals(List.of(new Message.AppendAck(1, 1, 0, true, 7)), heartbeat.messages(), "acknowledged at once");
  }

  @Test
  void voteNotInNvram_aRestartForgetsTheVote() {
    ReplicaCore core = fresh(1, "VOTE_NOT_IN_NVRAM");
    core.receive(new Message.RequestVote(1, 0, 1, 0, 0));
    assertEquals(0, core.votedFor());
    core.restart(core.nvram(), RecoveredLog.EMPTY);
    assertEquals(Nvram.NO_VOTE, core.votedFor());
    assertEquals(1, core.currentTerm(), "the term is still read from NVRAM");
  }

  @Test
  void volatileCommitIndexKept_aRestartCommitsAgainUpToTheCommitIndexItHadBefore() {
    ReplicaCore core = fresh(1, "VOLATILE_COMMIT_INDEX_KEPT");
    List<Entry> entries = List.of(entry(1, 1), entry(1, 2), entry(1, 3));
    core.receive(new Message.AppendEntries(1, 0, 1, 0, 0, entries, 2));
    core.onLogWritten();
    assertEquals(2, core.commitIndex());
    Output out = core.restart(core.nvram(), new RecoveredLog(Optional.empty(), entries));
    assertEquals(2, core.commitIndex());
    assertEquals(List.of(new Output.Committed(1, entry(1, 1)), new Output.Committed(2, entry(1, 2))), out.committed(),
        "the entries up to the kept index are handed up again");
  }

  @Test
  void noRollbackDetection_theNvramHeadNeverMovesAndTheHsmDoesNotAbstain() {
    ReplicaCore core = fresh(1, "NO_ROLLBACK_DETECTION");
    core.receive(new Message.AppendEntries(1, 0, 1, 0, 0, List.of(entry(1, 1)), 0));
    core.onLogWritten();
    assertEquals(new Nvram(1, Nvram.NO_VOTE, LogHead.EMPTY, 0), core.nvram());
    Output heartbeat = core.receive(new Message.AppendEntries(1, 0, 1, 1, 1, List.of(), 0));
    assertTrue(heartbeat.nvram().isEmpty(), "nothing moved in NVRAM");
    assertEquals(new Nvram(1, Nvram.NO_VOTE, LogHead.EMPTY, 0), core.nvram());
    assertTrue(core.foreign(), "the sealed log is past the NVRAM head");
    assertFalse(core.abstains());
  }
}
