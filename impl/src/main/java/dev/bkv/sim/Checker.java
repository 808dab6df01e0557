package dev.bkv.sim;

import dev.bkv.consensus.Entry;
import dev.bkv.consensus.LogHead;
import dev.bkv.consensus.ReplicaCore;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.firmware.ReplicatedVault;
import dev.bkv.vault.Command;
import dev.bkv.vault.CommandCodec;
import dev.bkv.vault.Phase;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.Response;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The spec's invariants, evaluated after every step on the real Java state of every HSM and
 * on the history the simulator collected (the spec's {@code committed}, {@code released},
 * {@code recovered}, {@code acked}). Incremental: each step re-checks only what that step
 * can have changed, so a long run stays linear in its steps.
 *
 * <p>Entries folded into a snapshot are not visible per index: an index at or below an HSM's
 * snapshot index counts as held and committed there (a snapshot is a committed prefix).
 */
public final class Checker {
  /** Passed as {@code changedFrom} when a step left the log's content as it was. */
  public static final long UNCHANGED = Long.MAX_VALUE;

  /** A first commit of an index (the spec's {@code committed} record). */
  private record Commit(long idx, Entry entry, long term, int quorum) {}

  private record At(long idx, long term) {}

  private record Written(Entry entry, long prevTerm) {}

  /** The spec's registration label of an answer: the user, the registration, and its phase. */
  private record Label(UserId user, RegistrationId reg, Phase phase) {}

  private final ReplicatedVault[] nodes;
  private final boolean[] destroyed;
  private final int n;
  private final List<Commit> committed = new ArrayList<>(List.of(new Commit(0, null, 0, 0)));
  private final Map<Long, Integer> leaderOfTerm = new HashMap<>();
  private final Map<At, Written> written = new HashMap<>();
  private final Map<Label, TreeSet<Answer>> answers = new HashMap<>();
  private final Map<Label, TreeSet<Long>> recoveries = new HashMap<>();
  private final Map<RegistrationId, Integer> maxAttempts = new HashMap<>();
  private final List<At> acked = new ArrayList<>();
  /** The dumb oracle: the committed history applied in index order. */
  private final VaultState reference = new VaultState();
  private long referenceApplied;
  private final ReplicaCore.Role[] lastRole;
  private final long[] lastTerm;
  private final long[] lastCommit;
  private final LogHead[] lastHead;
  private final boolean[] lastAbstains;
  private long step;
  private long tick;

  public Checker(ReplicatedVault[] nodes, boolean[] destroyed) {
    this.nodes = nodes;
    this.destroyed = destroyed;
    this.n = nodes.length;
    lastRole = new ReplicaCore.Role[n];
    lastTerm = new long[n];
    lastCommit = new long[n];
    lastHead = new LogHead[n];
    lastAbstains = new boolean[n];
    for (int i = 0; i < n; i++) {
      lastRole[i] = nodes[i].core().role();
      lastHead[i] = nodes[i].core().logHead();
    }
  }

  /** A client's registration, with its attempt limit (the spec's {@code MaxAttempts}). */
  public void noteRegistration(RegistrationId reg, int attempts) {
    maxAttempts.put(reg, attempts);
  }

  /** Entries committed so far (the spec's {@code committed}, by index). */
  public long committedCount() {
    return committed.size() - 1;
  }

