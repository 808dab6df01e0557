package dev.bkv.hsm;

import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.opaque.KE1;
import dev.bkv.crypto.opaque.KE2;
import dev.bkv.crypto.opaque.KE3;
import dev.bkv.crypto.opaque.RegistrationRecord;
import dev.bkv.crypto.opaque.RegistrationRequest;
import dev.bkv.crypto.opaque.RegistrationResponse;
import dev.bkv.vault.Phase;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultLimits;
import dev.bkv.vault.Wire;
import java.nio.charset.StandardCharsets;

/**
 * The byte encoding of firmware requests and responses (spec/FORMATS.md, "Vault and HSM"):
 * {@code u8 format=1 || u8 kind || fields}, with OPAQUE messages in their RFC 9807
 * encodings. Decoders are strict and total: any malformed input is a
 * {@link DecodeException} naming the field, checked for size before any parsing.
 */
public final class FirmwareCodec {
  public static final int FORMAT = 1;
  /** The largest request: LoginFinish with a full expose upload is about 160 bytes; LoginStart ~180. */
  public static final int REQUEST_BYTES_MAX = 1024;
  /** The largest response is an attestation statement. */
  public static final int RESPONSE_BYTES_MAX = 2 + 2 + HsmAttestation.ENCODED_BYTES_MAX + 1024;
  public static final int DETAIL_CHARS_MAX = 400;

  private FirmwareCodec() {}

  public static byte[] encode(FirmwareRequest request) {
    Wire.Writer out = new Wire.Writer().u8(FORMAT).u8(request.kind().code);
    switch (request.kind()) {
      case REGISTER_START: {
        FirmwareRequest.RegisterStart r = (FirmwareRequest.RegisterStart) request;
        out.bytes8(r.userId().toBytes()).fixed(r.request().encode());
        break;
      }
      case REGISTER_FINISH: {
        FirmwareRequest.RegisterFinish r = (FirmwareRequest.RegisterFinish) request;
        out.bytes8(r.userId().toBytes()).fixed(r.registrationId().toBytes()).fixed(r.record().encode()).u8(r.maxAttempts());
        break;
      }
      case LOGIN_START: {
        FirmwareRequest.LoginStart r = (FirmwareRequest.LoginStart) request;
        out.bytes8(r.userId().toBytes()).u8(r.purpose().code).fixed(r.ke1().encode());
        break;
      }
      case LOGIN_FINISH: {
        FirmwareRequest.LoginFinish r = (FirmwareRequest.LoginFinish) request;
        out.fixed(r.loginId().toBytes()).fixed(r.ke3().encode()).bytes8(r.payload());
        break;
      }
      case LOGIN_CANCEL:
        out.fixed(((FirmwareRequest.LoginCancel) request).loginId().toBytes());
        break;
      case STATUS:
        out.bytes8(((FirmwareRequest.Status) request).userId().toBytes());
        break;
      case ATTEST:
        break;
      default:
        throw new AssertionError(request);
    }
    return out.toBytes();
  }

