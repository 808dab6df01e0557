package dev.bkv.vault;

import dev.bkv.base.Check;

/**
 * One user's registration as the vault holds it. Immutable: a transition builds the next
 * record. The backup key is present exactly when the phase is EXPOSED.
 */
public final class VaultRecord {
  private final RegistrationId registrationId;
  private final byte[] registrationRecord;
  private final int maxAttempts;
  private final int guessesUsed;
  private final Phase phase;
  private final BackupKey backupKey;

  VaultRecord(
      RegistrationId registrationId,
      byte[] registrationRecord,
      int maxAttempts,
      int guessesUsed,
      Phase phase,
      BackupKey backupKey) {
    this(registrationId, registrationRecord.clone(), maxAttempts, guessesUsed, phase, backupKey, true);
  }

  /** Adopts {@code ownRecord}, an array no one else holds or changes. */
  private VaultRecord(RegistrationId registrationId, byte[] ownRecord, int maxAttempts, int guessesUsed, Phase phase,
      BackupKey backupKey, boolean adopted) {
    this.registrationId = registrationId;
    this.registrationRecord = ownRecord;
    this.maxAttempts = maxAttempts;
    this.guessesUsed = guessesUsed;
    this.phase = phase;
    this.backupKey = backupKey;
    checkInvariants();
  }

  /** The invariants every record satisfies; checked on every construction. */
  void checkInvariants() {
    Check.that(registrationId != null, "record has a registration id");
    Check.that(registrationRecord.length >= VaultLimits.REGISTRATION_RECORD_BYTES_MIN,
        "registration record at least REGISTRATION_RECORD_BYTES_MIN");
    Check.that(registrationRecord.length <= VaultLimits.REGISTRATION_RECORD_BYTES_MAX,
        "registration record at most REGISTRATION_RECORD_BYTES_MAX");
    Check.that(maxAttempts >= VaultLimits.MAX_ATTEMPTS_MIN, "maxAttempts >= MAX_ATTEMPTS_MIN");
    Check.that(maxAttempts <= VaultLimits.MAX_ATTEMPTS_MAX, "maxAttempts <= MAX_ATTEMPTS_MAX");
    Check.that(guessesUsed >= 0, "guessesUsed >= 0");
    // G1 at the record: no more guesses are ever counted than the registration allows.
    Check.that(guessesUsed <= maxAttempts, "guessesUsed <= maxAttempts");
    Check.that(phase != null, "record has a phase");
    Check.that((phase == Phase.EXPOSED) == (backupKey != null), "backup key present iff EXPOSED");
  }

  public RegistrationId registrationId() {
    return registrationId;
  }

  public byte[] registrationRecord() {
    return registrationRecord.clone();
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public int guessesUsed() {
    return guessesUsed;
  }

  public int guessesRemaining() {
    return maxAttempts - guessesUsed;
  }

  public Phase phase() {
    return phase;
  }

  /** The backup key (EXPOSED only); callers outside the vault receive copies. */
  BackupKey backupKey() {
    return backupKey;
  }

  /** The registration record without a copy, for callers in this package that copy it themselves or only read it. */
  byte[] registrationRecordShared() {
    return registrationRecord;
  }

  boolean sameRegistrationRecord(byte[] other) {
    return java.util.Arrays.equals(registrationRecord, other);
  }

  /**
   * The same record with another count. It shares the registration record's array, which no
   * record ever changes (every guess counted on every HSM built a copy of it).
   */
  VaultRecord withGuessesUsed(int used) {
    return new VaultRecord(registrationId, registrationRecord, maxAttempts, used, phase, backupKey, true);
  }

  /** Erases the backup key from memory; the record must not be used afterwards. */
  void zeroize() {
    if (backupKey != null) {
      backupKey.destroy();
    }
  }

  @Override
  public String toString() {
    return "VaultRecord(" + phase + ", used " + guessesUsed + "/" + maxAttempts + ")";
  }
}
