package dev.bkv.firmware;

import dev.bkv.consensus.CoreOptions;
import dev.bkv.vault.SnapshotOptions;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * How an HSM's replicated vault is built: the consensus core's options, the snapshot
 * encoding's, and the vault's own. Production code can only use {@link #PRODUCTION}; every
 * seeded bug is reachable only through package-private constructors called from the test
 * tree.
 */
public final class FirmwareOptions {
  public static final FirmwareOptions PRODUCTION =
      new FirmwareOptions(CoreOptions.PRODUCTION, SnapshotOptions.PRODUCTION, EnumSet.noneOf(FirmwareBug.class));

  private final CoreOptions core;
  private final SnapshotOptions snapshot;
  private final Set<FirmwareBug> bugs;

  FirmwareOptions(CoreOptions core, SnapshotOptions snapshot, Set<FirmwareBug> bugs) {
    this.core = core;
    this.snapshot = snapshot;
    this.bugs = Collections.unmodifiableSet(bugs.isEmpty() ? EnumSet.noneOf(FirmwareBug.class) : EnumSet.copyOf(bugs));
  }

  public CoreOptions core() {
    return core;
  }

  public SnapshotOptions snapshot() {
    return snapshot;
  }

  boolean has(FirmwareBug bug) {
    return bugs.contains(bug);
  }

  public boolean isProduction() {
    return core.isProduction() && snapshot.isProduction() && bugs.isEmpty();
  }

  @Override
  public String toString() {
    return isProduction() ? "production" : "core " + core + ", snapshot " + snapshot + ", vault " + bugs;
  }
}