  public static FirmwareRequest decodeRequest(byte[] encoded) throws DecodeException {
    if (encoded.length > REQUEST_BYTES_MAX) {
      throw new DecodeException("request", encoded.length + " bytes exceeds REQUEST_BYTES_MAX " + REQUEST_BYTES_MAX);
    }
    Wire.Reader in = new Wire.Reader(encoded);
    format(in, "request");
    int code = in.u8("request.kind");
    FirmwareRequest.Kind kind = FirmwareRequest.Kind.fromCode(code);
    if (kind == null) {
      throw new DecodeException("request.kind", "unknown kind " + code);
    }
    FirmwareRequest request;
    switch (kind) {
      case REGISTER_START:
        request = new FirmwareRequest.RegisterStart(
            userId(in), RegistrationRequest.decode(in.fixed("RegistrationRequest", RegistrationRequest.BYTES)));
        break;
      case REGISTER_FINISH: {
        UserId userId = userId(in);
        RegistrationId registrationId = new RegistrationId(in.fixed("registration_id", RegistrationId.BYTES));
        RegistrationRecord record = RegistrationRecord.decode(in.fixed("RegistrationRecord", RegistrationRecord.BYTES));
        int maxAttempts = in.u8("max_attempts");
        if (maxAttempts < VaultLimits.MAX_ATTEMPTS_MIN) {
          throw new DecodeException("max_attempts", "must be in [" + VaultLimits.MAX_ATTEMPTS_MIN + ", " + VaultLimits.MAX_ATTEMPTS_MAX + "]");
        }
        request = new FirmwareRequest.RegisterFinish(userId, registrationId, record, maxAttempts);
        break;
      }
      case LOGIN_START: {
        UserId userId = userId(in);
        int purposeCode = in.u8("purpose");
        LoginPurpose purpose = LoginPurpose.fromCode(purposeCode);
        if (purpose == null) {
          throw new DecodeException("purpose", "unknown purpose " + purposeCode);
        }
        request = new FirmwareRequest.LoginStart(userId, purpose, KE1.decode(in.fixed("KE1", KE1.BYTES)));
        break;
      }
      case LOGIN_FINISH: {
        LoginId loginId = loginId(in);
        KE3 ke3 = KE3.decode(in.fixed("KE3", KE3.BYTES));
        byte[] payload = in.bytes8("payload", 0, VaultProtocol.EXPOSE_UPLOAD_BYTES_MAX);
        request = new FirmwareRequest.LoginFinish(loginId, ke3, payload);
        break;
      }
      case LOGIN_CANCEL:
        request = new FirmwareRequest.LoginCancel(loginId(in));
        break;
      case STATUS:
        request = new FirmwareRequest.Status(userId(in));
        break;
      case ATTEST:
        request = new FirmwareRequest.Attest();
        break;
      default:
        throw new AssertionError(kind);
    }
    in.end("request");
    return request;
  }

  public static byte[] encode(FirmwareResponse response) {
    Wire.Writer out = new Wire.Writer().u8(FORMAT).u8(response.kind().code);
    switch (response.kind()) {
      case REGISTER_STARTED: {
        FirmwareResponse.RegisterStarted r = (FirmwareResponse.RegisterStarted) response;
        out.fixed(r.registrationId().toBytes()).fixed(r.response().encode());
        break;
      }
      case REGISTER_STORED:
        out.fixed(((FirmwareResponse.RegisterStored) response).registrationId().toBytes());
        break;
      case LOGIN_STARTED: {
        FirmwareResponse.LoginStarted r = (FirmwareResponse.LoginStarted) response;
        out.fixed(r.loginId().toBytes()).fixed(r.ke2().encode());
        break;
      }
      case EXPOSED:
        out.fixed(((FirmwareResponse.Exposed) response).confirmation());
        break;
      case RECOVERED:
        out.bytes8(((FirmwareResponse.Recovered) response).sealedBackupKey());
        break;
      case DELETED:
        out.fixed(((FirmwareResponse.Deleted) response).confirmation());
        break;
      case LOGIN_FAILED:
      case NOT_FOUND:
        break;
      case STATUS_REPORT: {
        FirmwareResponse.StatusReport r = (FirmwareResponse.StatusReport) response;
        out.u8(r.phase().code).u8(r.guessesRemaining()).u8(r.maxAttempts());
        break;
      }
      case ATTESTATION:
        out.bytes16(((FirmwareResponse.Attestation) response).attestation().encode());
        break;
      case REFUSED: {
        FirmwareResponse.Refused r = (FirmwareResponse.Refused) response;
        out.u8(r.reason().code).bytes16(r.detail().getBytes(StandardCharsets.UTF_8));
        break;
      }
      default:
        throw new AssertionError(response);
    }
    return out.toBytes();
  }

