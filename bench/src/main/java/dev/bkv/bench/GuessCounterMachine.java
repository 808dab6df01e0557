package dev.bkv.bench;

import io.microraft.statemachine.StateMachine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The replicated state of the consensus baseline: a guess counter per user, the one piece of
 * vault state whose every change must be committed by a majority before a login may go on.
 * Runs only on its Raft node's thread, so it needs no locking.
 */
final class GuessCounterMachine implements StateMachine {
  /** The bytes of a user id in the baseline's operations: a 128-bit account identifier. */
  static final int USER_ID_BYTES = 16;

  /** A user id held as two longs: no array header and a cheap hash. */
  record User(long high, long low) {
    static User of(byte[] id) {
      if (id.length != USER_ID_BYTES) {
        throw new IllegalArgumentException("user id must be " + USER_ID_BYTES + " bytes, got " + id.length);
      }
      long high = 0;
      long low = 0;
      for (int i = 0; i < 8; i++) {
        high = (high << 8) | (id[i] & 0xff);
        low = (low << 8) | (id[i + 8] & 0xff);
      }
      return new User(high, low);
    }
  }

  /** The replicated operation: count one guess for the user; its result is the new count. */
  record CountGuess(User user) {}

  /** A read through the leader (not replicated): the user's count, 0 for an unknown user. */
  record ReadCount(User user) {}

  /** The entry a new leader commits first, so entries of earlier terms commit with it (Raft §5.4.2). */
  enum NewTerm { INSTANCE }

  private final Map<User, Long> counts = new HashMap<>();

  @Override
  public Object runOperation(long commitIndex, Object operation) {
    if (operation instanceof CountGuess) {
      return counts.merge(((CountGuess) operation).user(), 1L, Long::sum);
    }
    if (operation instanceof ReadCount) {
      return counts.getOrDefault(((ReadCount) operation).user(), 0L);
    }
    if (operation == NewTerm.INSTANCE) {
      return null;
    }
    throw new IllegalArgumentException("guess counter: unknown operation " + operation);
  }

  /** One chunk: a copy of every (user, count) pair at the commit index. */
  @Override
  public void takeSnapshot(long commitIndex, Consumer<Object> chunkConsumer) {
    chunkConsumer.accept(new HashMap<>(counts));
  }

  @Override
  @SuppressWarnings("unchecked")
  public void installSnapshot(long commitIndex, List<Object> chunks) {
    counts.clear();
    for (Object chunk : new ArrayList<>(chunks)) {
      counts.putAll((Map<User, Long>) chunk);
    }
  }

  @Override
  public Object getNewTermOperation() {
    return NewTerm.INSTANCE;
  }
}
