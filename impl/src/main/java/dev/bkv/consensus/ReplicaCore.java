package dev.bkv.consensus;

import dev.bkv.base.Check;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One HSM's replica of spec/QuorumVault: a pure state machine with one method per spec
 * action. The handlers of peer messages are package-private: from outside the HSM boundary
 * a message arrives only as bytes, through {@link #onPeerMessage}, which checks its MAC. Input in, an {@link Output} out; no threads, clock, sockets, randomness or I/O:
 * the host shell drives it with ticks, peer messages and client requests, and performs the
 * writes and sends each output lists (STYLE.md #1).
 *
 * <p>Each transition is named after its TLA+ action and quotes the conjuncts it implements,
 * in the spec's order (STYLE.md #2). Where the code goes beyond the spec (several entries per
 * AppendEntries, several client requests per append, snapshots and catch-up from them,
 * authenticated wire messages) the comment says so in place. Every action is atomic: it
 * completes within one call, so a trace of calls is a trace of spec steps.
 *
 * <p>Not thread-safe: one host thread owns a core.
 */
public final class ReplicaCore {
  /** The spec's roles. */
  public enum Role {
    FOLLOWER,
    CANDIDATE,
    LEADER
  }

  /** Bounds of one core. */
  public record Limits(int entriesPerAppendMax, int entriesPerRequestMax) {
    public Limits {
      if (entriesPerAppendMax < 1 || entriesPerAppendMax > PeerCodec.ENTRIES_PER_MESSAGE_MAX) {
        throw new IllegalArgumentException("entriesPerAppendMax must be 1.." + PeerCodec.ENTRIES_PER_MESSAGE_MAX);
      }
      if (entriesPerRequestMax < 1 || entriesPerRequestMax > PeerCodec.ENTRIES_PER_MESSAGE_MAX) {
        throw new IllegalArgumentException("entriesPerRequestMax must be 1.." + PeerCodec.ENTRIES_PER_MESSAGE_MAX);
      }
    }

    public static Limits defaults() {
      return new Limits(256, 256);
    }
  }

  /** A write in progress: the sealed log is written; nvHead, catchUp and the messages are not yet. */
  private record Pending(LogHead head, long catchUp, List<Message> out) {}

  private final int self;
  private final Membership membership;
  private final PeerKeys keys;
  private final Limits limits;
  private final CoreOptions options;

  // NVRAM: inside the HSM, survives crashes, never rolled back.
  private long currentTerm;
  private int votedFor;
  private LogHead nvHead;
  private long catchUp;
  private Nvram written;
  // Sealed, host-held.
  private ReplicaLog log;
  // Volatile: lost on every crash.
  private Role role;
  private boolean[] votesGranted;
  private long[] nextIndex;
  private long[] matchIndex;
  private long commitIndex;
  private Pending pending;
  private int leaderHint;
  // Counters, for the host's status page.
  private final long[] drops = new long[DropReason.values().length];

  private ReplicaCore(int self, Membership membership, PeerKeys keys, Limits limits, CoreOptions options) {
    Check.that(membership.isMember(self), "self is a member");
    Check.that(keys.members() == membership.size(), "peer keys for every member");
    this.self = self;
    this.membership = membership;
    this.keys = keys;
    this.limits = limits;
    this.options = options;
  }

  /**
   * {@code Init} for a new HSM ({@link Nvram#INITIAL}, {@link RecoveredLog#EMPTY}), and the
   * boot of a restarted one from its NVRAM and the sealed log the host handed back.
   */
  public static ReplicaCore create(int self, Membership membership, PeerKeys keys, Limits limits, CoreOptions options,
      Nvram nvram, RecoveredLog recovered) {
    ReplicaCore core = new ReplicaCore(self, membership, keys, limits, options);
    core.commitIndex = 0;
    core.restart(nvram, recovered);
    return core;
  }

  // ---------------------------------------------------------------------------------------
  // Elections

  /**
   * {@code Timeout(i)}: the election timer fired. A leader, an HSM with a write in progress
   * and an abstaining HSM do nothing.
   */
  public Output onElectionTimeout() {
    Output out = new Output();
    // /\ ~Writing(i)
    // /\ role[i] \in {"Follower", "Candidate"}
    // /\ ~Abstains(i)
    if (pending != null || role == Role.LEADER || abstains()) {
      return out;
    }
    out.action = SpecAction.TIMEOUT;
    // /\ currentTerm' = [currentTerm EXCEPT ![i] = @ + 1]
    currentTerm = currentTerm + 1;
    // /\ votedFor' = [votedFor EXCEPT ![i] = i]
    votedFor = self;
    // /\ role' = [role EXCEPT ![i] = "Candidate"]
    role = Role.CANDIDATE;
    // /\ votesGranted' = [votesGranted EXCEPT ![i] = {i}]
    Arrays.fill(votesGranted, false);
    votesGranted[self] = true;
    leaderHint = -1;
    // /\ Net({RequestVoteMsg(i, currentTerm[i] + 1)}), one copy per peer
    for (int j = 0; j < membership.size(); j++) {
      if (j != self) {
        out.messages.add(new Message.RequestVote(currentTerm, self, j, log.lastTerm(), log.lastIndex()));
      }
    }
    flushNvram(out);
    return out;
  }

  /** {@code HandleRequestVote(i, m)}. */
  Output onRequestVote(Message.RequestVote m) {
    Output out = new Output(SpecAction.HANDLE_REQUEST_VOTE, m);
    checkNotWriting();
    // /\ m.mterm >= currentTerm[i]
    if (m.term() < currentTerm) {
      return drop(out, DropReason.EARLIER_TERM);
    }
    // newer == m.mterm > currentTerm[i]
    boolean newer = m.term() > currentTerm;
    // voted == IF newer THEN Nil ELSE votedFor[i]
    int voted = newer ? Nvram.NO_VOTE : votedFor;
    // logOk == UpToDate(<<m.mlastLogTerm, m.mlastLogIndex>>, LogHead(log[i]))
    boolean logOk = m.lastLogHead().atLeastAsUpToDateAs(log.head());
    // grant == voted \in {Nil, m.msource} /\ logOk /\ ~Abstains(i)
    boolean grant = (voted == Nvram.NO_VOTE || voted == m.source()) && logOk && !abstains();
    // /\ currentTerm' = [currentTerm EXCEPT ![i] = m.mterm]
    currentTerm = m.term();
    // /\ votedFor' = [votedFor EXCEPT ![i] = IF grant THEN m.msource ELSE voted]
    votedFor = grant ? m.source() : voted;
    // /\ role' = [role EXCEPT ![i] = IF newer THEN "Follower" ELSE @]
    if (newer) {
      stepDown(out);
      leaderHint = -1;
    }
    // /\ Net(IF grant THEN {reply} ELSE {}); NVRAM (term, vote) is written before it leaves.
    // Unlike the spec, which skips a request that changes nothing, a repeated grant is sent
    // again: the first may have been lost, and a duplicate is something the network may do.
    if (grant) {
      out.messages.add(new Message.Vote(m.term(), self, m.source()));
    }
    flushNvram(out);
    return out;
  }

  /** {@code HandleVote(i, m)}: a candidate counts a vote of its current term. */
  Output onVote(Message.Vote m) {
    Output out = new Output(SpecAction.HANDLE_VOTE, m);
    checkNotWriting();
    // /\ role[i] = "Candidate"
    if (role != Role.CANDIDATE) {
      return drop(out, DropReason.NOT_APPLICABLE);
    }
    // /\ m.mterm = currentTerm[i]
    boolean termOk = options.has(CoreBug.STALE_VOTES_COUNTED) ? m.term() <= currentTerm : m.term() == currentTerm;
    if (!termOk) {
      return drop(out, m.term() < currentTerm ? DropReason.EARLIER_TERM : DropReason.IMPOSSIBLE_TERM);
    }
    // /\ m.msource \notin votesGranted[i]
    if (votesGranted[m.source()]) {
      return out;
    }
    // /\ votesGranted' = [votesGranted EXCEPT ![i] = votes]
    votesGranted[m.source()] = true;
    // /\ IF IsQuorum(votes)
    if (membership.isQuorum(count(votesGranted))) {
      // THEN /\ role' = [role EXCEPT ![i] = "Leader"]
      role = Role.LEADER;
      leaderHint = self;
      // /\ nextIndex' = [nextIndex EXCEPT ![i] = [t \in Server |-> Len(log[i]) + 1]]
      Arrays.fill(nextIndex, log.lastIndex() + 1);
      // /\ matchIndex' = [matchIndex EXCEPT ![i] = [t \in Server |-> 0]]
      Arrays.fill(matchIndex, 0);
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // Log replication and commit

  /**
   * {@code SendAppendEntries(i)}: the leader sends every other HSM the entries from its
   * {@code nextIndex} (beyond the spec: up to {@code entriesPerAppendMax} of them, not one),
   * or a heartbeat, with its commit index. Beyond the spec: a follower whose next entry was
   * compacted away gets the leader's snapshot instead.
   */
  public Output onHeartbeatTick() {
    Output out = new Output();
    // /\ ~Writing(i)
    // /\ role[i] = "Leader"
    if (pending != null || role != Role.LEADER) {
      return out;
    }
    out.action = SpecAction.SEND_APPEND_ENTRIES;
    for (int j = 0; j < membership.size(); j++) {
      if (j != self) {
        out.messages.add(appendEntriesFor(j));
      }
    }
    return out;
  }

  /** {@code AppendEntriesMsg(i, j)}. */
  private Message appendEntriesFor(int j) {
    if (nextIndex[j] <= log.snapshotIndex()) {
      return new Message.InstallSnapshot(currentTerm, self, j, log.snapshot().orElseThrow());
    }
    // prev == nextIndex[i][j] - 1
    long prev = nextIndex[j] - 1;
    long through = Math.min(log.lastIndex(), prev + limits.entriesPerAppendMax());
    // mprevLogTerm |-> IF prev > 0 THEN log[i][prev].term ELSE 0
    return new Message.AppendEntries(currentTerm, self, j, prev, log.termAt(prev), log.slice(prev + 1, through),
        commitIndex);
  }

  /**
   * {@code HandleAppendEntries(i, m)}. A changed log is returned to the host to write, and the
   * acknowledgement waits for {@link #onLogWritten()}.
   */
  Output onAppendEntries(Message.AppendEntries m) {
    Output out = new Output(SpecAction.HANDLE_APPEND_ENTRIES, m);
    checkNotWriting();
    // /\ m.mterm >= currentTerm[i]
    if (m.term() < currentTerm && !options.has(CoreBug.STALE_TERM_APPEND_ACCEPTED)) {
      return drop(out, DropReason.EARLIER_TERM);
    }
    // prev == m.mprevLogIndex; logOk == PrevLogMatches(i, m)
    long prev = m.prevLogIndex();
    boolean logOk = prevLogMatches(m);
    // match == prev + Len(m.mentries)
    long match = prev + m.entries().size();
    // commit == Min(m.mcommitIndex, match)
    long commit = Math.min(m.commitIndex(), match);
    // hint == IF Len(log[i]) < prev THEN Len(log[i]) + 1 ELSE prev
    long hint = log.lastIndex() < prev ? log.lastIndex() + 1 : prev;
    // reply == [mtype |-> "AppendAck", mterm |-> m.mterm, ..., msuccess |-> logOk,
    //           mmatchIndex |-> IF logOk THEN match ELSE hint]
    Message reply = new Message.AppendAck(m.term(), self, m.source(), logOk, logOk ? match : hint);
    adoptLeader(m.term(), m.source(), out);
    if (logOk) {
      // /\ WriteLog(i, newLog, match, {reply})
      LogWrite.Append write = acceptedLog(m);
      writeLog(write, match, List.of(reply), out);
      // /\ commitIndex' = [commitIndex EXCEPT ![i] = IF commit > @ THEN commit ELSE @]
      advanceTo(commit, out);
    } else {
      // /\ UNCHANGED <<nvHead, catchUp, sealedVars, commitIndex, pending>>
      // /\ Net({reply})
      out.messages.add(reply);
      flushNvram(out);
    }
    return out;
  }

  /**
   * Beyond the spec: catch-up from a leader's snapshot. It stands for a
   * {@code HandleAppendEntries} with {@code prevLogIndex = 0} whose entries are the committed
   * prefix the snapshot replaced: the follower's log then matches the leader's up to
   * {@code lastIndex}, which is committed.
   */
  Output onInstallSnapshot(Message.InstallSnapshot m) {
    Output out = new Output(SpecAction.HANDLE_APPEND_ENTRIES, m);
    checkNotWriting();
    if (m.term() < currentTerm && !options.has(CoreBug.STALE_TERM_APPEND_ACCEPTED)) {
      return drop(out, DropReason.EARLIER_TERM);
    }
    Snapshot snapshot = m.snapshot();
    long match = snapshot.lastIndex();
    Message reply = new Message.AppendAck(m.term(), self, m.source(), true, match);
    adoptLeader(m.term(), m.source(), out);
    boolean holdsPrefix = match <= commitIndex
        || (log.hasTermAt(match) && log.termAt(match) == snapshot.lastTerm());
    if (holdsPrefix) {
      // The log already holds the snapshot's entries: an AppendEntries that matched and
      // changed nothing.
      writeLog(null, match, List.of(reply), out);
      advanceTo(match, out);
      return out;
    }
    writeLog(new LogWrite.InstallSnapshot(snapshot), match, List.of(reply), out);
    commitIndex = Math.max(commitIndex, match);
    out.installed = snapshot;
    return out;
  }

  /**
   * {@code PersistHead(i)}: the sealed log the last step asked for is written; now
   * {@code nvHead} and {@code catchUp} go to NVRAM, then the step's messages leave.
   */
  public Output onLogWritten() {
    Output out = new Output();
    // /\ Writing(i)
    Check.that(pending != null, "onLogWritten follows a step that asked for a log write");
    out.action = SpecAction.PERSIST_HEAD;
    // /\ nvHead' = [nvHead EXCEPT ![i] = pending[i].nv.head]
    nvHead = pending.head();
    // /\ catchUp' = [catchUp EXCEPT ![i] = pending[i].nv.catchUp]
    catchUp = pending.catchUp();
    List<Message> held = pending.out();
    // /\ pending' = [pending EXCEPT ![i] = NoPending]
    pending = null;
    flushNvram(out);
    // /\ Net(pending[i].out)
    out.messages.addAll(held);
    return out;
  }

  /**
   * {@code HandleAppendAck(i, m)}: the leader counts an acknowledgement of its current term
   * and advances its commit index; a failed check moves {@code nextIndex} back.
   */
  Output onAppendAck(Message.AppendAck m) {
    Output out = new Output(SpecAction.HANDLE_APPEND_ACK, m);
    checkNotWriting();
    // /\ role[i] = "Leader"
    if (role != Role.LEADER) {
      return drop(out, DropReason.NOT_APPLICABLE);
    }
    // /\ m.mterm = currentTerm[i]. An acknowledgement carries the term of the AppendEntries
    // it answers, so none can be of a later term than this HSM has led.
    if (m.term() != currentTerm) {
      return drop(out, m.term() < currentTerm ? DropReason.EARLIER_TERM : DropReason.IMPOSSIBLE_TERM);
    }
    int j = m.source();
    // An acknowledgement of this term answers one of this leader's messages, so it cannot
    // match past this log; capping keeps that true even for a faulty follower.
    long reported = Math.min(m.matchIndex(), log.lastIndex());
    if (m.success()) {
      // /\ ~(m.mmatchIndex <= matchIndex[i][j] /\ m.mmatchIndex + 1 <= nextIndex[i][j])
      if (reported <= matchIndex[j] && reported + 1 <= nextIndex[j]) {
        return out;
      }
      // /\ matchIndex' = [matchIndex EXCEPT ![i] = matchRow]
      matchIndex[j] = Math.max(matchIndex[j], reported);
      // /\ nextIndex' = [nextIndex EXCEPT ![i][j] = IF m.mmatchIndex + 1 > @ THEN m.mmatchIndex + 1 ELSE @]
      nextIndex[j] = Math.max(nextIndex[j], reported + 1);
      // /\ AdvanceCommitIndex(i, log[i], matchRow)
      advanceCommitIndex(out);
    } else {
      // hinted == Min(m.mmatchIndex, nextIndex[i][j])
      long hinted = Math.min(reported, nextIndex[j]);
      if (hinted <= matchIndex[j]) {
        // Beyond the spec: the follower no longer holds entries it acknowledged in this term
        // (the host rolled it back, or it restarted on a foreign log). The spec's leader keeps
        // matchIndex and would not repair it before the next term; lowering matchIndex only
        // makes commits wait for other HSMs, so it is safe, and catch-up starts at once.
        // Nothing of its log is known to match any more.
        matchIndex[j] = 0;
        nextIndex[j] = Math.max(1, hinted);
        return out;
      }
      // back == IF hinted > matchIndex[i][j] THEN hinted ELSE matchIndex[i][j] + 1
      long back = hinted > matchIndex[j] ? hinted : matchIndex[j] + 1;
      // /\ back < nextIndex[i][j]
      // /\ nextIndex' = [nextIndex EXCEPT ![i][j] = back]
      if (back < nextIndex[j]) {
        nextIndex[j] = back;
      }
    }
    return out;
  }

  /**
   * {@code AdvanceCommitIndex(i, log[i], matchIndex[i])}: commit the longest prefix whose
   * last entry is of the current term and held by a quorum ({@code CommitTarget}).
   */
  private void advanceCommitIndex(Output out) {
    long target = commitIndex;
    for (long k = log.lastIndex(); k > commitIndex; k--) {
      // /\ Bug("CommitEarlierTerm") \/ xlog[k].term = currentTerm[i]
      boolean termOk = options.has(CoreBug.COMMIT_EARLIER_TERM) || log.termAt(k) == currentTerm;
      // /\ IsQuorum(Agree(i, matchRow, k))
      if (termOk && membership.isQuorum(agree(k))) {
        target = k;
        break;
      }
    }
    // /\ commitIndex' = [commitIndex EXCEPT ![i] = new]
    advanceTo(target, out);
  }

  /** {@code Cardinality(Agree(i, matchRow, k))}: the leader and every HSM known to hold entry k. */
  private int agree(long k) {
    int holders = 1;
    for (int j = 0; j < membership.size(); j++) {
      if (j != self && matchIndex[j] >= k) {
        holders++;
      }
    }
    return holders;
  }

  // ---------------------------------------------------------------------------------------
  // Client requests

  /**
   * {@code ClientRequest(i, cmd)} for the commands of {@code ClientRegisterStore},
   * {@code ClientRegisterExpose}, {@code ClientGuess} and {@code ClientRecover}, which differ
   * only in the command the layer above puts in the payload. Beyond the spec: several
   * requests are appended in one write (group commit); each is one spec step.
   */
  public Output onClientRequest(List<byte[]> payloads) {
    Output out = new Output();
    checkNotWriting();
    if (payloads.isEmpty() || payloads.size() > limits.entriesPerRequestMax()) {
      throw new IllegalArgumentException("a client batch has 1.." + limits.entriesPerRequestMax() + " entries");
    }
    // /\ role[i] = "Leader"
    if (role != Role.LEADER) {
      out.refusal = new Output.Refusal("not the leader", leaderHint);
      return out;
    }
    if (log.lastIndex() - log.snapshotIndex() + payloads.size() > ReplicaLog.ENTRIES_MAX) {
      out.refusal = new Output.Refusal("log full until the next compaction", self);
      return out;
    }
    // LET newLog == Append(log[i], [term |-> currentTerm[i], cmd |-> cmd])
    List<Entry> entries = new ArrayList<>(payloads.size());
    for (byte[] payload : payloads) {
      entries.add(new Entry(currentTerm, payload));
    }
    out.action = SpecAction.CLIENT_REQUEST;
    out.appended = new Output.Appended(log.lastIndex() + 1, entries.size(), currentTerm);
    // /\ WriteLog(i, newLog, 0, {})
    writeLog(new LogWrite.Append(log.lastIndex(), entries), 0, List.of(), out);
    // /\ IF Bug("CommitWithoutMajority") THEN AdvanceCommitIndex(i, newLog, matchIndex[i])
    if (options.has(CoreBug.COMMIT_WITHOUT_MAJORITY)) {
      advanceTo(log.lastIndex(), out);
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // The host: restarts, compaction

  /**
   * {@code Restart(i)} (and, with another sealed version, {@code HostRollback(i)}): volatile
   * state is lost, a write in progress too; NVRAM and the log the host hands back remain.
   * The commit index restarts at the snapshot, which holds only committed entries.
   */
  public Output restart(Nvram nvram, RecoveredLog recovered) {
    Output out = new Output();
    out.action = SpecAction.RESTART;
    boolean wasLeader = role == Role.LEADER;
    long commitBefore = commitIndex;
    currentTerm = nvram.currentTerm();
    votedFor = options.has(CoreBug.VOTE_NOT_IN_NVRAM) ? Nvram.NO_VOTE : nvram.votedFor();
    nvHead = nvram.head();
    catchUp = nvram.catchUp();
    written = nvram;
    log = new ReplicaLog(recovered);
    // ResetVolatile(i)
    role = Role.FOLLOWER;
    votesGranted = new boolean[membership.size()];
    nextIndex = new long[membership.size()];
    Arrays.fill(nextIndex, 1);
    matchIndex = new long[membership.size()];
    commitIndex = log.snapshotIndex();
    pending = null;
    leaderHint = -1;
    out.leadershipLost = wasLeader;
    if (options.has(CoreBug.VOLATILE_COMMIT_INDEX_KEPT)) {
      advanceTo(commitBefore, out);
      commitIndex = Math.max(commitIndex, commitBefore);
    }
    return out;
  }

  /**
   * Beyond the spec: the layer above folds the committed prefix 1..lastIndex into a snapshot;
   * the host writes it and drops the entries it replaces. The log's head does not move.
   */
  public Output compact(Snapshot snapshot) {
    Output out = new Output();
    checkNotWriting();
    Check.that(snapshot.lastIndex() <= commitIndex, "only committed entries are compacted");
    Check.that(snapshot.lastIndex() > log.snapshotIndex(), "a compaction moves the snapshot forward");
    Check.that(log.termAt(snapshot.lastIndex()) == snapshot.lastTerm(), "the snapshot ends at an entry of this log");
    log.compact(snapshot);
    out.logWrite = new LogWrite.Compact(snapshot);
    pending = new Pending(nvHead, catchUp, List.of());
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // Peer messages

  /**
   * The host delivers bytes from the network ({@code ReceiveRequestVote},
   * {@code ReceiveVote}, {@code ReceiveAppendEntries}, {@code ReceiveAppendAck}): decode,
   * authenticate, dispatch. A tampered, misdirected or undecodable message is dropped with a
   * counted reason; nothing here throws for any input.
   */
  public Output onPeerMessage(byte[] bytes) {
    PeerCodec.Decoded decoded = PeerCodec.decode(bytes, self, keys, !options.has(CoreBug.TAMPERED_MESSAGE_ACCEPTED));
    if (decoded instanceof PeerCodec.Decoded.Dropped) {
      return drop(new Output(), ((PeerCodec.Decoded.Dropped) decoded).reason());
    }
    return receive(((PeerCodec.Decoded.Accepted) decoded).message());
  }

  /**
   * Dispatches an authenticated message to its handler. Package-private: from outside the
   * HSM boundary messages arrive only as bytes, through {@link #onPeerMessage}.
   */
  Output receive(Message m) {
    if (m.dest() != self || !membership.isMember(m.source()) || m.source() == self) {
      return drop(new Output(), DropReason.MISDIRECTED);
    }
    switch (m.kind()) {
      case REQUEST_VOTE:
        return onRequestVote((Message.RequestVote) m);
      case VOTE:
        return onVote((Message.Vote) m);
      case APPEND_ENTRIES:
        return onAppendEntries((Message.AppendEntries) m);
      case APPEND_ACK:
        return onAppendAck((Message.AppendAck) m);
      case INSTALL_SNAPSHOT:
        return onInstallSnapshot((Message.InstallSnapshot) m);
      default:
        throw new AssertionError(m);
    }
  }

  /** The wire bytes of a message this core produced, MAC'd for its link. */
  public byte[] encode(Message m) {
    Check.that(m.source() == self, "a core encodes only its own messages");
    return PeerCodec.encode(m, keys);
  }

  // ---------------------------------------------------------------------------------------
  // Helpers shared by the actions

  /**
   * {@code PrevLogMatches(i, m)}: the log holds an entry at prevLogIndex of the term the
   * leader names. An index inside this HSM's snapshot is committed, and committed entries
   * are in every later leader's log (LeaderCompleteness), so it matches.
   */
  private boolean prevLogMatches(Message.AppendEntries m) {
    long prev = m.prevLogIndex();
    if (options.has(CoreBug.NO_LOG_CONSISTENCY_CHECK) || prev == 0) {
      return true;
    }
    if (prev > log.lastIndex()) {
      return false;
    }
    if (prev < log.snapshotIndex()) {
      return true;
    }
    return log.termAt(prev) == m.prevLogTerm();
  }

  /**
   * {@code AcceptedLog(i, m)} as a write, or null when the log stays as it is: entries
   * already present (same index and term) are kept, and the first conflicting entry cuts the
   * suffix. Entries inside the snapshot are committed and already applied.
   */
  private LogWrite.Append acceptedLog(Message.AppendEntries m) {
    List<Entry> entries = m.entries();
    if (options.has(CoreBug.NO_LOG_CONSISTENCY_CHECK)) {
      return entries.isEmpty() ? null : new LogWrite.Append(log.lastIndex(), entries);
    }
    for (int n = 0; n < entries.size(); n++) {
      long k = m.prevLogIndex() + 1 + n;
      if (k <= log.snapshotIndex()) {
        continue;
      }
      if (k <= log.lastIndex() && log.termAt(k) == entries.get(n).term()) {
        continue;
      }
      return new LogWrite.Append(k - 1, entries.subList(n, entries.size()));
    }
    return null;
  }

  /**
   * {@code WriteLog(s, newLog, match, out)} with {@code NvramAfter}: a changed log is handed
   * to the host now, and nvHead, catchUp and the messages wait for {@link #onLogWritten()}; an
   * unchanged log writes NVRAM (if it moved) and sends at once. {@code write} null means the
   * log stays as it is.
   */
  private void writeLog(LogWrite write, long match, List<Message> messages, Output out) {
    // NvramAfter(s, newLog, match), computed on the log before it changes.
    boolean noDetection = options.has(CoreBug.NO_ROLLBACK_DETECTION);
    long target = foreign() ? Math.max(catchUp, nvHead.index()) : catchUp;
    long newCatchUp = noDetection || match >= target ? 0 : target;
    if (write == null) {
      nvHead = noDetection ? nvHead : log.head();
      catchUp = newCatchUp;
      flushNvram(out);
      out.messages.addAll(messages);
      return;
    }
    apply(write);
    LogHead newHead = noDetection ? nvHead : log.head();
    out.logWrite = write;
    pending = new Pending(newHead, newCatchUp, List.copyOf(messages));
    flushNvram(out);
  }

  private void apply(LogWrite write) {
    if (write instanceof LogWrite.Append) {
      LogWrite.Append append = (LogWrite.Append) write;
      log.replaceAfter(append.keepThrough(), append.entries());
    } else if (write instanceof LogWrite.InstallSnapshot) {
      log.install(((LogWrite.InstallSnapshot) write).snapshot());
    } else {
      throw new AssertionError(write);
    }
  }

  /** Adopts the term and leader of an AppendEntries or snapshot of term at least this HSM's. */
  private void adoptLeader(long term, int leader, Output out) {
    // /\ currentTerm' = [currentTerm EXCEPT ![i] = m.mterm]
    // /\ votedFor' = [votedFor EXCEPT ![i] = IF m.mterm > currentTerm[i] THEN Nil ELSE @]
    if (term > currentTerm) {
      currentTerm = term;
      votedFor = Nvram.NO_VOTE;
    }
    // /\ role' = [role EXCEPT ![i] = "Follower"]
    stepDown(out);
    leaderHint = leader;
  }

  private void stepDown(Output out) {
    if (role == Role.LEADER) {
      out.leadershipLost = true;
    }
    role = Role.FOLLOWER;
    Arrays.fill(votesGranted, false);
  }

  /** Raises the commit index to {@code target} (never past the log) and lists the entries newly committed. */
  private void advanceTo(long target, Output out) {
    long through = Math.min(target, log.lastIndex());
    for (long k = Math.max(commitIndex, log.snapshotIndex()) + 1; k <= through; k++) {
      out.committed.add(new Output.Committed(k, log.entryAt(k)));
    }
    if (target > commitIndex) {
      commitIndex = options.has(CoreBug.VOLATILE_COMMIT_INDEX_KEPT) ? target : through;
    }
  }

  /** Adds an NVRAM write to the output when term, vote, head or catchUp moved since the last one. */
  private void flushNvram(Output out) {
    Nvram now = nvram();
    if (!now.equals(written)) {
      out.nvram = now;
      written = now;
    }
  }

  private Output drop(Output out, DropReason reason) {
    drops[reason.ordinal()]++;
    out.dropped = reason;
    return out;
  }

  private void checkNotWriting() {
    Check.that(pending == null, "no input but onLogWritten while a log write is in progress");
  }

  private static int count(boolean[] set) {
    int n = 0;
    for (boolean b : set) {
      if (b) {
        n++;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------
  // The spec's state, read-only, for the host's status page, the simulator's checker and traces

  /** {@code Foreign(s)}: the sealed log is not the one the HSM last wrote. */
  public boolean foreign() {
    return !log.head().equals(nvHead);
  }

  /** {@code Abstains(s)}: no votes granted and no election started while true. */
  public boolean abstains() {
    return !options.has(CoreBug.NO_ROLLBACK_DETECTION) && (foreign() || catchUp > 0);
  }

  public int self() {
    return self;
  }

  public Membership membership() {
    return membership;
  }

  /** The NVRAM record as the core holds it now (what the last flushed write wrote, or will). */
  public Nvram nvram() {
    return new Nvram(currentTerm, votedFor, nvHead, catchUp);
  }

  public long currentTerm() {
    return currentTerm;
  }

  public int votedFor() {
    return votedFor;
  }

  public Role role() {
    return role;
  }

  public long commitIndex() {
    return commitIndex;
  }

  public boolean writing() {
    return pending != null;
  }

  public int leaderHint() {
    return leaderHint;
  }

  public LogHead logHead() {
    return log.head();
  }

  public long lastIndex() {
    return log.lastIndex();
  }

  public long snapshotIndex() {
    return log.snapshotIndex();
  }

  public Optional<Snapshot> snapshot() {
    return log.snapshot();
  }

  /** Whether the term of entry k is known here (k = 0, the snapshot's last entry, or a log entry). */
  public boolean hasTermAt(long k) {
    return log.hasTermAt(k);
  }

  public long termAt(long k) {
    return log.termAt(k);
  }

  /** Entry k, after the snapshot. */
  public Entry entryAt(long k) {
    return log.entryAt(k);
  }

  public long matchIndex(int peer) {
    return matchIndex[peer];
  }

  public long nextIndex(int peer) {
    return nextIndex[peer];
  }

  public boolean votedForMe(int peer) {
    return votesGranted[peer];
  }

  /** Peer messages dropped, per reason. */
  public long dropped(DropReason reason) {
    return drops[reason.ordinal()];
  }

  public Limits limits() {
    return limits;
  }

  @Override
  public String toString() {
    return "HSM " + self + " " + role + " term " + currentTerm + " log " + log.head() + " commit " + commitIndex
        + (abstains() ? " abstaining" : "");
  }
}
