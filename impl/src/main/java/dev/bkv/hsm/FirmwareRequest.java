package dev.bkv.hsm;

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
        FirmwareRequest.Attest {

  enum Kind {
    REGISTER_START(1),
    REGISTER_FINISH(2),
    LOGIN_START(3),
    LOGIN_FINISH(4),
    LOGIN_CANCEL(5),
    STATUS(6),
    ATTEST(7);

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

  /** KE1 of a login; the guess is counted before KE2 is computed. */
  record LoginStart(UserId userId, LoginPurpose purpose, KE1 ke1) implements FirmwareRequest {
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
}