  /**
   * After one step of HSM {@code i}: {@code result} is what the step returned, and
   * {@code changedFrom} the lowest log index whose content the step may have changed
   * ({@link #UNCHANGED} if none; 0 when the whole log may be another).
   */
  public void afterStep(long step, long tick, int i, ReplicatedVault.Step result, long changedFrom) {
    this.step = step;
    this.tick = tick;
    ReplicaCore core = nodes[i].core();
    // CommitIndexInLog
    if (core.commitIndex() > core.lastIndex()) {
      fail("CommitIndexInLog", "HSM " + i + " commitIndex " + core.commitIndex() + " > last index " + core.lastIndex());
    }
    electionSafety(i, core);
    logMatching(i, core, changedFrom);
    // StateMachineSafety, second conjunct: entries this step committed here, and committed
    // entries the step rewrote.
    for (var c : result.output().committed()) {
      sameAsCommitted(i, c.index(), c.entry());
    }
    if (changedFrom != UNCHANGED) {
      long through = Math.min(core.commitIndex(), core.lastIndex());
      for (long k = Math.max(changedFrom, core.snapshotIndex() + 1); k <= through; k++) {
        sameAsCommitted(i, k, core.entryAt(k));
      }
    }
    boolean newLeader = core.role() == ReplicaCore.Role.LEADER
        && (lastRole[i] != ReplicaCore.Role.LEADER || lastTerm[i] != core.currentTerm());
    if (newLeader) {
      for (int k = 1; k < committed.size(); k++) {
        leaderCompleteness(i, core, committed.get(k));
      }
    }
    if (core.role() == ReplicaCore.Role.LEADER && core.commitIndex() > lastCommit[i]) {
      for (long k = lastCommit[i] + 1; k <= core.commitIndex(); k++) {
        recordCommit(i, core, k);
      }
    }
    boolean abstains = core.abstains();
    if (changedFrom != UNCHANGED || (lastAbstains[i] && !abstains)) {
      rollbackSafety(i, core, lastAbstains[i] && !abstains ? 0 : changedFrom);
    }
    if (!core.logHead().equals(lastHead[i])) {
      for (long k = core.snapshotIndex() + 1; k < committed.size(); k++) {
        upToDateHoldsCommitted(i, core, committed.get((int) k));
      }
    }
    for (var outcome : result.outcomes()) {
      if (outcome instanceof ReplicatedVault.Released) {
        released(i, (ReplicatedVault.Released) outcome);
      }
    }
    durability();
    lastRole[i] = core.role();
    lastTerm[i] = core.currentTerm();
    lastCommit[i] = core.commitIndex();
    lastHead[i] = core.logHead();
    lastAbstains[i] = abstains;
  }

  /** After a datacenter is lost: what it held is gone. */
  public void afterLoss(long step, long tick) {
    this.step = step;
    this.tick = tick;
    durability();
  }

  // ElectionSafety: at most one leader per term, over the whole history.
  private void electionSafety(int i, ReplicaCore core) {
    if (core.role() != ReplicaCore.Role.LEADER) {
      return;
    }
    Integer before = leaderOfTerm.putIfAbsent(core.currentTerm(), i);
    if (before != null && before != i) {
      fail("ElectionSafety", "HSMs " + before + " and " + i + " both led term " + core.currentTerm());
    }
  }

  // LogMatching: an entry is identified by (index, term): the same entry, after the same
  // term, in every log that ever held it. By induction, two logs that agree on the term at
  // an index agree on their whole visible prefix.
  private void logMatching(int i, ReplicaCore core, long changedFrom) {
    if (changedFrom == UNCHANGED) {
      return;
    }
    for (long k = Math.max(changedFrom, core.snapshotIndex() + 1); k <= core.lastIndex(); k++) {
      Entry e = core.entryAt(k);
      Written now = new Written(e, core.termAt(k - 1));
      Written first = written.putIfAbsent(new At(k, e.term()), now);
      if (first != null && !(first.entry().equals(e) && first.prevTerm() == now.prevTerm())) {
        fail("LogMatching", "HSM " + i + " holds at index " + k + " term " + e.term() + " an entry after term "
            + now.prevTerm() + " that differs from the one first written there (after term " + first.prevTerm()
            + ", same payload " + first.entry().equals(e) + ")");
      }
    }
  }

  private void sameAsCommitted(int i, long k, Entry entry) {
    if (k < committed.size() && !committed.get((int) k).entry().equals(entry)) {
      fail("StateMachineSafety", "HSM " + i + " committed " + entry + " at index " + k + " where "
          + committed.get((int) k).entry() + " was committed in term " + committed.get((int) k).term());
    }
  }

