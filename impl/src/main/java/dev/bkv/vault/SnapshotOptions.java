package dev.bkv.vault;

/**
 * How a vault snapshot is encoded. Production code can only use {@link #PRODUCTION}; the
 * constructor that seeds the bug "a snapshot that drops guess counters" is package-private,
 * reachable only from the test tree, so no caller outside tests can switch it on.
 */
public final class SnapshotOptions {
  public static final SnapshotOptions PRODUCTION = new SnapshotOptions(false);

  final boolean dropCounters;

  SnapshotOptions(boolean dropCounters) {
    this.dropCounters = dropCounters;
  }

  public boolean isProduction() {
    return !dropCounters;
  }

  @Override
  public String toString() {
    return dropCounters ? "seeded bug: snapshots drop guess counters" : "production";
  }
}
