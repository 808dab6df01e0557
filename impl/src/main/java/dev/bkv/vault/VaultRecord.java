package dev.bkv.vault;

import dev.bkv.base.Check;
import dev.bkv.crypto.Sha256Digest;
import java.util.Optional;

/**
 * One user's registration as the vault holds it. Immutable: a transition builds the next
 * record. The backup key is present exactly when the phase is EXPOSED or MIGRATED; a
 * MIGRATED record names the bundle of the fleet it was exported to; an EXPOSED record
 * imported from another fleet carries that fleet's OPAQUE server setup (its envelope is
 * bound to it).
 */
public final class VaultRecord {
  private final RegistrationId registrationId;
  private final byte[] registrationRecord;
  private final int maxAttempts;
  private final int guessesUsed;
  private final Phase phase;
  private final BackupKey backupKey;
  /** MIGRATED only: the target fleet's bundle digest the record was exported to (R12). */
  private final Sha256Digest migratedTo;
  /**
   * Only for an imported registration, EXPOSED or MIGRATED again: the source fleet's server
   * setup (R13), carried on when the record migrates once more.
   */
  private final byte[] sourceSetup;
  /**
   * The SHA-256 of the KE1 whose guess was counted last since the count was last set (R15):
   * that KE1 sent again is answered without counting. Null when none.
   */
  private final Sha256Digest lastCountedKe1;

  VaultRecord(
      RegistrationId registrationId,
      byte[] registrationRecord,
      int maxAttempts,
      int guessesUsed,
      Phase phase,
      BackupKey backupKey) {
    this(registrationId, registrationRecord, maxAttempts, guessesUsed, phase, backupKey, null, null, null);
  }

  /**
   * A record with its migration fields (R12, R13): {@code migratedTo} or {@code sourceSetup} or
   * neither, and the last KE1 counted (R15), or null.
   */
  VaultRecord(RegistrationId registrationId, byte[] registrationRecord, int maxAttempts, int guessesUsed, Phase phase,
      BackupKey backupKey, Sha256Digest migratedTo, byte[] sourceSetup, Sha256Digest lastCountedKe1) {
    this.registrationId = registrationId;
    this.registrationRecord = registrationRecord == null ? null : registrationRecord.clone();
    this.maxAttempts = maxAttempts;
    this.guessesUsed = guessesUsed;
    this.phase = phase;
    this.backupKey = backupKey;
    this.migratedTo = migratedTo;
    this.sourceSetup = sourceSetup == null ? null : sourceSetup.clone();
    this.lastCountedKe1 = lastCountedKe1;
    checkInvariants();
  }

  /**
   * Adopts {@code ownRecord}, an array no one else holds or changes, and the other record's
   * migration fields, with {@code lastCountedKe1} as the last KE1 counted.
   */
  private VaultRecord(RegistrationId registrationId, byte[] ownRecord, int maxAttempts, int guessesUsed, Phase phase,
      BackupKey backupKey, VaultRecord fieldsOf, Sha256Digest lastCountedKe1) {
    this.registrationId = registrationId;
    this.registrationRecord = ownRecord;
    this.maxAttempts = maxAttempts;
    this.guessesUsed = guessesUsed;
    this.phase = phase;
    this.backupKey = backupKey;
    this.migratedTo = fieldsOf.migratedTo;
    this.sourceSetup = fieldsOf.sourceSetup;
    this.lastCountedKe1 = lastCountedKe1;
    checkInvariants();
  }

  /** The invariants every record satisfies; checked on every construction. */
  void checkInvariants() {
    Check.that(registrationId != null, "record has a registration id");
    Check.that(registrationRecord != null, "record has a registration record");
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
    Check.that((phase == Phase.EXPOSED || phase == Phase.MIGRATED) == (backupKey != null),
        "backup key present iff EXPOSED or MIGRATED");
    Check.that((phase == Phase.MIGRATED) == (migratedTo != null), "migration target present iff MIGRATED");
    Check.that(sourceSetup == null || phase == Phase.EXPOSED || phase == Phase.MIGRATED,
        "only an EXPOSED or MIGRATED record carries a source setup");
    Check.that(sourceSetup == null || (sourceSetup.length >= VaultLimits.SOURCE_SETUP_BYTES_MIN
        && sourceSetup.length <= VaultLimits.SOURCE_SETUP_BYTES_MAX), "source setup within its limits");
    // R15: a KE1 is remembered only as the one that counted a guess, and a migrated record counts none.
    Check.that(lastCountedKe1 == null || (guessesUsed > 0 && phase != Phase.MIGRATED),
        "a last counted KE1 only with a guess counted, never when MIGRATED");
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

  /** MIGRATED only: the digest of the bundle of the fleet the record was exported to. */
  public Optional<Sha256Digest> migratedTo() {
    return Optional.ofNullable(migratedTo);
  }

  /**
   * For a registration imported from another fleet: that fleet's OPAQUE server setup, under
   * which this record's logins must be answered (the user's envelope is bound to it).
   */
  public Optional<byte[]> sourceSetup() {
    return sourceSetup == null ? Optional.empty() : Optional.of(sourceSetup.clone());
  }

  /** R15: the digest of the KE1 whose guess was counted last, or null. */
  Sha256Digest lastCountedKe1() {
    return lastCountedKe1;
  }

  /** Without a copy, for the snapshot encoder. */
  byte[] sourceSetupShared() {
    return sourceSetup;
  }

  /** The backup key (EXPOSED or MIGRATED); callers outside the vault receive copies. */
  BackupKey backupKey() {
    return backupKey;
  }

  /** The registration record without a copy, for callers in this package that copy it themselves or only read it. */
  byte[] registrationRecordShared() {
    return registrationRecord;
  }

  boolean sameRegistrationRecord(byte[] other) {
    // Constant time: the record holds the masking key and the envelope's tag.
    return dev.bkv.base.Bytes.constantTimeEquals(registrationRecord, other);
  }

  /**
   * R5: the same record with one more guess counted, for the login whose KE1 has digest
   * {@code ke1}. It shares the registration record's array, which no record ever changes
   * (every guess counted on every HSM built a copy of it).
   */
  VaultRecord withGuessCounted(Sha256Digest ke1) {
    return new VaultRecord(registrationId, registrationRecord, maxAttempts, guessesUsed + 1, phase, backupKey, this,
        ke1);
  }

  /** R7: the same record with its count reset (and no KE1 remembered). */
  VaultRecord withCountReset() {
    return new VaultRecord(registrationId, registrationRecord, maxAttempts, 0, phase, backupKey, this, null);
  }

  /** R12: the same record, frozen as MIGRATED to {@code target}; it keeps its key for a repeated export. */
  VaultRecord migratedTo(Sha256Digest target) {
    return new VaultRecord(registrationId, registrationRecord, maxAttempts, guessesUsed, Phase.MIGRATED,
        backupKey, target, sourceSetup, null);
  }

  /** Erases the backup key from memory; the record must not be used afterwards. */
  void zeroize() {
    if (backupKey != null) {
      backupKey.destroy();
    }
    if (sourceSetup != null) {
      java.util.Arrays.fill(sourceSetup, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "VaultRecord(" + phase + ", used " + guessesUsed + "/" + maxAttempts + ")";
  }
}