  private void recordCommit(int leader, ReplicaCore core, long k) {
    if (k <= core.snapshotIndex()) {
      return;
    }
    Entry entry = core.entryAt(k);
    if (k < committed.size()) {
      sameAsCommitted(leader, k, entry);
      return;
    }
    // RollbackSafety's record: the leader and every HSM its matchIndex counts as holding k.
    int quorum = 1 << leader;
    for (int j = 0; j < n; j++) {
      if (j != leader && core.matchIndex(j) >= k) {
        quorum |= 1 << j;
      }
    }
    if (k != committed.size()) {
      fail("StateMachineSafety", "HSM " + leader + " committed index " + k + " with indexes from "
          + committed.size() + " never committed");
    }
    Commit c = new Commit(k, entry, core.currentTerm(), quorum);
    committed.add(c);
    for (int j = 0; j < n; j++) {
      if (destroyed[j]) {
        continue;
      }
      ReplicaCore other = nodes[j].core();
      if (other.role() == ReplicaCore.Role.LEADER) {
        leaderCompleteness(j, other, c);
      }
      if (k <= Math.min(other.commitIndex(), other.lastIndex()) && k > other.snapshotIndex()) {
        sameAsCommitted(j, k, other.entryAt(k));
      }
      if ((quorum & (1 << j)) != 0 && !other.abstains() && !holds(other, c)) {
        fail("RollbackSafety", "HSM " + j + " was counted toward committing index " + k + " but does not hold it");
      }
      upToDateHoldsCommitted(j, other, c);
    }
    applyReference();
  }

  private static boolean holds(ReplicaCore core, Commit c) {
    if (c.idx() <= core.snapshotIndex()) {
      return true;
    }
    return c.idx() <= core.lastIndex() && core.entryAt(c.idx()).equals(c.entry());
  }

  // LeaderCompleteness: an entry committed in an earlier term is in every later leader's log.
  private void leaderCompleteness(int i, ReplicaCore core, Commit c) {
    if (c.term() < core.currentTerm() && !holds(core, c)) {
      fail("LeaderCompleteness", "leader " + i + " of term " + core.currentTerm() + " lacks index " + c.idx()
          + " committed in term " + c.term() + " (its log ends at " + core.logHead() + ", snapshot at "
          + core.snapshotIndex() + ")");
    }
  }

  // RollbackSafety: an HSM counted toward a commit holds the entry, unless it abstains.
  private void rollbackSafety(int i, ReplicaCore core, long from) {
    if (core.abstains()) {
      return;
    }
    for (long k = Math.max(from, core.snapshotIndex() + 1); k < committed.size(); k++) {
      Commit c = committed.get((int) k);
      if ((c.quorum() & (1 << i)) != 0 && !holds(core, c)) {
        fail("RollbackSafety", "HSM " + i + " was counted toward committing index " + k + " in term " + c.term()
            + " and neither holds it nor abstains (log ends at " + core.logHead() + ")");
      }
    }
  }

  // UpToDateHoldsCommitted: a log at least as up-to-date as (commit term, index) holds the entry.
  private void upToDateHoldsCommitted(int i, ReplicaCore core, Commit c) {
    if (core.logHead().atLeastAsUpToDateAs(new LogHead(c.term(), c.idx())) && !holds(core, c)) {
      fail("UpToDateHoldsCommitted", "HSM " + i + " log head " + core.logHead() + " is at least as up-to-date as <<"
          + c.term() + ", " + c.idx() + ">> but does not hold that committed entry");
    }
  }

  // Durability: every acknowledged registration is still held by a surviving HSM.
  private void durability() {
    for (At a : acked) {
      boolean held = false;
      for (int j = 0; j < n && !held; j++) {
        if (!destroyed[j]) {
          ReplicaCore core = nodes[j].core();
          held = a.idx() <= core.snapshotIndex() || (a.idx() <= core.lastIndex() && core.termAt(a.idx()) == a.term());
        }
      }
      if (!held) {
        fail("Durability", "the registration exposed at index " + a.idx() + " term " + a.term()
            + " is held by no surviving HSM");
      }
    }
  }

