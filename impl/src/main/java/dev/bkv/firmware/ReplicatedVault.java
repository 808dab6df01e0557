package dev.bkv.firmware;

import dev.bkv.base.Check;
import dev.bkv.consensus.Entry;
import dev.bkv.consensus.Membership;
import dev.bkv.consensus.Nvram;
import dev.bkv.consensus.Output;
import dev.bkv.consensus.PeerKeys;
import dev.bkv.consensus.RecoveredLog;
import dev.bkv.consensus.ReplicaCore;
import dev.bkv.consensus.Snapshot;
import dev.bkv.crypto.DecodeException;
import dev.bkv.trace.Cmd;
import dev.bkv.trace.Post;
import dev.bkv.trace.TraceAction;
import dev.bkv.trace.TraceEvent;
import dev.bkv.trace.TraceSink;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.Command;
import dev.bkv.vault.CommandCodec;
import dev.bkv.vault.Phase;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.Response;
import dev.bkv.vault.SnapshotCodec;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultRecord;
import dev.bkv.vault.VaultState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The vault riding on the consensus core, inside one HSM: vault commands become log entries,
 * {@link VaultState#apply} runs on committed entries only, in log order, on every HSM, and a
 * response leaves only from the leader that appended its entry, once that entry is committed
 * (count before reveal: a guess's answer, from which KE2 is computed, exists only after a
 * majority holds the entry counting it). Responses of entries that lose leadership are
 * dropped; a follower refuses with the leader it knows, never answers. Crypto-free: the
 * OPAQUE layer above turns a released {@link Response.GuessCounted} into KE2.
 *
 * <p>Beyond the spec: a new leader first appends a no-op entry of its term (Raft §8), so that
 * earlier entries commit without waiting for a client; and the applied state is folded into
 * a snapshot every {@link Limits#snapshotIntervalEntries} entries.
 *
 * <p>Not thread-safe: one host thread owns it, as it owns the core.
 */
public final class ReplicatedVault {
  /** Payload tags: the first byte of every log entry's payload. */
  static final byte NOOP = 0;
  static final byte COMMAND = 1;

  /** Bounds of one HSM's vault. */
  public record Limits(ReplicaCore.Limits core, int waitingMax, long snapshotIntervalEntries) {
    public Limits {
      if (waitingMax < 1 || waitingMax > 1 << 20) {
        throw new IllegalArgumentException("waitingMax must be 1..2^20");
      }
      if (snapshotIntervalEntries < 1) {
        throw new IllegalArgumentException("snapshotIntervalEntries must be at least 1");
      }
    }

    public static Limits defaults() {
      return new Limits(ReplicaCore.Limits.defaults(), 65_536, 100_000);
    }
  }

  /** A client's command, with the host's id for the answer. */
  public record Request(long requestId, Command command) {}

  /** What became of a request. */
  public sealed interface Outcome permits Released, Dropped, Refused {
    long requestId();
  }

  /** The entry committed; its response may leave the HSM. */
  public record Released(long requestId, long index, long term, Command command, Response response) implements Outcome {}

  /** The entry will not be answered (leadership lost, entry replaced, restart): the client retries. */
  public record Dropped(long requestId, String reason) implements Outcome {}

  /** Why a request was not appended. */
  public enum RefusalKind {
    /** Not the leader: send it to {@code leaderHint} (-1: no leader known). */
    NOT_LEADER,
    /** Too many requests in flight, or the log is full until the next compaction. */
    BUSY,
    /** A login finish for a session this HSM does not hold. */
    NO_SESSION
  }

  /** Not appended, with the leader this HSM knows (or -1). */
  public record Refused(long requestId, RefusalKind kind, String reason, int leaderHint) implements Outcome {}

  /** One step: the core's output (for the host's writes and sends) and the outcomes to release. */
  public record Step(Output output, List<Outcome> outcomes) {
    public Step {
      outcomes = List.copyOf(outcomes);
    }
  }

  private record Waiting(long requestId, long term, Command command, boolean alreadyReleased) {}

  /**
   * A counted guess that was answered: the client may finish it once, here, with KE3. The
   * guess entry's term and index name the session in traces.
   */
  private record Session(UserId userId, RegistrationId registrationId, long guessTerm, long guessIndex) {}

  /** Logins answered and not yet finished; the oldest is forgotten first (its count stays). */
  public static final int SESSIONS_MAX = 1024;

  private final ReplicaCore core;
  private final Limits limits;
  private final FirmwareOptions options;
  private VaultState state;
  private long appliedIndex;
  private final Map<Long, Waiting> waiting = new HashMap<>();
  /** Logins between their answer and KE3: volatile, on the leader that answered, each usable once. */
  private final LinkedHashMap<Long, Session> sessions = new LinkedHashMap<>();
  private TraceSink trace = TraceSink.NONE;

  private ReplicatedVault(ReplicaCore core, Limits limits, FirmwareOptions options) {
    this.core = core;
    this.limits = limits;
    this.options = options;
  }

  /** {@code Init}, or the boot of a restarted HSM from its NVRAM and the sealed log the host handed back. */
  public static ReplicatedVault create(int self, Membership membership, PeerKeys keys, Limits limits,
      FirmwareOptions options, Nvram nvram, RecoveredLog recovered) {
    ReplicaCore core = ReplicaCore.create(self, membership, keys, limits.core(), options.core(), nvram, recovered);
    ReplicatedVault vault = new ReplicatedVault(core, limits, options);
    vault.loadSnapshot(recovered.snapshot());
    return vault;
  }

  /** Emits one event per input, after it took effect, to {@code sink} ({@link TraceSink#NONE}: none). */
  public void traceTo(TraceSink sink) {
    trace = sink;
  }

  // ---------------------------------------------------------------------------------------
  // Inputs from the host

  public Step onElectionTimeout() {
    return traced(step(core.onElectionTimeout()));
  }

  /**
   * The host's heartbeat timer, on every HSM. A leader sends AppendEntries; before that, it
   * appends the no-op of a new term. Every HSM folds its applied state into a snapshot when
   * the interval is reached. The no-op and the compaction ask for a log write, and the next
   * tick sends.
   */
  public Step onHeartbeatTick() {
    if (core.role() == ReplicaCore.Role.LEADER && !core.writing() && core.termAt(core.lastIndex()) != core.currentTerm()) {
      Step noop = step(core.onClientRequest(List.of(new byte[] {NOOP})));
      if (trace.enabled() && noop.output().appended().isPresent()) {
        trace.record(TraceEvent.Step.core(TraceAction.LEADER_NOOP, core.self(), null, post(noop)));
      }
      return noop;
    }
    Optional<Step> compaction = compactIfDue();
    if (compaction.isPresent()) {
      return compaction.get();
    }
    return traced(step(core.onHeartbeatTick()));
  }

  public Step onPeerMessage(byte[] bytes) {
    return traced(step(core.onPeerMessage(bytes)));
  }

  public Step onLogWritten() {
    return traced(step(core.onLogWritten()));
  }

  /**
   * {@code ClientRequest}: appends the commands of a batch in one write. A command's response
   * is released by a later step, once its entry commits.
   */
  public Step submit(List<Request> requests) {
    Step step = append(requests);
    if (trace.enabled()) {
      Command command = requests.get(0).command();
      recordClient(Cmd.of(command), null, -1, step);
    }
    return step;
  }

  private Step append(List<Request> requests) {
    if (trace.enabled() && requests.size() != 1) {
      throw new IllegalArgumentException("a traced HSM takes client batches of 1, not " + requests.size());
    }
    List<Outcome> refused = new ArrayList<>();
    if (waiting.size() + requests.size() > limits.waitingMax()) {
      for (Request r : requests) {
        refused.add(new Refused(r.requestId(), RefusalKind.BUSY, "too many requests in flight", core.self()));
      }
      return new Step(new Output(), refused);
    }
    List<byte[]> payloads = new ArrayList<>(requests.size());
    for (Request r : requests) {
      payloads.add(payload(r.command()));
    }
    Output out = core.onClientRequest(payloads);
    if (out.refusal().isPresent()) {
      for (Request r : requests) {
        Output.Refusal refusal = out.refusal().get();
        RefusalKind kind = refusal.leaderHint() == core.self() ? RefusalKind.BUSY : RefusalKind.NOT_LEADER;
        refused.add(new Refused(r.requestId(), kind, refusal.reason(), refusal.leaderHint()));
      }
      return new Step(out, refused);
    }
    Output.Appended appended = out.appended().orElseThrow();
    List<Outcome> early = new ArrayList<>();
    for (int n = 0; n < requests.size(); n++) {
      Request r = requests.get(n);
      Optional<Response> speculative = options.has(FirmwareBug.RELEASE_BEFORE_COMMIT)
          ? speculativeGuess(r.command()) : Optional.empty();
      if (speculative.isPresent()) {
        release(new Released(r.requestId(), appended.firstIndex() + n, appended.term(), r.command(),
            speculative.get()), early);
      }
      waiting.put(appended.firstIndex() + n,
          new Waiting(r.requestId(), appended.term(), r.command(), speculative.isPresent()));
    }
    Step step = step(out);
    early.addAll(step.outcomes());
    return new Step(out, early);
  }

  /** How a login ends: KE3 verified for a purpose, or failed (bad KE3, cancelled, fake record). */
  public sealed interface LoginEnd permits LoginEnd.Recover, LoginEnd.Expose, LoginEnd.Delete, LoginEnd.Fail {
    /** KE3 verified: reset the count and release the backup key ({@code RecoverSucceeded}). */
    record Recover() implements LoginEnd {}

    /** KE3 verified on a STORED record: expose it with this backup key ({@code RegisterExpose}). */
    record Expose(BackupKey backupKey) implements LoginEnd {}

    /** KE3 verified: erase the registration ({@code Delete}). */
    record Delete() implements LoginEnd {}

    /** No success: the count stays ({@code GuessFailed}). */
    record Fail() implements LoginEnd {}
  }

  /** {@link #finishLogin(long, long, LoginEnd)} for a recovery attempt: verified recovers, otherwise fails. */
  public Step finishLogin(long requestId, long loginId, boolean verified) {
    return finishLogin(requestId, loginId, verified ? new LoginEnd.Recover() : new LoginEnd.Fail());
  }

  /**
   * The end of a login whose guess was answered here ({@code loginId} is the request id of
   * its {@code CountGuess}): appends the command {@code end} names for the session's user and
   * registration. A session is used once: a replayed KE3, one sent to another HSM or after a
   * restart or a leader change finds no session and is refused, so it resets nothing (the
   * spec's {@code ClientRecover} closes the open session).
   */
  public Step finishLogin(long requestId, long loginId, LoginEnd end) {
    Session session = sessions.get(loginId);
    if (session == null) {
      Step refused = new Step(new Output(), List.of(new Refused(requestId, RefusalKind.NO_SESSION,
          "login " + loginId + " is not pending here (finished, evicted, or lost in a restart or leader change)",
          core.leaderHint())));
      if (trace.enabled()) {
        recordClient(new Cmd(op(end), null, null, 0), null, loginId, refused);
      }
      return refused;
    }
    Command command;
    if (end instanceof LoginEnd.Recover) {
      command = new Command.RecoverSucceeded(session.userId(), session.registrationId());
    } else if (end instanceof LoginEnd.Expose) {
      command = new Command.RegisterExpose(session.userId(), session.registrationId(), ((LoginEnd.Expose) end).backupKey());
    } else if (end instanceof LoginEnd.Delete) {
      command = new Command.Delete(session.userId(), session.registrationId());
    } else if (end instanceof LoginEnd.Fail) {
      command = new Command.GuessFailed(session.userId(), session.registrationId());
    } else {
      throw new AssertionError(end);
    }
    Step step = append(List.of(new Request(requestId, command)));
    // The session is used up only once its finish is appended: a refused finish did nothing.
    if (step.output().appended().isPresent()) {
      sessions.remove(loginId);
    }
    if (trace.enabled()) {
      recordClient(Cmd.of(command), new Post.EntryId(session.guessTerm(), session.guessIndex()), -1, step);
    }
    return step;
  }

  /** {@code Restart(i)}: volatile state (the applied vault, responses waiting) is lost. */
  public Step restart(Nvram nvram, RecoveredLog recovered) {
    List<Outcome> lost = dropAll("the HSM restarted");
    Output out = core.restart(nvram, recovered);
    loadSnapshot(recovered.snapshot());
    Step step = step(out);
    lost.addAll(step.outcomes());
    return traced(new Step(out, lost));
  }

  /**
   * A status read from the leader's applied state, once an entry of its term is committed
   * (before that its state may lag). Not password-dependent; empty when this HSM cannot answer.
   */
  public Optional<Response> status(UserId userId) {
    if (!readable()) {
      return Optional.empty();
    }
    return Optional.of(state.status(userId));
  }

  /** A page of user ids from the leader's applied state, as {@link #status} reads; empty when this HSM cannot answer. */
  public Optional<List<UserId>> usersAfter(Optional<UserId> after, int max) {
    if (!readable()) {
      return Optional.empty();
    }
    return Optional.of(state.usersAfter(after, max));
  }

  /** The leader's applied state is current: an entry of its term is committed and applied. */
  private boolean readable() {
    return core.role() == ReplicaCore.Role.LEADER && core.commitIndex() >= 1
        && core.termAt(core.commitIndex()) == core.currentTerm() && appliedIndex >= core.commitIndex();
  }

  // ---------------------------------------------------------------------------------------

  /** Applies what the core committed or installed, and releases the answers now due. */
  private Step step(Output out) {
    List<Outcome> outcomes = new ArrayList<>();
    // Leadership lost first: an HSM that steps down in this step (an AppendEntries of a later
    // term that also tells it its old entries are committed) answers none of them. Only a
    // leader releases, in the step that commits (spec: AdvanceCommitIndex in HandleAppendAck).
    if (out.leadershipLost()) {
      outcomes.addAll(dropAll("leadership lost before the entry committed"));
    }
    if (out.installed().isPresent()) {
      loadSnapshot(out.installed());
    }
    for (Output.Committed committed : out.committed()) {
      apply(committed, outcomes);
    }
    if (options.has(FirmwareBug.RELEASE_ON_PREVIOUS_COMMIT)) {
      releaseOnPreviousCommit(outcomes);
    }
    return new Step(out, outcomes);
  }

  private void apply(Output.Committed committed, List<Outcome> outcomes) {
    long index = committed.index();
    if (index <= appliedIndex) {
      return;
    }
    Check.that(index == appliedIndex + 1, "committed entries are applied in log order, none skipped");
    Entry entry = committed.entry();
    Optional<Command> command = command(entry.payload());
    Response response = command.isPresent() ? state.apply(command.get()) : null;
    appliedIndex = index;
    Waiting w = waiting.remove(index);
    if (w == null) {
      return;
    }
    if (w.term() != entry.term()) {
      outcomes.add(new Dropped(w.requestId(), "another leader's entry was committed at index " + index));
    } else if (!w.alreadyReleased()) {
      Check.that(command.isPresent(), "a waiting client request committed as a vault command");
      release(new Released(w.requestId(), index, entry.term(), command.get(), response), outcomes);
    }
  }

  /** Releases an answer; an answered guess opens a login session that KE3 may finish once. */
  private void release(Released released, List<Outcome> outcomes) {
    if (released.response() instanceof Response.GuessCounted) {
      if (sessions.size() >= SESSIONS_MAX) {
        Long oldest = sessions.keySet().iterator().next();
        sessions.remove(oldest);
      }
      Response.GuessCounted guess = (Response.GuessCounted) released.response();
      sessions.put(released.requestId(),
          new Session(released.command().userId(), guess.registrationId(), released.term(), released.index()));
    }
    outcomes.add(released);
  }

  /** Seeded bug: a guess waiting at index k is answered once k-1 is committed. */
  private void releaseOnPreviousCommit(List<Outcome> outcomes) {
    long next = core.commitIndex() + 1;
    Waiting w = waiting.get(next);
    if (w != null && !w.alreadyReleased() && w.term() == core.currentTerm()
        && core.role() == ReplicaCore.Role.LEADER) {
      Optional<Response> speculative = speculativeGuess(w.command());
      if (speculative.isPresent()) {
        waiting.put(next, new Waiting(w.requestId(), w.term(), w.command(), true));
        release(new Released(w.requestId(), next, w.term(), w.command(), speculative.get()), outcomes);
      }
    }
  }

  /** For seeded bugs only: the answer a guess would get from the state applied so far. */
  private Optional<Response> speculativeGuess(Command command) {
    if (command.kind() != Command.Kind.COUNT_GUESS) {
      return Optional.empty();
    }
    Optional<VaultRecord> record = state.record(command.userId());
    if (record.isEmpty() || record.get().guessesRemaining() == 0) {
      return Optional.empty();
    }
    VaultRecord r = record.get();
    return Optional.of(new Response.GuessCounted(r.registrationId(), r.phase(), r.registrationRecord(),
        r.guessesUsed() + 1, r.guessesRemaining() - 1));
  }

  private Optional<Step> compactIfDue() {
    if (core.writing() || appliedIndex - core.snapshotIndex() < limits.snapshotIntervalEntries()
        || appliedIndex > core.commitIndex()) {
      return Optional.empty();
    }
    Snapshot snapshot = new Snapshot(appliedIndex, core.termAt(appliedIndex),
        SnapshotCodec.encode(state, options.snapshot()));
    return Optional.of(step(core.compact(snapshot)));
  }

  private void loadSnapshot(Optional<Snapshot> snapshot) {
    if (snapshot.isEmpty()) {
      state = new VaultState();
      appliedIndex = 0;
      return;
    }
    try {
      state = SnapshotCodec.decode(snapshot.get().state());
    } catch (DecodeException e) {
      // Snapshots are sealed by an HSM of this fleet or sent over an authenticated link.
      throw new Check.InvariantViolation("a snapshot from this fleet decodes: " + e.getMessage());
    }
    appliedIndex = snapshot.get().lastIndex();
  }

  // ---------------------------------------------------------------------------------------
  // Trace events (built only when the sink is enabled)

  /** Emits the core's action of a completed step, if it took one. */
  private Step traced(Step step) {
    if (trace.enabled() && step.output().action().isPresent()) {
      TraceAction action = TraceAction.of(step.output().action().get());
      TraceEvent.Received received = step.output().received().map(TraceView::received).orElse(null);
      trace.record(TraceEvent.Step.core(action, core.self(), received, post(step)));
    }
    return step;
  }

  private void recordClient(Cmd cmd, Post.EntryId session, long loginId, Step step) {
    boolean refused = step.output().appended().isEmpty();
    trace.record(TraceEvent.Step.client(TraceAction.ofClient(cmd.op()), core.self(), cmd, session, loginId, refused,
        post(step)));
  }

  private Post post(Step step) {
    List<Post.EntryId> open = new ArrayList<>(sessions.size());
    for (Session s : sessions.values()) {
      open.add(new Post.EntryId(s.guessTerm(), s.guessIndex()));
    }
    return TraceView.post(core, state, open, step.outcomes());
  }

  private static Cmd.Op op(LoginEnd end) {
    return end instanceof LoginEnd.Recover ? Cmd.Op.RECOVER
        : end instanceof LoginEnd.Expose ? Cmd.Op.EXPOSE
        : end instanceof LoginEnd.Fail ? Cmd.Op.FAIL : Cmd.Op.DELETE;
  }

  private List<Outcome> dropAll(String reason) {
    List<Outcome> dropped = new ArrayList<>();
    for (Waiting w : waiting.values()) {
      if (!w.alreadyReleased()) {
        dropped.add(new Dropped(w.requestId(), reason));
      }
    }
    waiting.clear();
    sessions.clear();
    return dropped;
  }

  static byte[] payload(Command command) {
    byte[] encoded = CommandCodec.encode(command);
    byte[] payload = new byte[encoded.length + 1];
    payload[0] = COMMAND;
    System.arraycopy(encoded, 0, payload, 1, encoded.length);
    return payload;
  }

  /** The vault command in a payload; empty for a no-op. */
  static Optional<Command> command(byte[] payload) {
    Check.that(payload.length >= 1 && (payload[0] == NOOP || payload[0] == COMMAND), "a log entry is a no-op or a command");
    if (payload[0] == NOOP) {
      return Optional.empty();
    }
    try {
      return Optional.of(CommandCodec.decode(payload, 1));
    } catch (DecodeException e) {
      // Entries come from this fleet's leaders over authenticated links or sealed storage.
      throw new Check.InvariantViolation("a committed entry decodes as a vault command: " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------
  // Read-only views for the host's status page and the simulator's checker

  public ReplicaCore core() {
    return core;
  }

  public long appliedIndex() {
    return appliedIndex;
  }

  /** The applied record of a user, or empty. */
  public Optional<VaultRecord> record(UserId userId) {
    return state.record(userId);
  }

  public int recordCount() {
    return state.recordCount();
  }

  /** The phase of a user's applied record, for tests. */
  public Optional<Phase> phase(UserId userId) {
    return state.record(userId).map(VaultRecord::phase);
  }
}
