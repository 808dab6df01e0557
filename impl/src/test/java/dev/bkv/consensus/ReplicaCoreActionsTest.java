package dev.bkv.consensus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Check;
import dev.bkv.consensus.ReplicaCore.Role;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Each spec action of one core, alone: its preconditions (a message that fails one is
 * dropped with its reason, or changes nothing) and its effect on the core's state and output.
 * Messages are handed to the core already authenticated ({@code receive}), as if from peers.
 */
class ReplicaCoreActionsTest {
  private static final Membership THREE = Membership.of(List.of("a", "b", "c"));
  private static final Membership FIVE = Membership.of(List.of("a", "b", "c", "d", "e"));
  private static final PeerKeys KEYS_THREE = PeerKeys.derive(new byte[32], bytes("fleet"), 3);
  private static final PeerKeys KEYS_FIVE = PeerKeys.derive(new byte[32], bytes("fleet"), 5);
  private static final byte[] STATE = bytes("state");

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static Entry entry(long term, int payload) {
    return new Entry(term, new byte[] {(byte) payload});
  }

  /** HSM {@code self} of three, booted on NVRAM and a log that agree: term {@code term}, no vote. */
  private static ReplicaCore withLog(int self, long term, List<Entry> entries) {
    LogHead head = entries.isEmpty() ? LogHead.EMPTY
        : new LogHead(entries.get(entries.size() - 1).term(), entries.size());
    return ReplicaCore.create(self, THREE, KEYS_THREE, ReplicaCore.Limits.defaults(), CoreOptions.PRODUCTION,
        new Nvram(term, Nvram.NO_VOTE, head, 0), new RecoveredLog(Optional.empty(), entries));
  }

  /** HSM 0 of five, new. */
  private static ReplicaCore firstOfFive() {
    return ReplicaCore.create(0, FIVE, KEYS_FIVE, ReplicaCore.Limits.defaults(), CoreOptions.PRODUCTION, Nvram.INITIAL,
        RecoveredLog.EMPTY);
  }

  private static ReplicaCore fresh(int self) {
    return withLog(self, 0, List.of());
  }

  /** HSM 0 of three holding {@code entries}, elected leader of the term after {@code term}. */
  private static ReplicaCore leader(long term, List<Entry> entries) {
    ReplicaCore core = withLog(0, term, entries);
    core.onElectionTimeout();
    core.receive(new Message.Vote(term + 1, 1, 0));
    assertEquals(Role.LEADER, core.role());
    return core;
  }

  /** HSM 1 of three, following leader 0 of {@code term}, holding {@code entries} written and acknowledged. */
  private static ReplicaCore follower(long term, List<Entry> entries, long commit) {
    ReplicaCore core = fresh(1);
    Output out = core.receive(new Message.AppendEntries(term, 0, 1, 0, 0, entries, commit));
    if (out.logWrite().isPresent()) {
      core.onLogWritten();
    }
    return core;
  }

