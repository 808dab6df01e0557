package dev.bkv.vault;

/** Test-tree access to the vault's seeded bug: production code cannot reach this class. */
public final class SeededVaultBugs {
  private SeededVaultBugs() {}

  /** Snapshots that write every guess count as 0. */
  public static SnapshotOptions snapshotsDropCounters() {
    return new SnapshotOptions(true);
  }
}
