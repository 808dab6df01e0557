package dev.bkv.hsm;

import dev.bkv.crypto.Sha256Digest;
import dev.bkv.crypto.opaque.KE1;
import dev.bkv.crypto.opaque.KE3;
import dev.bkv.crypto.opaque.RegistrationRecord;
import dev.bkv.crypto.opaque.RegistrationRequest;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultLimits;

/**
 * What the host may ask of the vault firmware: the closed set of requests, each built only
 * from validated parts (OPAQUE messages are decoded, so their points are on the curve).
 * The byte encoding is {@link FirmwareCodec}'s.
 */
public sealed interface FirmwareRequest
    permits FirmwareRequest.RegisterStart,
        FirmwareRequest.RegisterFinish,
        FirmwareRequest.LoginStart,
        FirmwareRequest.LoginFinish,
        FirmwareRequest.LoginCancel,
        FirmwareRequest.Status,
        FirmwareRequest.Attest,
        FirmwareRequest.MigrateOut,
        FirmwareRequest.MigrateIn,
        FirmwareRequest.ListUsers {

  enum Kind {
    REGISTER_START(1),
    REGISTER_FINISH(2),
    LOGIN_START(3),
    LOGIN_FINISH(4),
    LOGIN_CANCEL(5),
    STATUS(6),
    ATTEST(7),
    MIGRATE_OUT(8),
    MIGRATE_IN(9),
    LIST_USERS(10);

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

  Kind kind();

  /** Registration phase 1, first half: OPAQUE registration request for {@code userId}. */
  record RegisterStart(UserId userId, RegistrationRequest request) implements FirmwareRequest {
    @Override
    public Kind kind() {
      return Kind.REGISTER_START;
    }
  }

  /** Registration phase 1, second half: the record to store, with the user's guess limit. */
  record RegisterFinish(UserId userId, RegistrationId registrationId, RegistrationRecord record, int maxAttempts)
      implements FirmwareRequest {
    public RegisterFinish {
      if (maxAttempts < VaultLimits.MAX_ATTEMPTS_MIN || maxAttempts > VaultLimits.MAX_ATTEMPTS_MAX) {
        throw new IllegalArgumentException("maxAttempts " + maxAttempts + " not in ["
            + VaultLimits.MAX_ATTEMPTS_MIN + ", " + VaultLimits.MAX_ATTEMPTS_MAX + "]");
      }
    }

    @Override
    public Kind kind() {
      return Kind.REGISTER_FINISH;
    }
  }

  /**
   * KE1 of a login; the guess is counted before KE2 is computed, and KE2 binds {@code context}
   * (see {@link OpaqueContext} for why the client may name it).
   */
  record LoginStart(UserId userId, LoginPurpose purpose, KE1 ke1, OpaqueContext context) implements FirmwareRequest {
    public LoginStart {
      java.util.Objects.requireNonNull(context, "context");
    }

    /** A login under BKV's own context. */
    public LoginStart(UserId userId, LoginPurpose purpose, KE1 ke1) {
      this(userId, purpose, ke1, OpaqueContext.BKV);
    }

    /** The login's name in its CountGuess: the same KE1 sent again is the same guess (R15). */
    public Sha256Digest ke1Digest() {
      return Sha256Digest.of(ke1.encode());
    }

    @Override
    public Kind kind() {
      return Kind.LOGIN_START;
    }
  }

  /**
   * KE3 of a pending login, with the purpose's payload: for EXPOSE the backup key sealed
   * under the session key ({@link VaultProtocol#sealExposeUpload}); empty otherwise.
   */
  record LoginFinish(LoginId loginId, KE3 ke3, byte[] payload) implements FirmwareRequest {
    public LoginFinish {
      if (payload.length > VaultProtocol.EXPOSE_UPLOAD_BYTES_MAX) {
        throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds " + VaultProtocol.EXPOSE_UPLOAD_BYTES_MAX);
      }
      payload = payload.clone();
    }

    @Override
    public byte[] payload() {
      return payload.clone();
    }

    @Override
    public Kind kind() {
      return Kind.LOGIN_FINISH;
    }
  }

  /** The client gave up on a pending login (its password did not open the envelope). */
  record LoginCancel(LoginId loginId) implements FirmwareRequest {
    @Override
    public Kind kind() {
      return Kind.LOGIN_CANCEL;
    }
  }

  /** Guesses remaining, shown to the user. */
  record Status(UserId userId) implements FirmwareRequest {
    @Override
    public Kind kind() {
      return Kind.STATUS;
    }
  }

  /** The HSM's signed attestation statement. */
  record Attest() implements FirmwareRequest {
    @Override
    public Kind kind() {
      return Kind.ATTEST;
    }
  }

  /**
   * Fleet rotation, old fleet: export {@code userId}'s registration to the fleet of
   * {@code targetWitnessedBundle}, which must chain to {@code ownWitnessedBundle} (this fleet's,
   * naming this HSM's OPAQUE key). Both are {@code bkv.dev/witnessed-bundle@v1} files.
   */
  record MigrateOut(UserId userId, byte[] targetWitnessedBundle, byte[] ownWitnessedBundle) implements FirmwareRequest {
    public MigrateOut {
      for (byte[] bundle : new byte[][] {targetWitnessedBundle, ownWitnessedBundle}) {
        if (bundle.length < 1 || bundle.length > FirmwareCodec.MIGRATION_BUNDLE_BYTES_MAX) {
          throw new IllegalArgumentException("a witnessed bundle of " + bundle.length + " bytes is not in [1, "
              + FirmwareCodec.MIGRATION_BUNDLE_BYTES_MAX + "]");
        }
      }
      targetWitnessedBundle = targetWitnessedBundle.clone();
      ownWitnessedBundle = ownWitnessedBundle.clone();
    }

    @Override
    public byte[] targetWitnessedBundle() {
      return targetWitnessedBundle.clone();
    }

    @Override
    public byte[] ownWitnessedBundle() {
      return ownWitnessedBundle.clone();
    }

    @Override
    public Kind kind() {
      return Kind.MIGRATE_OUT;
    }
  }

  /** Fleet rotation, new fleet: import one sealed export (opened only inside this fleet's HSMs). */
  record MigrateIn(byte[] export) implements FirmwareRequest {
    public MigrateIn {
      if (export.length < 1 || export.length > FirmwareCodec.MIGRATION_EXPORT_BYTES_MAX) {
        throw new IllegalArgumentException("an export of " + export.length + " bytes is not in [1, "
            + FirmwareCodec.MIGRATION_EXPORT_BYTES_MAX + "]");
      }
      export = export.clone();
    }

    @Override
    public byte[] export() {
      return export.clone();
    }

    @Override
    public Kind kind() {
      return Kind.MIGRATE_IN;
    }
  }

  /**
   * Up to {@code max} user ids with a record, after {@code after} (from the first when empty),
   * so an operator tool can walk the vault. User ids are not secret to the operator; nothing
   * else of a record is answered.
   */
  record ListUsers(java.util.Optional<UserId> after, int max) implements FirmwareRequest {
    public ListUsers {
      if (max < 1 || max > FirmwareCodec.LIST_USERS_MAX) {
        throw new IllegalArgumentException("max " + max + " not in [1, " + FirmwareCodec.LIST_USERS_MAX + "]");
      }
    }

    @Override
    public Kind kind() {
      return Kind.LIST_USERS;
    }
  }
}
