package dev.bkv.storage;

import java.util.List;
import java.util.Optional;

/**
 * What a restart reads back: the snapshot, if any, then the entries at indexes
 * {@code firstIndex, firstIndex + 1, ...}. {@code damage} is one sentence naming what was
 * found wrong and dropped (a torn tail, a record that did not authenticate, a broken chain,
 * a missing segment), empty when the log read back clean. A damaged log is the longest
 * intact, chained prefix; whether to trust it is the caller's decision.
 */
public record LogImage(Optional<SnapshotImage> snapshot, long firstIndex, List<LogRecord> entries, Optional<String> damage) {
  public LogImage {
    entries = List.copyOf(entries);
    long expected = snapshot.map(s -> s.lastIndex() + 1).orElse(1L);
    if (firstIndex != expected) {
      throw new IllegalArgumentException("firstIndex " + firstIndex + " must be " + expected + ", right after the snapshot");
    }
  }

  /** The index of the last entry, or of the snapshot when there are none; 0 for an empty log. */
  public long lastIndex() {
    return firstIndex - 1 + entries.size();
  }

  /** The term of the last entry, or of the snapshot when there are none; 0 for an empty log. */
  public long lastTerm() {
    if (!entries.isEmpty()) {
      return entries.get(entries.size() - 1).term();
    }
    return snapshot.map(SnapshotImage::lastTerm).orElse(0L);
  }

  public boolean clean() {
    return damage.isEmpty();
  }
}
