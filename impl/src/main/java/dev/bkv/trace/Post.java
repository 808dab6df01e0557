package dev.bkv.trace;

import dev.bkv.consensus.LogHead;
import dev.bkv.consensus.ReplicaCore;
import dev.bkv.vault.Phase;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import java.util.List;
import java.util.Map;

/**
 * The acting HSM's state right after a step, in the spec's vocabulary: the consensus
 * variables, the applied vault, the guess answers the step released and the login sessions
 * it holds.
 */
public record Post(long term, int vote, ReplicaCore.Role role, List<LogEntry> log, long commit, LogHead nvHead,
    long catchUp, boolean writing, Map<UserId, UserView> vault, List<Answer> released, List<EntryId> sessions) {
  public Post {
    log = List.copyOf(log);
    vault = Map.copyOf(vault);
    released = List.copyOf(released);
    sessions = List.copyOf(sessions);
  }

  /** A log position, [term, index]: the id of a guess entry and of the session its answer opened. */
  public record EntryId(long term, long index) implements Comparable<EntryId> {
    @Override
    public int compareTo(EntryId other) {
      return term != other.term ? Long.compare(term, other.term) : Long.compare(index, other.index);
    }
  }

  /** A log entry: its term and command. */
  public record LogEntry(long term, Cmd cmd) {}

  /** A user's applied record. */
  public record UserView(RegistrationId reg, Phase phase, int used) {}

  /**
   * A released guess answer ({@code GuessCounted}). The request id ties a later finish that
   * finds no session to the guess it names; it is not part of the spec's record.
   */
  public record Answer(long requestId, UserId user, RegistrationId reg, Phase phase, EntryId id) {}
}
