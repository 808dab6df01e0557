package dev.bkv.vault;

/**
 * Every size and count the vault state machine accepts, in one place. Inputs beyond these
 * are refused before any work is done; state that would exceed them is never created.
 */
public final class VaultLimits {
  private VaultLimits() {}

  /** Registrations one vault holds. Bounds the snapshot: see {@link #SNAPSHOT_BYTES_MAX}. */
  public static final int USERS_MAX = 100_000;

  /** A user id is an opaque account identifier chosen by the frontend. */
  public static final int USER_ID_BYTES_MIN = 1;
  public static final int USER_ID_BYTES_MAX = 64;

  /**
   * An OPAQUE registration record, held as opaque bytes by the vault. RFC 9807 P256-SHA256
   * records are 129 bytes (client public key 33, masking key 32, envelope 64); the bound
   * leaves room for other suites without letting a record grow the state unboundedly.
   */
  public static final int REGISTRATION_RECORD_BYTES_MIN = 1;
  public static final int REGISTRATION_RECORD_BYTES_MAX = 256;

  /** The backup key the vault protects (WhatsApp's is 32 bytes). */
  public static final int BACKUP_KEY_BYTES_MIN = 16;
  public static final int BACKUP_KEY_BYTES_MAX = 64;

  /** maxAttempts is chosen per registration in [1, 255]; one byte in every encoding. */
  public static final int MAX_ATTEMPTS_MIN = 1;
  public static final int MAX_ATTEMPTS_MAX = 255;
  public static final int MAX_ATTEMPTS_DEFAULT = 10;

  /**
   * One encoded command (a log entry's plaintext). MigrateIn is the largest: 2 + 65 + 16 + 258
   * + 2 + 65 + 98 + 32 = 538 bytes at every field's maximum.
   */
  public static final int COMMAND_BYTES_MAX = 768;

  /**
   * An OPAQUE server setup carried by a migrated registration (the old fleet's, which the
   * user's envelope is bound to): RFC 9807 P256-SHA256's is 97 bytes; the bound leaves room.
   */
  public static final int SOURCE_SETUP_BYTES_MIN = 1;
  public static final int SOURCE_SETUP_BYTES_MAX = 128;

  /**
   * Registration ids imported from another fleet that the vault remembers (R13), so a replayed
   * import is refused forever. Never evicted: a full set refuses imports instead, because
   * forgetting an id would let its import reset a counter.
   */
  public static final int IMPORTED_IDS_MAX = USERS_MAX;

  /**
   * One encoded record in a snapshot is at most 1 + 64 + 16 + 2 + 256 + 3 + 1 + 65 + 1 + 128 =
   * 537 bytes (an imported record with its source setup; a MIGRATED one adds 32 instead), and
   * format 4 adds 1 + 32 for the last KE1 counted (R15; never on a MIGRATED record): 570 bytes,
   * so {@link #USERS_MAX} records fit in 57 MB, and the imported ids in 1.6 MB more, within
   * 56 MiB (58.7 MB).
   */
  public static final int SNAPSHOT_BYTES_MAX = 56 * 1024 * 1024;
}