  private static List<Long> indexes(List<Output.Committed> committed) {
    List<Long> out = new ArrayList<>();
    for (Output.Committed c : committed) {
      out.add(c.index());
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // Timeout

  @Test
  void timeoutStartsAnElectionOfTheNextTermAskingEveryPeerWithItsLogHead() {
    ReplicaCore core = follower(2, List.of(entry(1, 1), entry(2, 2)), 0);
    assertEquals(0, core.leaderHint());
    Output out = core.onElectionTimeout();
    assertEquals(SpecAction.TIMEOUT, out.action().orElseThrow());
    assertEquals(3, core.currentTerm());
    assertEquals(1, core.votedFor());
    assertEquals(Role.CANDIDATE, core.role());
    assertEquals(-1, core.leaderHint());
    assertTrue(core.votedForMe(1));
    assertFalse(core.votedForMe(0));
    assertEquals(List.of(new Message.RequestVote(3, 1, 0, 2, 2), new Message.RequestVote(3, 1, 2, 2, 2)),
        out.messages());
    assertEquals(new Nvram(3, 1, new LogHead(2, 2), 0), out.nvram().orElseThrow(), "term and vote written first");
  }

  @Test
  void aSecondTimeoutForgetsTheVotesOfTheFirstElection() {
    ReplicaCore core = firstOfFive();
    core.onElectionTimeout();
    core.receive(new Message.Vote(1, 2, 0));
    assertTrue(core.votedForMe(2));
    assertEquals(Role.CANDIDATE, core.role(), "two of five is no quorum");
    core.onElectionTimeout();
    assertEquals(2, core.currentTerm());
    assertFalse(core.votedForMe(2));
    core.receive(new Message.Vote(2, 3, 0));
    assertEquals(Role.CANDIDATE, core.role(), "the vote of term 1 does not count in term 2");
    core.receive(new Message.Vote(2, 4, 0));
    assertEquals(Role.LEADER, core.role());
  }

  @Test
  void aLeaderAWritingHsmAndAnAbstainingHsmDoNotTimeOut() {
    ReplicaCore leader = leader(0, List.of());
    Output out = leader.onElectionTimeout();
    assertTrue(out.action().isEmpty());
    assertTrue(out.messages().isEmpty());
    assertEquals(1, leader.currentTerm());

    ReplicaCore writing = fresh(1);
    writing.receive(new Message.AppendEntries(1, 0, 1, 0, 0, List.of(entry(1, 1)), 0));
    assertTrue(writing.writing());
    assertTrue(writing.onElectionTimeout().action().isEmpty());
    assertEquals(1, writing.currentTerm());

    ReplicaCore abstaining = ReplicaCore.create(1, THREE, KEYS_THREE, ReplicaCore.Limits.defaults(),
        CoreOptions.PRODUCTION, new Nvram(1, Nvram.NO_VOTE, new LogHead(1, 1), 0), RecoveredLog.EMPTY);
    assertTrue(abstaining.abstains());
    assertTrue(abstaining.onElectionTimeout().action().isEmpty());
    assertEquals(1, abstaining.currentTerm());
  }

  // ---------------------------------------------------------------------------------------
  // HandleRequestVote

  @Test
  void aVoteRequestOfAnEarlierTermIsDroppedAndCounted() {
    ReplicaCore core = follower(2, List.of(), 0);
    for (int n = 1; n <= 2; n++) {
      Output out = core.receive(new Message.RequestVote(1, 2, 1, 9, 9));
      assertEquals(DropReason.EARLIER_TERM, out.dropped().orElseThrow());
      assertEquals(SpecAction.HANDLE_REQUEST_VOTE, out.action().orElseThrow());
      assertTrue(out.messages().isEmpty());
      assertEquals(n, core.dropped(DropReason.EARLIER_TERM));
    }
    assertEquals(2, core.currentTerm());
    assertEquals(0, core.dropped(DropReason.BAD_MAC));
  }

  @Test
  void oneVotePerTermGrantedOnlyToALogAtLeastAsUpToDateAndSentAgainOnARepeat() {
    ReplicaCore core = fresh(1);
    Output granted = core.receive(new Message.RequestVote(1, 0, 1, 0, 0));
    assertEquals(List.of(new Message.Vote(1, 1, 0)), granted.messages());
    assertEquals(new Nvram(1, 0, LogHead.EMPTY, 0), granted.nvram().orElseThrow());
    assertEquals(0, core.votedFor());

    Output other = core.receive(new Message.RequestVote(1, 2, 1, 5, 5));
    assertTrue(other.messages().isEmpty(), "already voted for 0 in term 1");
    assertTrue(other.nvram().isEmpty(), "nothing changed, nothing written");
    assertEquals(0, core.votedFor());

    Output again = core.receive(new Message.RequestVote(1, 0, 1, 0, 0));
    assertEquals(List.of(new Message.Vote(1, 1, 0)), again.messages(), "a lost vote is sent again");
  }

  @Test
  void aCandidateWithAnOlderLogGetsNoVoteButItsTermIsAdopted() {
    ReplicaCore core = follower(1, List.of(entry(1, 1), entry(1, 2)), 0);
    Output shorter = core.receive(new Message.RequestVote(2, 2, 1, 1, 1));
    assertTrue(shorter.messages().isEmpty());
    assertEquals(2, core.currentTerm());
    assertEquals(Nvram.NO_VOTE, core.votedFor());
    assertEquals(-1, core.leaderHint(), "a newer term forgets the leader");
    assertEquals(new Nvram(2, Nvram.NO_VOTE, new LogHead(1, 2), 0), shorter.nvram().orElseThrow());

    Output olderTerm = core.receive(new Message.RequestVote(3, 2, 1, 0, 0));
    assertTrue(olderTerm.messages().isEmpty());

    Output sameHead = core.receive(new Message.RequestVote(3, 2, 1, 1, 2));
    assertEquals(List.of(new Message.Vote(3, 1, 2)), sameHead.messages(), "an equal head is up to date");
  }

  @Test
  void aLeaderStepsDownOnANewerTermButNotOnARequestOfItsOwnTerm() {
    ReplicaCore core = leader(0, List.of());
    Output sameTerm = core.receive(new Message.RequestVote(1, 2, 0, 0, 0));
    assertTrue(sameTerm.messages().isEmpty(), "it voted for itself");
    assertEquals(Role.LEADER, core.role());
    assertFalse(sameTerm.leadershipLost());

    Output newer = core.receive(new Message.RequestVote(2, 2, 0, 0, 0));
    assertEquals(Role.FOLLOWER, core.role());
    assertTrue(newer.leadershipLost());
    assertEquals(List.of(new Message.Vote(2, 0, 2)), newer.messages());
    assertFalse(core.votedForMe(1), "the votes of its election are gone");
  }

  @Test
  void anAbstainingHsmGrantsNoVote() {
    ReplicaCore core = ReplicaCore.create(1, THREE, KEYS_THREE, ReplicaCore.Limits.defaults(), CoreOptions.PRODUCTION,
        new Nvram(1, Nvram.NO_VOTE, new LogHead(1, 1), 0), RecoveredLog.EMPTY);
    Output out = core.receive(new Message.RequestVote(2, 0, 1, 5, 5));
    assertTrue(out.messages().isEmpty());
    assertEquals(2, core.currentTerm());
  }

  // ---------------------------------------------------------------------------------------
  // HandleVote

  @Test
  void onlyACandidateCountsVotesAndOnlyOfItsCurrentTerm() {
    ReplicaCore follower = fresh(0);
    assertEquals(DropReason.NOT_APPLICABLE, follower.receive(new Message.Vote(0, 1, 0)).dropped().orElseThrow());

    ReplicaCore candidate = fresh(0);
    candidate.onElectionTimeout();
    candidate.onElectionTimeout();
    Output stale = candidate.receive(new Message.Vote(1, 1, 0));
    assertEquals(DropReason.EARLIER_TERM, stale.dropped().orElseThrow());
    assertEquals(SpecAction.HANDLE_VOTE, stale.action().orElseThrow());
    assertEquals(DropReason.IMPOSSIBLE_TERM, candidate.receive(new Message.Vote(3, 1, 0)).dropped().orElseThrow());
    assertEquals(Role.CANDIDATE, candidate.role());
    assertFalse(candidate.votedForMe(1));
  }

  @Test
  void aQuorumOfVotesMakesALeaderWhoseNextIndexIsPastItsLog() {
    ReplicaCore core = ReplicaCore.create(0, FIVE, KEYS_FIVE, ReplicaCore.Limits.defaults(), CoreOptions.PRODUCTION,
        new Nvram(1, Nvram.NO_VOTE, new LogHead(1, 2), 0),
        new RecoveredLog(Optional.empty(), List.of(entry(1, 1), entry(1, 2))));
    core.onElectionTimeout();
    core.receive(new Message.Vote(2, 1, 0));
    Output duplicate = core.receive(new Message.Vote(2, 1, 0));
    assertTrue(duplicate.dropped().isEmpty());
    assertEquals(Role.CANDIDATE, core.role(), "a duplicate vote is not a second vote");
    core.receive(new Message.Vote(2, 3, 0));
    assertEquals(Role.LEADER, core.role());
    assertEquals(0, core.leaderHint());
    for (int j = 1; j < 5; j++) {
      assertEquals(3, core.nextIndex(j));
      assertEquals(0, core.matchIndex(j));
    }
  }

  @Test
  void aReelectedLeaderStartsWithNoPeerKnownToMatch() {
    ReplicaCore core = leader(1, List.of(entry(1, 1)));
    core.receive(new Message.AppendAck(2, 1, 0, true, 1));
    assertEquals(1, core.matchIndex(1));
    core.receive(new Message.RequestVote(3, 2, 0, 1, 1));
    core.onElectionTimeout();
    core.receive(new Message.Vote(4, 1, 0));
    assertEquals(Role.LEADER, core.role());
    assertEquals(0, core.matchIndex(1));
  }

  // ---------------------------------------------------------------------------------------
  // SendAppendEntries

  @Test
  void heartbeatsCarryEntriesFromNextIndexUpToTheLimitAndTheCommitIndex() {
    ReplicaCore core = ReplicaCore.create(0, THREE, KEYS_THREE, new ReplicaCore.Limits(2, 256), CoreOptions.PRODUCTION,
        new Nvram(1, Nvram.NO_VOTE, new LogHead(1, 3), 0),
        new RecoveredLog(Optional.empty(), List.of(entry(1, 1), entry(1, 2), entry(1, 3))));
    assertTrue(core.onHeartbeatTick().messages().isEmpty(), "only a leader sends");
    core.onElectionTimeout();
    core.receive(new Message.Vote(2, 1, 0));
    Output out = core.onHeartbeatTick();
    assertEquals(SpecAction.SEND_APPEND_ENTRIES, out.action().orElseThrow());
    assertEquals(List.of(new Message.AppendEntries(2, 0, 1, 3, 1, List.of(), 0),
        new Message.AppendEntries(2, 0, 2, 3, 1, List.of(), 0)), out.messages());
    core.receive(new Message.AppendAck(2, 1, 0, false, 0));
    assertEquals(1, core.nextIndex(1));
    Message first = core.onHeartbeatTick().messages().get(0);
    assertEquals(new Message.AppendEntries(2, 0, 1, 0, 0, List.of(entry(1, 1), entry(1, 2)), 0), first,
        "two entries, the limit");
    core.receive(new Message.AppendAck(2, 1, 0, false, 2));
    assertEquals(1, core.nextIndex(1), "a hint above nextIndex does not move it forward");
  }

  @Test
  void aHeartbeatWaitsForAWriteInProgress() {
    ReplicaCore core = leader(0, List.of());
    core.onClientRequest(List.of(new byte[] {1}));
    assertTrue(core.writing());
    assertTrue(core.onHeartbeatTick().messages().isEmpty());
  }

  // ---------------------------------------------------------------------------------------
  // HandleAppendEntries, PersistHead

  @Test
  void anAppendEntriesOfAnEarlierTermIsDroppedUnanswered() {
    ReplicaCore core = follower(2, List.of(), 0);
    Output out = core.receive(new Message.AppendEntries(1, 2, 1, 0, 0, List.of(entry(1, 1)), 0));
    assertEquals(DropReason.EARLIER_TERM, out.dropped().orElseThrow());
    assertTrue(out.messages().isEmpty());
    assertEquals(0, core.lastIndex());
    assertEquals(0, core.leaderHint());
  }

  @Test
  void aGapAfterTheLogIsRefusedWithAHintOnePastItsEnd() {
    ReplicaCore core = fresh(1);
    Output out = core.receive(new Message.AppendEntries(1, 0, 1, 3, 1, List.of(entry(1, 4)), 4));
    assertEquals(List.of(new Message.AppendAck(1, 1, 0, false, 1)), out.messages());
    assertTrue(out.logWrite().isEmpty());
    assertEquals(new Nvram(1, Nvram.NO_VOTE, LogHead.EMPTY, 0), out.nvram().orElseThrow(), "the term is adopted");
    assertEquals(0, core.leaderHint());
    assertEquals(0, core.commitIndex());
  }

  @Test
  void aPrevTermMismatchIsRefusedWithAHintAtPrev() {
    ReplicaCore core = follower(2, List.of(entry(1, 1), entry(1, 2)), 0);
    Output out = core.receive(new Message.AppendEntries(2, 0, 1, 2, 2, List.of(), 0));
    assertEquals(List.of(new Message.AppendAck(2, 1, 0, false, 2)), out.messages());
    Output atOne = core.receive(new Message.AppendEntries(2, 0, 1, 1, 2, List.of(), 0));
    assertEquals(List.of(new Message.AppendAck(2, 1, 0, false, 1)), atOne.messages());
  }

  @Test
  void acceptedEntriesAreWrittenThenAcknowledgedAndCommittedUpToTheMatch() {
    ReplicaCore core = fresh(1);
    Output out = core.receive(new Message.AppendEntries(1, 0, 1, 0, 0, List.of(entry(1, 1), entry(1, 2)), 1));
    assertEquals(SpecAction.HANDLE_APPEND_ENTRIES, out.action().orElseThrow());
    assertEquals(new LogWrite.Append(0, List.of(entry(1, 1), entry(1, 2))), out.logWrite().orElseThrow());
    assertEquals(new Nvram(1, Nvram.NO_VOTE, LogHead.EMPTY, 0), out.nvram().orElseThrow(),
        "the adopted term goes to NVRAM with the write request; the head only once the log is written");
    assertTrue(out.messages().isEmpty(), "the acknowledgement waits for the write");
    assertEquals(List.of(1L), indexes(out.committed()));
    assertEquals(1, core.commitIndex());
    assertTrue(core.writing());
    List<Message> whileWriting = List.of(new Message.Vote(1, 2, 1), new Message.RequestVote(2, 2, 1, 5, 5),
        new Message.AppendEntries(1, 0, 1, 2, 1, List.of(), 2), new Message.AppendAck(1, 2, 1, true, 2),
        new Message.InstallSnapshot(1, 0, 1, new Snapshot(5, 1, STATE)));
    for (Message m : whileWriting) {
      assertThrows(Check.InvariantViolation.class, () -> core.receive(m), m.kind() + " while writing");
    }
    assertThrows(Check.InvariantViolation.class, () -> core.compact(new Snapshot(1, 1, STATE)));
    assertThrows(Check.InvariantViolation.class, () -> core.onClientRequest(List.of(new byte[1])));

    Output written = core.onLogWritten();
    assertEquals(SpecAction.PERSIST_HEAD, written.action().orElseThrow());
    assertEquals(List.of(new Message.AppendAck(1, 1, 0, true, 2)), written.messages());
    assertEquals(new Nvram(1, Nvram.NO_VOTE, new LogHead(1, 2), 0), written.nvram().orElseThrow());
    assertFalse(core.writing());
    assertThrows(Check.InvariantViolation.class, core::onLogWritten);

    Output commitBeyond = core.receive(new Message.AppendEntries(1, 0, 1, 2, 1, List.of(), 9));
    assertEquals(List.of(2L), indexes(commitBeyond.committed()), "the commit is capped at the match");
    assertEquals(2, core.commitIndex());
    assertTrue(commitBeyond.nvram().isEmpty(), "a heartbeat that changes nothing writes no NVRAM");
    assertEquals(List.of(new Message.AppendAck(1, 1, 0, true, 2)), commitBeyond.messages());
  }

  @Test
  void entriesAlreadyHeldAreKeptAndTheFirstConflictCutsTheSuffix() {
    ReplicaCore core = follower(2, List.of(entry(1, 1), entry(1, 2), entry(1, 3)), 0);
    Output held = core.receive(new Message.AppendEntries(2, 0, 1, 0, 0, List.of(entry(1, 1)), 0));
    assertTrue(held.logWrite().isEmpty());
    assertEquals(List.of(new Message.AppendAck(2, 1, 0, true, 1)), held.messages());
    assertEquals(3, core.lastIndex(), "a shorter message does not shorten the log");

    Output cut = core.receive(new Message.AppendEntries(2, 0, 1, 0, 0, List.of(entry(1, 1), entry(2, 9)), 0));
    assertEquals(new LogWrite.Append(1, List.of(entry(2, 9))), cut.logWrite().orElseThrow());
    core.onLogWritten();
    assertEquals(2, core.lastIndex());
    assertEquals(2, core.termAt(2));
    assertTrue(core.entryAt(2).sameAs(entry(2, 9)));
  }

  @Test
  void anAppendEntriesMakesACandidateOrALeaderOfAnEarlierTermFollow() {
    ReplicaCore candidate = fresh(1);
    candidate.onElectionTimeout();
    Output sameTerm = candidate.receive(new Message.AppendEntries(1, 0, 1, 0, 0, List.of(), 0));
    assertEquals(Role.FOLLOWER, candidate.role());
    assertEquals(1, candidate.votedFor(), "its own vote of this term stands");
    assertEquals(0, candidate.leaderHint());
    assertFalse(candidate.votedForMe(1));
    assertFalse(sameTerm.leadershipLost());

    ReplicaCore leader = leader(0, List.of());
    Output newer = leader.receive(new Message.AppendEntries(2, 2, 0, 0, 0, List.of(), 0));
    assertTrue(newer.leadershipLost());
    assertEquals(Role.FOLLOWER, leader.role());
    assertEquals(2, leader.currentTerm());
    assertEquals(Nvram.NO_VOTE, leader.votedFor());
    assertEquals(2, leader.leaderHint());
  }

  @Test
  void entriesInsideTheSnapshotMatchWhateverTermTheLeaderNames() {
    Snapshot snapshot = new Snapshot(3, 1, STATE);
    ReplicaCore core = ReplicaCore.create(1, THREE, KEYS_THREE, ReplicaCore.Limits.defaults(), CoreOptions.PRODUCTION,
        new Nvram(1, Nvram.NO_VOTE, new LogHead(1, 4), 0), new RecoveredLog(Optional.of(snapshot), List.of(entry(1, 4))));
    assertEquals(3, core.commitIndex(), "a restart commits up to the snapshot");
    Output inside = core.receive(new Message.AppendEntries(1, 0, 1, 2, 7, List.of(entry(1, 3)), 3));
    assertTrue(inside.logWrite().isEmpty());
    assertTrue(inside.committed().isEmpty(), "entries of the snapshot are applied already");
    assertEquals(List.of(new Message.AppendAck(1, 1, 0, true, 3)), inside.messages());

    Output atSnapshot = core.receive(new Message.AppendEntries(1, 0, 1, 3, 2, List.of(), 0));
    assertEquals(List.of(new Message.AppendAck(1, 1, 0, false, 3)), atSnapshot.messages(),
        "at the snapshot's last index its term is compared");
  }

  @Test
  void entriesUpToTheSnapshotAreSkippedWhateverTheirTermAndHeldOnesAreNotWrittenAgain() {
    Snapshot snapshot = new Snapshot(3, 1, STATE);
    ReplicaCore core = ReplicaCore.create(1, THREE, KEYS_THREE, ReplicaCore.Limits.defaults(), CoreOptions.PRODUCTION,
        new Nvram(1, Nvram.NO_VOTE, new LogHead(1, 4), 0), new RecoveredLog(Optional.of(snapshot), List.of(entry(1, 4))));
    // Entry 2 is inside the snapshot, entry 3 is its last one (committed, so its term is not
    // compared), entry 4 is the log's last entry, already held.
    Output out = core.receive(new Message.AppendEntries(1, 0, 1, 1, 9, List.of(entry(1, 2), entry(5, 3), entry(1, 4)), 4));
    assertTrue(out.logWrite().isEmpty());
    assertEquals(List.of(new Message.AppendAck(1, 1, 0, true, 4)), out.messages());
    assertEquals(List.of(4L), indexes(out.committed()));
    assertEquals(new LogHead(1, 4), core.logHead());
  }

  @Test
  void prevLogIndexZeroMatchesWhateverPrevTermTheMessageNames() {
    ReplicaCore core = fresh(1);
    Output out = core.receive(new Message.AppendEntries(1, 0, 1, 0, 5, List.of(entry(1, 1)), 0));
    assertEquals(new LogWrite.Append(0, List.of(entry(1, 1))), out.logWrite().orElseThrow());
    assertEquals(List.of(new Message.AppendAck(1, 1, 0, true, 1)), core.onLogWritten().messages());
  }

  @Test
  void aHeldPrefixOfANewerTermWritesTheTermBeforeTheAcknowledgementLeaves() {
    ReplicaCore core = follower(1, List.of(entry(1, 1)), 0);
    Output out = core.receive(new Message.AppendEntries(2, 0, 1, 1, 1, List.of(), 0));
    assertTrue(out.logWrite().isEmpty());
    assertEquals(new Nvram(2, Nvram.NO_VOTE, new LogHead(1, 1), 0), out.nvram().orElseThrow());
    assertEquals(List.of(new Message.AppendAck(2, 1, 0, true, 1)), out.messages());
  }

  @Test
  void aForeignLogCatchesUpOnlyOnceALeaderMatchedItPastTheNvramHead() {
    ReplicaCore core = ReplicaCore.create(1, THREE, KEYS_THREE, ReplicaCore.Limits.defaults(), CoreOptions.PRODUCTION,
        new Nvram(1, Nvram.NO_VOTE, new LogHead(1, 3), 0), new RecoveredLog(Optional.empty(), List.of(entry(1, 1))));
    assertTrue(core.foreign());
    assertTrue(core.toString().endsWith(" abstaining"), core.toString());
    core.receive(new Message.AppendEntries(1, 0, 1, 1, 1, List.of(entry(1, 2)), 0));
    Output written = core.onLogWritten();
    assertEquals(new Nvram(1, Nvram.NO_VOTE, new LogHead(1, 2), 3), written.nvram().orElseThrow());
    assertFalse(core.foreign());
    assertTrue(core.abstains(), "matched only to 2 of the 3 it had written");
    core.receive(new Message.AppendEntries(1, 0, 1, 2, 1, List.of(entry(1, 3)), 0));
    core.onLogWritten();
    assertFalse(core.abstains(), "matched up to catchUp");
    assertFalse(core.toString().contains("abstaining"));
  }

  // ---------------------------------------------------------------------------------------
  // Catch-up from a snapshot

  @Test
  void aSnapshotPastTheLogReplacesItAndCommitsItsPrefix() {
    ReplicaCore core = follower(1, List.of(entry(1, 1)), 0);
    Snapshot snapshot = new Snapshot(3, 1, STATE);
    Output out = core.receive(new Message.InstallSnapshot(1, 0, 1, snapshot));
    assertEquals(new LogWrite.InstallSnapshot(snapshot), out.logWrite().orElseThrow());
    assertEquals(snapshot, out.installed().orElseThrow());
    assertEquals(3, core.commitIndex());
    assertEquals(3, core.snapshotIndex());
    assertEquals(snapshot, core.snapshot().orElseThrow());
    Output written = core.onLogWritten();
    assertEquals(List.of(new Message.AppendAck(1, 1, 0, true, 3)), written.messages());
    assertEquals(new LogHead(1, 3), written.nvram().orElseThrow().head());
  }

  @Test
  void aSnapshotOfEntriesTheLogHoldsChangesNoLog() {
    ReplicaCore core = follower(1, List.of(entry(1, 1), entry(1, 2), entry(1, 3)), 0);
    Output out = core.receive(new Message.InstallSnapshot(1, 0, 1, new Snapshot(2, 1, STATE)));
    assertTrue(out.logWrite().isEmpty());
    assertTrue(out.installed().isEmpty());
    assertEquals(List.of(1L, 2L), indexes(out.committed()));
    assertEquals(List.of(new Message.AppendAck(1, 1, 0, true, 2)), out.messages());
    assertEquals(3, core.lastIndex());

    Output committed = core.receive(new Message.InstallSnapshot(1, 0, 1, new Snapshot(2, 7, STATE)));
    assertTrue(committed.logWrite().isEmpty(), "a committed prefix is held, whatever its term says");

    Output otherTerm = core.receive(new Message.InstallSnapshot(1, 0, 1, new Snapshot(3, 2, STATE)));
    assertTrue(otherTerm.installed().isPresent(), "entry 3 is of another term: not held");
  }

  @Test
  void aSnapshotOfANewerTermMakesALeaderFollowItsSender() {
    ReplicaCore core = leader(0, List.of());
    Output out = core.receive(new Message.InstallSnapshot(3, 2, 0, new Snapshot(2, 1, STATE)));
    assertTrue(out.leadershipLost());
    assertEquals(Role.FOLLOWER, core.role());
    assertEquals(3, core.currentTerm());
    assertEquals(Nvram.NO_VOTE, core.votedFor());
    assertEquals(2, core.leaderHint());
    assertEquals(new Nvram(3, Nvram.NO_VOTE, LogHead.EMPTY, 0), out.nvram().orElseThrow());
  }

  @Test
  void aSnapshotOfAnEarlierTermIsDropped() {
    ReplicaCore core = follower(2, List.of(), 0);
    Output out = core.receive(new Message.InstallSnapshot(1, 0, 1, new Snapshot(3, 1, STATE)));
    assertEquals(DropReason.EARLIER_TERM, out.dropped().orElseThrow());
    assertEquals(0, core.snapshotIndex());
  }

  // ---------------------------------------------------------------------------------------
  // HandleAppendAck, AdvanceCommitIndex

  @Test
  void onlyALeaderCountsAcknowledgementsAndOnlyOfItsCurrentTerm() {
    assertEquals(DropReason.NOT_APPLICABLE,
        fresh(0).receive(new Message.AppendAck(0, 1, 0, true, 0)).dropped().orElseThrow());
    ReplicaCore core = leader(1, List.of(entry(1, 1)));
    Output earlier = core.receive(new Message.AppendAck(1, 1, 0, true, 1));
    assertEquals(DropReason.EARLIER_TERM, earlier.dropped().orElseThrow());
    assertEquals(SpecAction.HANDLE_APPEND_ACK, earlier.action().orElseThrow());
    assertEquals(DropReason.IMPOSSIBLE_TERM,
        core.receive(new Message.AppendAck(3, 1, 0, true, 1)).dropped().orElseThrow());
    assertEquals(0, core.matchIndex(1));
  }

  @Test
  void aLeaderCommitsOnlyAnEntryOfItsTermHeldByAQuorumAndEverythingBeforeIt() {
    ReplicaCore core = leader(1, List.of(entry(1, 1), entry(1, 2)));
    Output ack = core.receive(new Message.AppendAck(2, 1, 0, true, 2));
    assertEquals(2, core.matchIndex(1));
    assertEquals(3, core.nextIndex(1));
    assertTrue(ack.committed().isEmpty(), "entries of term 1 wait for an entry of term 2");
    assertEquals(0, core.commitIndex());

    Output appended = core.onClientRequest(List.of(new byte[] {3}));
    assertEquals(new Output.Appended(3, 1, 2), appended.appended().orElseThrow());
    assertEquals(SpecAction.CLIENT_REQUEST, appended.action().orElseThrow());
    assertEquals(new LogWrite.Append(2, List.of(new Entry(2, new byte[] {3}))), appended.logWrite().orElseThrow());
    core.onLogWritten();
    Output late = core.receive(new Message.AppendAck(2, 2, 0, true, 99));
    assertEquals(3, core.matchIndex(2), "an acknowledgement is capped at the leader's log");
    assertEquals(4, core.nextIndex(2));
    assertEquals(List.of(1L, 2L, 3L), indexes(late.committed()));
    assertEquals(3, core.commitIndex());
    assertTrue(core.onHeartbeatTick().messages().contains(new Message.AppendEntries(2, 0, 2, 3, 2, List.of(), 3)));
  }

  @Test
  void inFiveHsmsOneAcknowledgementIsNoQuorumAndTwoAre() {
    ReplicaCore core = firstOfFive();
    core.onElectionTimeout();
    core.receive(new Message.Vote(1, 1, 0));
    core.receive(new Message.Vote(1, 2, 0));
    core.onClientRequest(List.of(new byte[] {1}));
    core.onLogWritten();
    core.receive(new Message.AppendAck(1, 3, 0, true, 1));
    assertEquals(0, core.commitIndex());
    Output again = core.receive(new Message.AppendAck(1, 3, 0, true, 1));
    assertEquals(0, core.commitIndex(), "the same HSM twice is one holder");
    assertTrue(again.committed().isEmpty());
    core.receive(new Message.AppendAck(1, 4, 0, true, 1));
    assertEquals(1, core.commitIndex());
  }

  @Test
  void aRefusedAcknowledgementMovesNextIndexBackToTheHint() {
    ReplicaCore core = leader(1, List.of(entry(1, 1), entry(1, 2), entry(1, 3)));
    assertEquals(4, core.nextIndex(1));
    core.receive(new Message.AppendAck(2, 1, 0, false, 9));
    assertEquals(3, core.nextIndex(1), "a hint past the log is capped at it");
    core.receive(new Message.AppendAck(2, 1, 0, false, 2));
    assertEquals(2, core.nextIndex(1));
    core.receive(new Message.AppendAck(2, 1, 0, true, 1));
    assertEquals(1, core.matchIndex(1));
    core.receive(new Message.AppendAck(2, 1, 0, false, 2));
    assertEquals(2, core.nextIndex(1));
    assertEquals(1, core.matchIndex(1));
  }

  @Test
  void aRefusalAtOrBelowTheMatchForgetsTheMatch() {
    ReplicaCore core = leader(1, List.of(entry(1, 1), entry(1, 2)));
    core.receive(new Message.AppendAck(2, 1, 0, true, 2));
    assertEquals(2, core.matchIndex(1));
    core.receive(new Message.AppendAck(2, 1, 0, false, 2));
    assertEquals(0, core.matchIndex(1));
    assertEquals(2, core.nextIndex(1));
    core.receive(new Message.AppendAck(2, 1, 0, true, 1));
    core.receive(new Message.AppendAck(2, 1, 0, false, 0));
    assertEquals(0, core.matchIndex(1));
    assertEquals(1, core.nextIndex(1), "nextIndex never goes below 1");
  }

  // ---------------------------------------------------------------------------------------
  // ClientRequest

  @Test
  void aFollowerRefusesAClientRequestNamingTheLeaderItKnows() {
    ReplicaCore core = follower(1, List.of(), 0);
    Output out = core.onClientRequest(List.of(new byte[] {1}));
    assertEquals(new Output.Refusal("not the leader", 0), out.refusal().orElseThrow());
    assertTrue(out.logWrite().isEmpty());
    assertEquals(new Output.Refusal("not the leader", -1),
        fresh(1).onClientRequest(List.of(new byte[] {1})).refusal().orElseThrow());
  }

  @Test
  void aClientBatchHasOneUpToTheLimitOfEntries() {
    ReplicaCore core = ReplicaCore.create(0, THREE, KEYS_THREE, new ReplicaCore.Limits(256, 2), CoreOptions.PRODUCTION,
        Nvram.INITIAL, RecoveredLog.EMPTY);
    core.onElectionTimeout();
    core.receive(new Message.Vote(1, 1, 0));
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> core.onClientRequest(List.of()));
    assertEquals("a client batch has 1..2 entries", empty.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> core.onClientRequest(List.of(new byte[1], new byte[1], new byte[1])));
    assertEquals(new Output.Appended(1, 2, 1),
        core.onClientRequest(List.of(new byte[1], new byte[1])).appended().orElseThrow());
  }

  @Test
  void aLeaderRefusesRequestsThatWouldPassEntriesMaxAfterItsSnapshot() {
    int max = ReplicaLog.ENTRIES_MAX;
    ReplicaCore core = ReplicaCore.create(0, THREE, KEYS_THREE, ReplicaCore.Limits.defaults(), CoreOptions.PRODUCTION,
        new Nvram(1, Nvram.NO_VOTE, new LogHead(1, max - 1), 0),
        new RecoveredLog(Optional.empty(), java.util.Collections.nCopies(max - 1, entry(1, 0))));
    core.onElectionTimeout();
    core.receive(new Message.Vote(2, 1, 0));
    Output two = core.onClientRequest(List.of(new byte[1], new byte[1]));
    assertEquals(new Output.Refusal("log full until the next compaction", 0), two.refusal().orElseThrow());
    assertTrue(two.logWrite().isEmpty());
    assertEquals(new Output.Appended(max, 1, 2), core.onClientRequest(List.of(new byte[1])).appended().orElseThrow());
    core.onLogWritten();
    assertTrue(core.onClientRequest(List.of(new byte[1])).refusal().isPresent());
  }

  @Test
  void entriesMaxCountsOnlyTheEntriesAfterTheSnapshot() {
    int max = ReplicaLog.ENTRIES_MAX;
    ReplicaCore core = ReplicaCore.create(0, THREE, KEYS_THREE, ReplicaCore.Limits.defaults(), CoreOptions.PRODUCTION,
        new Nvram(1, Nvram.NO_VOTE, new LogHead(1, max), 0),
        new RecoveredLog(Optional.of(new Snapshot(max, 1, STATE)), List.of()));
    core.onElectionTimeout();
    core.receive(new Message.Vote(2, 1, 0));
    assertEquals(new Output.Appended(max + 1L, 1, 2), core.onClientRequest(List.of(new byte[1])).appended().orElseThrow());
    core.onLogWritten();
    assertEquals(max + 1L, core.lastIndex());
  }

  @Test
  void limitsAreOneToTheEntriesOfOneMessage() {
    int max = PeerCodec.ENTRIES_PER_MESSAGE_MAX;
    new ReplicaCore.Limits(1, 1);
    new ReplicaCore.Limits(max, max);
    assertThrows(IllegalArgumentException.class, () -> new ReplicaCore.Limits(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new ReplicaCore.Limits(max + 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new ReplicaCore.Limits(1, 0));
    assertThrows(IllegalArgumentException.class, () -> new ReplicaCore.Limits(1, max + 1));
  }

  // ---------------------------------------------------------------------------------------
  // Restart, compaction

  @Test
  void aRestartLosesLeadershipAndTheVolatileCommitIndexButKeepsNvram() {
    ReplicaCore core = leader(1, List.of(entry(1, 1)));
    core.onClientRequest(List.of(new byte[] {2}));
    core.onLogWritten();
    core.receive(new Message.AppendAck(2, 1, 0, true, 2));
    assertEquals(2, core.commitIndex());
    Nvram nvram = core.nvram();
    assertEquals(new Nvram(2, 0, new LogHead(2, 2), 0), nvram);
    Output out = core.restart(nvram, new RecoveredLog(Optional.empty(), List.of(entry(1, 1), new Entry(2, new byte[] {2}))));
    assertEquals(SpecAction.RESTART, out.action().orElseThrow());
    assertTrue(out.leadershipLost());
    assertTrue(out.committed().isEmpty(), "nothing is committed again");
    for (int j = 0; j < 3; j++) {
      assertEquals(1, core.nextIndex(j), "ResetVolatile: nextIndex 1");
      assertEquals(0, core.matchIndex(j), "ResetVolatile: matchIndex 0");
      assertFalse(core.votedForMe(j));
    }
    assertEquals(Role.FOLLOWER, core.role());
    assertEquals(0, core.commitIndex());
    assertEquals(0, core.votedFor(), "the vote is in NVRAM");
    assertEquals(2, core.currentTerm());
    assertFalse(core.restart(nvram, RecoveredLog.EMPTY).leadershipLost(), "a follower loses no leadership");
  }

  @Test
  void compactionFoldsOnlyACommittedPrefixAndALaggingFollowerThenGetsTheSnapshot() {
    ReplicaCore core = leader(0, List.of());
    core.onClientRequest(List.of(new byte[] {1}, new byte[] {2}, new byte[] {3}));
    core.onLogWritten();
    core.receive(new Message.AppendAck(1, 1, 0, true, 2));
    assertEquals(2, core.commitIndex());

    assertThrows(Check.InvariantViolation.class, () -> core.compact(new Snapshot(3, 1, STATE)), "entry 3 is not committed");
    assertThrows(Check.InvariantViolation.class, () -> core.compact(new Snapshot(2, 2, STATE)), "entry 2 is of term 1");
    Snapshot snapshot = new Snapshot(2, 1, STATE);
    Output out = core.compact(snapshot);
    assertEquals(new LogWrite.Compact(snapshot), out.logWrite().orElseThrow());
    assertTrue(core.writing());
    assertTrue(core.onLogWritten().messages().isEmpty());
    assertEquals(2, core.snapshotIndex());
    assertEquals(3, core.lastIndex());
    assertEquals(new LogHead(1, 3), core.logHead(), "the head does not move");
    assertTrue(core.hasTermAt(2));
    assertFalse(core.hasTermAt(1));
    assertThrows(Check.InvariantViolation.class, () -> core.compact(snapshot), "the snapshot must move forward");

    List<Message> sent = core.onHeartbeatTick().messages();
    assertEquals(new Message.AppendEntries(1, 0, 1, 2, 1, List.of(new Entry(1, new byte[] {3})), 2), sent.get(0));
    assertEquals(new Message.InstallSnapshot(1, 0, 2, snapshot), sent.get(1), "HSM 2 needs entries compacted away");
    core.receive(new Message.AppendAck(1, 2, 0, true, 1));
    assertEquals(2, core.nextIndex(2));
    assertEquals(new Message.InstallSnapshot(1, 0, 2, snapshot), core.onHeartbeatTick().messages().get(1),
        "nextIndex 2 is the snapshot's last entry: still the snapshot");
    core.receive(new Message.AppendAck(1, 2, 0, true, 2));
    assertTrue(core.onHeartbeatTick().messages().get(1) instanceof Message.AppendEntries);
  }

  // ---------------------------------------------------------------------------------------
  // The boundary: only this core's messages leave, only its own arrive

  @Test
  void messagesNotForThisHsmOrFromNoPeerAreMisdirected() {
    ReplicaCore core = fresh(1);
    assertEquals(DropReason.MISDIRECTED, core.receive(new Message.Vote(1, 0, 2)).dropped().orElseThrow());
    assertEquals(DropReason.MISDIRECTED, core.receive(new Message.Vote(1, 1, 1)).dropped().orElseThrow());
    assertEquals(DropReason.MISDIRECTED, core.receive(new Message.Vote(1, 3, 1)).dropped().orElseThrow());
    assertEquals(DropReason.MISDIRECTED, core.receive(new Message.Vote(1, -1, 1)).dropped().orElseThrow());
    assertEquals(4, core.dropped(DropReason.MISDIRECTED));
    assertThrows(Check.InvariantViolation.class, () -> core.encode(new Message.Vote(1, 0, 1)));
    byte[] own = core.encode(new Message.Vote(1, 1, 0));
    assertEquals(new PeerCodec.Decoded.Accepted(new Message.Vote(1, 1, 0)), PeerCodec.decode(own, 0, KEYS_THREE, true));
  }

  @Test
  void aCoreIsAMemberWithAKeyForEveryMember() {
    assertThrows(Check.InvariantViolation.class, () -> ReplicaCore.create(3, THREE, KEYS_THREE,
        ReplicaCore.Limits.defaults(), CoreOptions.PRODUCTION, Nvram.INITIAL, RecoveredLog.EMPTY));
    assertThrows(Check.InvariantViolation.class, () -> ReplicaCore.create(0, THREE, KEYS_FIVE,
        ReplicaCore.Limits.defaults(), CoreOptions.PRODUCTION, Nvram.INITIAL, RecoveredLog.EMPTY));
    ReplicaCore core = fresh(2);
    assertEquals(2, core.self());
    assertEquals(THREE, core.membership());
    assertEquals(ReplicaCore.Limits.defaults(), core.limits());
    assertEquals("HSM 2 FOLLOWER term 0 log <<0, 0>> commit 0", core.toString());
  }
}
