package dev.bkv.storage;

import java.util.Arrays;

/** The replicated state as of entry {@code lastIndex} (of term {@code lastTerm}): it stands for entries 1..lastIndex. */
public record SnapshotImage(long lastIndex, long lastTerm, byte[] state) {
  /**
   * The largest state: it is sealed in one AES-GCM call (at most 64 MiB) and must hold the
   * vault's largest snapshot (48 MiB) plus the consensus layer's own fields.
   */
  public static final int STATE_BYTES_MAX = 60 * 1024 * 1024;

  public SnapshotImage {
    if (lastIndex < 0) {
      throw new IllegalArgumentException("snapshot lastIndex " + lastIndex + " is negative");
    }
    if (lastTerm < 0) {
      throw new IllegalArgumentException("snapshot lastTerm " + lastTerm + " is negative");
    }
    if (state.length > STATE_BYTES_MAX) {
      throw new IllegalArgumentException("snapshot state of " + state.length + " bytes exceeds STATE_BYTES_MAX " + STATE_BYTES_MAX);
    }
    state = state.clone();
  }

  @Override
  public byte[] state() {
    return state.clone();
  }

  byte[] stateUnsafe() {
    return state;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SnapshotImage s && s.lastIndex == lastIndex && s.lastTerm == lastTerm && Arrays.equals(s.state, state);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(lastIndex) * 31 + Arrays.hashCode(state);
  }

  @Override
  public String toString() {
    return "SnapshotImage[lastIndex=" + lastIndex + ", lastTerm=" + lastTerm + ", state=" + state.length + " bytes]";
  }
}