  private void released(int i, ReplicatedVault.Released r) {
    if (r.response() instanceof Response.Exposed) {
      acked.add(new At(r.index(), r.term()));
    } else if (r.response() instanceof Response.GuessCounted) {
      Response.GuessCounted g = (Response.GuessCounted) r.response();
      Label label = new Label(r.command().userId(), g.registrationId(), g.phase());
      Sha256Digest ke1 = ((Command.CountGuess) r.command()).ke1Digest();
      answers.computeIfAbsent(label, l -> new TreeSet<>(ANSWER_ORDER)).add(new Answer(r.index(), r.term(), ke1));
      guessLimit(label, "HSM " + i + " released a guess answer at index " + r.index());
    }
  }

  /** A released guess answer: its entry, and the KE1 it answered (a retry answers one KE1 again). */
  private record Answer(long idx, long term, Sha256Digest ke1) {}

  private static final java.util.Comparator<Answer> ANSWER_ORDER =
      java.util.Comparator.comparingLong(Answer::idx).thenComparingLong(Answer::term);

  // GuessLimit, as AnswersUpTo: the distinct logins (KE1s) answered for one registration
  // between two recoveries (ordered by log index) never exceed its attempt limit.
  private void guessLimit(Label label, String cause) {
    TreeSet<Answer> xs = answers.get(label);
    Integer limit = maxAttempts.get(label.reg());
    if (xs == null || limit == null) {
      return;
    }
    TreeSet<Long> zs = recoveries.getOrDefault(label, new TreeSet<>());
    List<Answer> sorted = new ArrayList<>(xs);
    for (int x = 0; x < sorted.size(); x++) {
      long xIdx = sorted.get(x).idx();
      Long z = zs.lower(xIdx);
      long after = z == null ? 0 : z;
      java.util.Set<Sha256Digest> logins = new java.util.HashSet<>();
      for (Answer y : sorted) {
        if (y.idx() > after && y.idx() <= xIdx) {
          logins.add(y.ke1());
        }
      }
      int count = logins.size();
      if (count > limit) {
        fail("GuessLimit", cause + ": " + count + " logins answered for " + label.user() + " registration "
            + label.reg() + " (" + label.phase() + ") up to index " + xIdx + " since the recovery at " + after
            + ", limit " + limit + "; answers at " + sorted);
      }
    }
  }

  /** Applies the committed history to the reference vault in index order; finds recoveries. */
  private void applyReference() {
    while (referenceApplied + 1 < committed.size()) {
      Commit c = committed.get((int) (referenceApplied + 1));
      referenceApplied++;
      byte[] payload = c.entry().payload();
      if (payload.length == 0 || payload[0] == 0) {
        continue;
      }
      Command command;
      try {
        command = CommandCodec.decode(Arrays.copyOfRange(payload, 1, payload.length));
      } catch (DecodeException e) {
        fail("StateMachineSafety", "committed entry " + c.idx() + " is not a vault command: " + e.getMessage());
        return;
      }
      Response response = reference.apply(command);
      if (command instanceof Command.RecoverSucceeded && response instanceof Response.Recovered) {
        recovered(command, c.idx());
      }
    }
  }

  private void recovered(Command command, long idx) {
    Command.RecoverSucceeded r = (Command.RecoverSucceeded) command;
    Label label = new Label(r.userId(), r.registrationId(), Phase.EXPOSED);
    recoveries.computeIfAbsent(label, l -> new TreeSet<>()).add(idx);
  }

  private void fail(String invariant, String detail) {
    throw new Violation.Found(new Violation(invariant, step, tick, detail));
  }

  @Override
  public String toString() {
    return "Checker[" + committedCount() + " committed, " + acked.size() + " acked, " + answers.size()
        + " answered registrations, " + leaderOfTerm.size() + " terms led]";
  }
}
