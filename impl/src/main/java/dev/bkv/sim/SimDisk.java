package dev.bkv.sim;

import dev.bkv.consensus.LogWrite;
import dev.bkv.consensus.RecoveredLog;

/**
 * One HSM's sealed log as the host keeps it (the spec's {@code log} and {@code versions}):
 * every version the host ever stored, of which it may hand back any at a restart. Behind an
 * interface so that the real sealed-log storage over an in-memory disk can replace the
 * first, purely in-memory implementation ({@link VersionedDisk}).
 */
public interface SimDisk {
  /** Builds each HSM's disk: {@code seed} is drawn from the simulation's one random source. */
  interface Factory {
    SimDisk create(int hsm, long seed);
  }

  /** Every version kept in memory ({@link VersionedDisk}): the fastest, the spec's own model. */
  static Factory versioned() {
    return (hsm, seed) -> new VersionedDisk();
  }

  /**
   * A write during which the power fails after the sealed log is written and before NVRAM
   * is (the spec's {@code WriteLog} without its {@code PersistHead}); a disk of real bytes may
   * instead keep only part of the write. The host crashes the HSM right after.
   */
  default void writeTorn(LogWrite write, long choice) {
    write(write, true);
  }

  /**
   * Performs one write of the core, producing the next version. An unsynced write is "done"
   * for the HSM but lost at the next {@link #crash()}.
   */
  void write(LogWrite write, boolean synced);

  /** A crash: writes not synced are lost; the current version becomes the last synced one. */
  void crash();

  /** The version the host would hand back now, as the storage layer unseals it. */
  RecoveredLog read();

  /** How many versions the host kept (0 is the empty log). */
  int versions();

  /** Which version is current. */
  int current();

  /** The host hands back version {@code version} from now on (a rollback, or forward again). */
  void handBack(int version);

  /**
   * The storage finds the entry at log index {@code index} damaged: what it hands back is the
   * current version truncated before that entry (the whole log, snapshot included, when the
   * damage is in the snapshot). Kept as a new version.
   */
  void damage(long index);
}
