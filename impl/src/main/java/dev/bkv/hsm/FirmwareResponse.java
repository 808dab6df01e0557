package dev.bkv.hsm;

import dev.bkv.crypto.opaque.KE2;
import dev.bkv.crypto.opaque.RegistrationResponse;
import dev.bkv.vault.Phase;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;

/** What the firmware answers: the closed set of responses. The byte encoding is {@link FirmwareCodec}'s. */
public sealed interface FirmwareResponse
    permits FirmwareResponse.RegisterStarted,
        FirmwareResponse.RegisterStored,
        FirmwareResponse.LoginStarted,
        FirmwareResponse.Exposed,
        FirmwareResponse.Recovered,
        FirmwareResponse.Deleted,
        FirmwareResponse.LoginFailed,
        FirmwareResponse.StatusReport,
        FirmwareResponse.NotFound,
        FirmwareResponse.Attestation,
        FirmwareResponse.Refused,
        FirmwareResponse.Migrated,
        FirmwareResponse.Imported,
        FirmwareResponse.Users {

  enum Kind {
    REGISTER_STARTED(1),
    REGISTER_STORED(2),
    LOGIN_STARTED(3),
    EXPOSED(4),
    RECOVERED(5),
    DELETED(6),
    LOGIN_FAILED(7),
    STATUS_REPORT(8),
    NOT_FOUND(9),
    ATTESTATION(10),
    REFUSED(11),
    MIGRATED(12),
    IMPORTED(13),
    USERS(14);

    public final int code;

    Kind(int code) {
      this.code = code;
    }

    public static Kind fromCode(int code) {
      for (Kind kind : values()) {
        if (kind.code == code) {
          return kind;
        }
      }
      return null;
    }
  }

  /** Why a request was refused. Each refusal also carries a detail text naming what was wrong. */
  enum Reason {
    MALFORMED_REQUEST(1),
    REQUEST_TOO_LARGE(2),
    /** RegisterFinish for a registration this firmware did not start (or already finished). */
    UNKNOWN_REGISTRATION(3),
    /** LoginFinish or LoginCancel for a login that is not pending (finished, evicted, or lost in a restart). */
    UNKNOWN_LOGIN(4),
    VAULT_FULL(5),
    REGISTRATION_CONFLICT(6),
    ALREADY_EXPOSED(7),
    /** The expose payload did not open under the session key. */
    BAD_BACKUP_KEY_UPLOAD(8),
    HSM_ZEROIZED(9),
    /** The firmware stopped after a failure it cannot answer through; the host must restart it. */
    HALTED(10),
    /** A fleet HSM that is not the leader; the detail names the leader it knows, if any. */
    NOT_LEADER(11),
    /** The request's entry lost leadership or the HSM restarted before it committed: send it again. */
    TRY_AGAIN(12),
    /** A migration request to an HSM that was given no trust anchors for migration (or a single HSM). */
    MIGRATION_NOT_CONFIGURED(13),
    /** MigrateOut: the new fleet's bundle failed a check (the detail names it). */
    TARGET_NOT_TRUSTED(14),
    /** MigrateOut: the record cannot be exported (not exposed, or exported to another fleet). */
    NOT_MIGRATABLE(15),
    /** MigrateIn: the export is malformed or does not open under this fleet's key. */
    EXPORT_REJECTED(16),
    /** MigrateIn: the vault refused it (the user has a record, the registration was imported before, or the vault is full). */
    IMPORT_REFUSED(17);

    public final int code;

    Reason(int code) {
      this.code = code;
    }

    public static Reason fromCode(int code) {
      for (Reason reason : values()) {
        if (reason.code == code) {
          return reason;
        }
      }
      return null;
    }
  }

  Kind kind();

  record RegisterStarted(RegistrationId registrationId, RegistrationResponse response) implements FirmwareResponse {
    @Override
    public Kind kind() {
      return Kind.REGISTER_STARTED;
    }
  }

  /** Phase 1 is durable; the record is STORED (or already was: a retried upload). */
  record RegisterStored(RegistrationId registrationId) implements FirmwareResponse {
    @Override
    public Kind kind() {
      return Kind.REGISTER_STORED;
    }
  }

  /** The guess is counted and durable; here is KE2. */
  record LoginStarted(LoginId loginId, KE2 ke2) implements FirmwareResponse {
    @Override
    public Kind kind() {
      return Kind.LOGIN_STARTED;
    }
  }

  /** Phase 2 is durable; the confirmation is an HMAC under a key only the session's two ends hold. */
  record Exposed(byte[] confirmation) implements FirmwareResponse {
    public Exposed {
      confirmation = confirmation.clone();
    }

    @Override
    public byte[] confirmation() {
      return confirmation.clone();
    }

    @Override
    public Kind kind() {
      return Kind.EXPOSED;
    }
  }

  /** The counter is reset and durable; the backup key, sealed under the session key. */
  record Recovered(byte[] sealedBackupKey) implements FirmwareResponse {
    public Recovered {
      sealedBackupKey = sealedBackupKey.clone();
    }

    @Override
    public byte[] sealedBackupKey() {
      return sealedBackupKey.clone();
    }

    @Override
    public Kind kind() {
      return Kind.RECOVERED;
    }
  }

  record Deleted(byte[] confirmation) implements FirmwareResponse {
    public Deleted {
      confirmation = confirmation.clone();
    }

    @Override
    public byte[] confirmation() {
      return confirmation.clone();
    }

    @Override
    public Kind kind() {
      return Kind.DELETED;
    }
  }

  /** KE3 did not verify, the login was cancelled, or its registration is gone. The count stays. */
  record LoginFailed() implements FirmwareResponse {
    @Override
    public Kind kind() {
      return Kind.LOGIN_FAILED;
    }
  }

  record StatusReport(Phase phase, int guessesRemaining, int maxAttempts) implements FirmwareResponse {
    @Override
    public Kind kind() {
      return Kind.STATUS_REPORT;
    }
  }

  /** No registration for this user (never made, deleted or destroyed: these answer alike). */
  record NotFound() implements FirmwareResponse {
    @Override
    public Kind kind() {
      return Kind.NOT_FOUND;
    }
  }

  record Attestation(HsmAttestation attestation) implements FirmwareResponse {
    @Override
    public Kind kind() {
      return Kind.ATTESTATION;
    }
  }

  record Refused(Reason reason, String detail) implements FirmwareResponse {
    public Refused {
      if (detail.length() > FirmwareCodec.DETAIL_CHARS_MAX) {
        detail = detail.substring(0, FirmwareCodec.DETAIL_CHARS_MAX);
      }
    }

    @Override
    public Kind kind() {
      return Kind.REFUSED;
    }
  }

  /** MigrateOut committed: the record is frozen here; the export, sealed to the new fleet. */
  record Migrated(byte[] export) implements FirmwareResponse {
    public Migrated {
      export = export.clone();
    }

    @Override
    public byte[] export() {
      return export.clone();
    }

    @Override
    public Kind kind() {
      return Kind.MIGRATED;
    }
  }

  /** MigrateIn committed: the registration is held here with the guesses it had used. */
  record Imported(UserId userId, RegistrationId registrationId, int guessesUsed, int maxAttempts)
      implements FirmwareResponse {
    @Override
    public Kind kind() {
      return Kind.IMPORTED;
    }
  }

  /** A page of user ids in canonical order; {@code more} when the walk has not reached the end. */
  record Users(java.util.List<UserId> userIds, boolean more) implements FirmwareResponse {
    public Users {
      userIds = java.util.List.copyOf(userIds);
      if (userIds.size() > FirmwareCodec.LIST_USERS_MAX) {
        throw new IllegalArgumentException(userIds.size() + " users exceed LIST_USERS_MAX " + FirmwareCodec.LIST_USERS_MAX);
      }
    }

    @Override
    public Kind kind() {
      return Kind.USERS;
    }
  }
}
