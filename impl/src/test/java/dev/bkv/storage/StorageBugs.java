package dev.bkv.storage;

import java.util.EnumSet;

/** Test-only access to the storage layer's seeded defects, for tests in other packages (the simulator). */
public final class StorageBugs {
  private StorageBugs() {}

  /** Opens a log whose reader uses a record whose tag fails (a torn write) as if it were intact. */
  public static SealedLog openWithTornWriteUndetected(Disk disk, Sealer sealer, byte[] context, SealedLog.Limits limits)
      throws StorageException {
    return SealedLog.openWithBugs(disk, sealer, context, limits, EnumSet.of(StorageBug.TORN_WRITE_UNDETECTED));
  }
}
