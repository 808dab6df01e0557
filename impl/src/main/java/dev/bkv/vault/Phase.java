package dev.bkv.vault;

/**
 * The lifecycle of a registration: STORED after phase 1 (record held, not recoverable),
 * EXPOSED after phase 2 (backup key held, recoverable), MIGRATED once the record was
 * exported to a new fleet (rules R12-R14 of {@link VaultState}: frozen, it answers no login
 * again, and is kept only so that an export lost in transit can be made again). Destruction
 * and deletion erase the record; the vault keeps no tombstone, so the user is then simply
 * unknown.
 */
public enum Phase {
  STORED(1),
  EXPOSED(2),
  MIGRATED(3);

  /** {@code values()} copies its array on every call. */
  private static final Phase[] PHASES = values();

  /** The byte that encodes the phase in snapshots and firmware responses. */
  public final int code;

  Phase(int code) {
    this.code = code;
  }

  public static Phase fromCode(int code) {
    for (Phase phase : PHASES) {
      if (phase.code == code) {
        return phase;
      }
    }
    return null;
  }
}
