package dev.bkv.vault;

/**
 * What {@link VaultState#apply} answers. Responses are data: applying a command releases
 * nothing. The caller makes the state change durable (or, in the fleet, committed by a
 * majority) and only then acts on the response.
 */
public sealed interface Response
    permits Response.Stored,
        Response.Exposed,
        Response.GuessCounted,
        Response.Recovered,
        Response.Deleted,
        Response.Destroyed,
        Response.FailureKept,
        Response.NotFound,
        Response.Refused,
        Response.StatusReport,
        Response.MigratedOut,
        Response.Imported {

  /**
   * True when the command changed the state. The caller must persist such a command before
   * releasing anything that depends on it; a command that changed nothing need not be
   * logged, because replaying the log without it reaches the same state.
   */
  boolean changedState();

  /** Why a well-formed command was refused; the state is unchanged. */
  enum Reason {
    /** The vault already holds {@link VaultLimits#USERS_MAX} registrations. */
    VAULT_FULL,
    /** A store names the current registration id but differs from it in content. */
    REGISTRATION_CONFLICT,
    /** Expose for a registration that is already exposed. */
    ALREADY_EXPOSED,
    /** Recovery for a registration that was stored but never exposed. */
    NOT_EXPOSED,
    /** A store naming a registration that was destroyed or deleted (R11). */
    REGISTRATION_RETIRED,
    /** A login, store or delete on a record exported to another fleet (R14). */
    MIGRATED,
    /** MigrateOut of a record already exported to another target fleet (R12). */
    MIGRATED_ELSEWHERE,
    /** MigrateIn for a user who holds a record on this fleet (R13). */
    USER_EXISTS,
    /** MigrateIn naming a registration this vault imported, destroyed or deleted before (R13). */
    ALREADY_IMPORTED,
    /** The vault remembers {@link VaultLimits#IMPORTED_IDS_MAX} imported ids already (R13). */
    IMPORTS_FULL
  }

  /** Phase 1 done; {@code replay} when the store repeated the current registration exactly. */
  record Stored(RegistrationId registrationId, boolean replay) implements Response {
    @Override
    public boolean changedState() {
      return !replay;
    }
  }

  /** Phase 2 done: the record is recoverable and its guess count is 0. */
  record Exposed() implements Response {
    @Override
    public boolean changedState() {
      return true;
    }
  }

  /**
   * The guess is counted; the caller may now (after persisting) compute and release KE2 from
   * {@code registrationRecord}. {@code attemptNumber} is 1-based since the last success.
   */
  record GuessCounted(
      RegistrationId registrationId, Phase phase, byte[] registrationRecord, int attemptNumber, int guessesRemaining)
      implements Response {
    public GuessCounted {
      registrationRecord = registrationRecord.clone();
    }

    @Override
    public byte[] registrationRecord() {
      return registrationRecord.clone();
    }

    @Override
    public boolean changedState() {
      return true;
    }
  }

  /** The guess count is reset; the key is a copy, to be released encrypted under the session key. */
  record Recovered(BackupKey backupKey) implements Response {
    @Override
    public boolean changedState() {
      return true;
    }
  }

  /** The registration was erased at its owner's request. */
  record Deleted() implements Response {
    @Override
    public boolean changedState() {
      return true;
    }
  }

  /** The registration used every guess without success and was erased with its key. */
  record Destroyed() implements Response {
    @Override
    public boolean changedState() {
      return true;
    }
  }

  /** A failed login was noted; the count it used stays. */
  record FailureKept(int guessesRemaining) implements Response {
    @Override
    public boolean changedState() {
      return false;
    }
  }

  /**
   * No such registration: never registered, deleted, destroyed, or replaced since the login
   * began. All of these answer alike, so a destroyed record is indistinguishable from one
   * that never existed.
   */
  record NotFound() implements Response {
    @Override
    public boolean changedState() {
      return false;
    }
  }

  /** A well-formed command that the current state does not allow. */
  record Refused(Reason reason) implements Response {
    @Override
    public boolean changedState() {
      return false;
    }
  }

  /**
   * R12: the record is MIGRATED to {@code targetBundle} (or already was: {@code repeat}); what
   * the export seals. The key is a copy, to be released only sealed to the target fleet.
   * {@code sourceSetup} is the server setup the record was imported with, empty when the
   * registration was made on this fleet (whose own setup the export then carries).
   */
  record MigratedOut(RegistrationId registrationId, byte[] registrationRecord, int guessesUsed, int maxAttempts,
      BackupKey backupKey, dev.bkv.crypto.Sha256Digest targetBundle, byte[] sourceSetup, boolean repeat)
      implements Response {
    public MigratedOut {
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
    public boolean changedState() {
      return !repeat;
    }
  }

  /** R13: the registration is held here, EXPOSED, with the guesses it had used on its old fleet. */
  record Imported(RegistrationId registrationId, int guessesUsed, int maxAttempts) implements Response {
    @Override
    public boolean changedState() {
      return true;
    }
  }

  /** The answer to a status read: what the user is shown. */
  record StatusReport(Phase phase, int guessesRemaining, int maxAttempts) implements Response {
    @Override
    public boolean changedState() {
      return false;
    }
  }
}