  public static FirmwareResponse decodeResponse(byte[] encoded) throws DecodeException {
    if (encoded.length > RESPONSE_BYTES_MAX) {
      throw new DecodeException("response", encoded.length + " bytes exceeds RESPONSE_BYTES_MAX " + RESPONSE_BYTES_MAX);
    }
    Wire.Reader in = new Wire.Reader(encoded);
    format(in, "response");
    int code = in.u8("response.kind");
    FirmwareResponse.Kind kind = FirmwareResponse.Kind.fromCode(code);
    if (kind == null) {
      throw new DecodeException("response.kind", "unknown kind " + code);
    }
    FirmwareResponse response;
    switch (kind) {
      case REGISTER_STARTED: {
        RegistrationId registrationId = new RegistrationId(in.fixed("registration_id", RegistrationId.BYTES));
        response = new FirmwareResponse.RegisterStarted(
            registrationId, RegistrationResponse.decode(in.fixed("RegistrationResponse", RegistrationResponse.BYTES)));
        break;
      }
      case REGISTER_STORED:
        response = new FirmwareResponse.RegisterStored(new RegistrationId(in.fixed("registration_id", RegistrationId.BYTES)));
        break;
      case LOGIN_STARTED: {
        LoginId loginId = loginId(in);
        response = new FirmwareResponse.LoginStarted(loginId, KE2.decode(in.fixed("KE2", KE2.BYTES)));
        break;
      }
      case EXPOSED:
        response = new FirmwareResponse.Exposed(in.fixed("confirmation", VaultProtocol.CONFIRMATION_BYTES));
        break;
      case RECOVERED:
        response = new FirmwareResponse.Recovered(in.bytes8("sealed_backup_key", 1, VaultProtocol.RECOVERED_BYTES_MAX));
        break;
      case DELETED:
        response = new FirmwareResponse.Deleted(in.fixed("confirmation", VaultProtocol.CONFIRMATION_BYTES));
        break;
      case LOGIN_FAILED:
        response = new FirmwareResponse.LoginFailed();
        break;
      case NOT_FOUND:
        response = new FirmwareResponse.NotFound();
        break;
      case STATUS_REPORT:
        response = statusReport(in);
        break;
      case ATTESTATION: {
        HsmAttestation.Verification verification =
            HsmAttestation.verify(in.bytes16("attestation", 1, HsmAttestation.ENCODED_BYTES_MAX));
        if (verification instanceof HsmAttestation.Rejected) {
          throw new DecodeException("attestation", ((HsmAttestation.Rejected) verification).reason());
        }
        response = new FirmwareResponse.Attestation(((HsmAttestation.Verified) verification).attestation());
        break;
      }
      case REFUSED: {
        int reasonCode = in.u8("refusal.reason");
        FirmwareResponse.Reason reason = FirmwareResponse.Reason.fromCode(reasonCode);
        if (reason == null) {
          throw new DecodeException("refusal.reason", "unknown reason " + reasonCode);
        }
        byte[] detail = in.bytes16("refusal.detail", 0, 4 * DETAIL_CHARS_MAX);
        response = new FirmwareResponse.Refused(reason, new String(detail, StandardCharsets.UTF_8));
        break;
      }
      default:
        throw new AssertionError(kind);
    }
    in.end("response");
    return response;
  }

  private static FirmwareResponse statusReport(Wire.Reader in) throws DecodeException {
    int phaseCode = in.u8("status.phase");
    Phase phase = Phase.fromCode(phaseCode);
    if (phase == null) {
      throw new DecodeException("status.phase", "unknown phase " + phaseCode);
    }
    int remaining = in.u8("status.guesses_remaining");
    int maxAttempts = in.u8("status.max_attempts");
    if (maxAttempts < VaultLimits.MAX_ATTEMPTS_MIN || remaining > maxAttempts) {
      throw new DecodeException("status", remaining + " remaining of " + maxAttempts + " is not a valid count");
    }
    return new FirmwareResponse.StatusReport(phase, remaining, maxAttempts);
  }

  private static void format(Wire.Reader in, String what) throws DecodeException {
    int format = in.u8(what + ".format");
    if (format != FORMAT) {
      throw new DecodeException(what + ".format", "unknown format " + format);
    }
  }

  private static UserId userId(Wire.Reader in) throws DecodeException {
    return UserId.of(in.bytes8("user_id", VaultLimits.USER_ID_BYTES_MIN, VaultLimits.USER_ID_BYTES_MAX));
  }

  private static LoginId loginId(Wire.Reader in) throws DecodeException {
    return new LoginId(in.fixed("login_id", LoginId.BYTES));
  }
}
