package dev.bkv.vault;

import dev.bkv.crypto.Sha256Digest;

/**
 * The closed set of commands that change the vault state. Commands are data: the firmware
 * (or, later, the replicated log) decides what to apply; {@link VaultState#apply} decides
 * what it means. Every field was validated by its constructor, so a command that exists is
 * well formed.
 */
public sealed interface Command
    permits Command.RegisterStore,
        Command.RegisterExpose,
        Command.CountGuess,
        Command.RecoverSucceeded,
        Command.GuessFailed,
        Command.Delete,
        Command.MigrateOut,
        Command.MigrateIn {

  /** The command's tag: one byte in the log-entry encoding. */
  enum Kind {
    REGISTER_STORE(1),
    REGISTER_EXPOSE(2),
    COUNT_GUESS(3),
    RECOVER_SUCCEEDED(4),
    GUESS_FAILED(5),
    DELETE(6),
    MIGRATE_OUT(7),
    MIGRATE_IN(8);

    /** {@code values()} copies its array on every call, and every decoded command looks its kind up. */
    private static final Kind[] KINDS = values();

    public final int code;

    Kind(int code) {
      this.code = code;
    }

    public static Kind fromCode(int code) {
      for (Kind kind : KINDS) {
        if (kind.code == code) {
          return kind;
        }
      }
      return null;
    }
  }

  Kind kind();

  UserId userId();

  /**
   * Registration phase 1: hold an OPAQUE registration record, not yet recoverable. A retry
   * or replay never resets the guess count of an existing registration.
   */
  record RegisterStore(UserId userId, RegistrationId registrationId, byte[] registrationRecord, int maxAttempts)
      implements Command {
    public RegisterStore {
      requireNonNull(userId, registrationId);
      if (registrationRecord == null
          || registrationRecord.length < VaultLimits.REGISTRATION_RECORD_BYTES_MIN
          || registrationRecord.length > VaultLimits.REGISTRATION_RECORD_BYTES_MAX) {
        throw new IllegalArgumentException("registration record must be "
            + VaultLimits.REGISTRATION_RECORD_BYTES_MIN + ".." + VaultLimits.REGISTRATION_RECORD_BYTES_MAX + " bytes");
      }
      if (maxAttempts < VaultLimits.MAX_ATTEMPTS_MIN || maxAttempts > VaultLimits.MAX_ATTEMPTS_MAX) {
        throw new IllegalArgumentException("maxAttempts " + maxAttempts + " not in ["
            + VaultLimits.MAX_ATTEMPTS_MIN + ", " + VaultLimits.MAX_ATTEMPTS_MAX + "]");
      }
      registrationRecord = registrationRecord.clone();
    }

    @Override
    public byte[] registrationRecord() {
      return registrationRecord.clone();
    }

    @Override
    public Kind kind() {
      return Kind.REGISTER_STORE;
    }
  }

  /**
   * Registration phase 2: after a successful login against the STORED record, hold the
   * backup key and make the record recoverable with the guess count at 0.
   */
  record RegisterExpose(UserId userId, RegistrationId registrationId, BackupKey backupKey) implements Command {
    public RegisterExpose {
      requireNonNull(userId, registrationId);
      if (backupKey == null) {
        throw new IllegalArgumentException("backup key missing");
      }
    }

    @Override
    public Kind kind() {
      return Kind.REGISTER_EXPOSE;
    }
  }

  /**
   * A login began (KE1 arrived): count the guess. Applied before KE2 exists. {@code ke1Digest}
   * (SHA-256 of KE1) names the login: KE1 carries the blinded password, so the same KE1 sent
   * again (a retry after a lost answer) is the same guess, answered again and not counted
   * again (R15).
   */
  record CountGuess(UserId userId, Sha256Digest ke1Digest) implements Command {
    public CountGuess {
      if (userId == null) {
        throw new IllegalArgumentException("user id missing");
      }
      if (ke1Digest == null) {
        throw new IllegalArgumentException("KE1 digest missing");
      }
    }

    @Override
    public Kind kind() {
      return Kind.COUNT_GUESS;
    }
  }

  /** KE3 verified for a login counted against {@code registrationId}: reset the count, release the key. */
  record RecoverSucceeded(UserId userId, RegistrationId registrationId) implements Command {
    public RecoverSucceeded {
      requireNonNull(userId, registrationId);
    }

    @Override
    public Kind kind() {
      return Kind.RECOVER_SUCCEEDED;
    }
  }

  /**
   * A counted login ended without success (bad KE3, cancelled, evicted). The count stays;
   * a registration with no guesses left is destroyed.
   */
  record GuessFailed(UserId userId, RegistrationId registrationId) implements Command {
    public GuessFailed {
      requireNonNull(userId, registrationId);
    }

    @Override
    public Kind kind() {
      return Kind.GUESS_FAILED;
    }
  }

  /** KE3 verified for a login whose purpose was deletion: erase the registration. */
  record Delete(UserId userId, RegistrationId registrationId) implements Command {
    public Delete {
      requireNonNull(userId, registrationId);
    }

    @Override
    public Kind kind() {
      return Kind.DELETE;
    }
  }

  /**
   * Fleet rotation, old fleet (R12): freeze the EXPOSED record of {@code registrationId} as
   * MIGRATED to the fleet whose bundle has digest {@code targetBundle}. Committed before any
   * export of the record exists; the answer carries what the export seals.
   */
  record MigrateOut(UserId userId, RegistrationId registrationId, Sha256Digest targetBundle) implements Command {
    public MigrateOut {
      requireNonNull(userId, registrationId);
      if (targetBundle == null) {
        throw new IllegalArgumentException("target bundle digest missing");
      }
    }

    @Override
    public Kind kind() {
      return Kind.MIGRATE_OUT;
    }
  }

  /**
   * Fleet rotation, new fleet (R13): hold a registration exported by the fleet whose bundle
   * has digest {@code sourceBundle}, with its guesses used, its limit, its backup key and that
   * fleet's OPAQUE server setup ({@code sourceSetup}, which the user's envelope is bound to).
   */
  record MigrateIn(UserId userId, RegistrationId registrationId, byte[] registrationRecord, int guessesUsed,
      int maxAttempts, BackupKey backupKey, byte[] sourceSetup, Sha256Digest sourceBundle) implements Command {
    public MigrateIn {
      requireNonNull(userId, registrationId);
      if (registrationRecord == null
          || registrationRecord.length < VaultLimits.REGISTRATION_RECORD_BYTES_MIN
          || registrationRecord.length > VaultLimits.REGISTRATION_RECORD_BYTES_MAX) {
        throw new IllegalArgumentException("registration record must be "
            + VaultLimits.REGISTRATION_RECORD_BYTES_MIN + ".." + VaultLimits.REGISTRATION_RECORD_BYTES_MAX + " bytes");
      }
      if (maxAttempts < VaultLimits.MAX_ATTEMPTS_MIN || maxAttempts > VaultLimits.MAX_ATTEMPTS_MAX) {
        throw new IllegalArgumentException("maxAttempts " + maxAttempts + " not in ["
            + VaultLimits.MAX_ATTEMPTS_MIN + ", " + VaultLimits.MAX_ATTEMPTS_MAX + "]");
      }
      if (guessesUsed < 0 || guessesUsed > maxAttempts) {
        throw new IllegalArgumentException("guessesUsed " + guessesUsed + " not in [0, maxAttempts " + maxAttempts + "]");
      }
      if (backupKey == null) {
        throw new IllegalArgumentException("backup key missing");
      }
      if (sourceSetup == null || sourceSetup.length < VaultLimits.SOURCE_SETUP_BYTES_MIN
          || sourceSetup.length > VaultLimits.SOURCE_SETUP_BYTES_MAX) {
        throw new IllegalArgumentException("source setup must be "
            + VaultLimits.SOURCE_SETUP_BYTES_MIN + ".." + VaultLimits.SOURCE_SETUP_BYTES_MAX + " bytes");
      }
      if (sourceBundle == null) {
        throw new IllegalArgumentException("source bundle digest missing");
      }
      registrationRecord = registrationRecord.clone();
      sourceSetup = sourceSetup.clone();
    }

    @Override
    public byte[] registrationRecord() {
      return registrationRecord.clone();
    }

    @Override
    public byte[] sourceSetup() {
      return sourceSetup.clone();
    }

    @Override
    public Kind kind() {
      return Kind.MIGRATE_IN;
    }
  }

  private static void requireNonNull(UserId userId, RegistrationId registrationId) {
    if (userId == null) {
      throw new IllegalArgumentException("user id missing");
    }
    if (registrationId == null) {
      throw new IllegalArgumentException("registration id missing");
    }
  }
}
