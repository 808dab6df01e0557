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
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The byte encoding of firmware requests and responses (spec/FORMATS.md, "Vault and HSM"):
 * {@code u8 format=1 || u8 kind || fields}, with OPAQUE messages in their RFC 9807
 * encodings. Decoders are strict and total: any malformed input is a
 * {@link DecodeException} naming the field, checked for size before any parsing.
 */
public final class FirmwareCodec {
  public static final int FORMAT = 1;
  /**
   * Every request but MigrateOut: LoginFinish with a full expose upload is about 160 bytes,
   * LoginStart ~180, MigrateIn at most 2 + 2 + {@link #MIGRATION_EXPORT_BYTES_MAX}.
   */
  public static final int CLIENT_REQUEST_BYTES_MAX = 1100;
  /**
   * One witnessed bundle file in MigrateOut: bounds {@code WitnessedBundle.WITNESSED_BYTES_MAX}
   * (about 173 KiB; a test keeps the two in step, since the bundle package sits above this one).
   */
  public static final int MIGRATION_BUNDLE_BYTES_MAX = 192 * 1024;
  /** One sealed migration export: bounds {@code MigrationExport.EXPORT_BYTES_MAX} (663 bytes). */
  public static final int MIGRATION_EXPORT_BYTES_MAX = 1024;
  /** User ids in one ListUsers page. */
  public static final int LIST_USERS_MAX = 100;
  /** The largest request, MigrateOut with two witnessed bundles; every other kind is held to {@link #CLIENT_REQUEST_BYTES_MAX}. */
  public static final int REQUEST_BYTES_MAX = 2 + 1 + VaultLimits.USER_ID_BYTES_MAX + 2 * (4 + MIGRATION_BUNDLE_BYTES_MAX);
  /** The largest response: an attestation statement, or a full page of user ids. */
  public static final int RESPONSE_BYTES_MAX = Math.max(2 + 2 + HsmAttestation.ENCODED_BYTES_MAX + 1024,
      2 + 1 + 2 + LIST_USERS_MAX * (1 + VaultLimits.USER_ID_BYTES_MAX));
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
        if (r.context() != OpaqueContext.BKV) {
          out.u8(r.context().code); // BKV's context is written as no byte: one encoding per request
        }
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
      case MIGRATE_OUT: {
        FirmwareRequest.MigrateOut r = (FirmwareRequest.MigrateOut) request;
        byte[] target = r.targetWitnessedBundle();
        byte[] own = r.ownWitnessedBundle();
        out.bytes8(r.userId().toBytes()).u32(target.length).fixed(target).u32(own.length).fixed(own);
        break;
      }
      case MIGRATE_IN:
        out.bytes16(((FirmwareRequest.MigrateIn) request).export());
        break;
      case LIST_USERS: {
        FirmwareRequest.ListUsers r = (FirmwareRequest.ListUsers) request;
        out.bytes8(r.after().map(UserId::toBytes).orElse(new byte[0])).u16(r.max());
        break;
      }
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
    if (kind != FirmwareRequest.Kind.MIGRATE_OUT && encoded.length > CLIENT_REQUEST_BYTES_MAX) {
      throw new DecodeException("request", encoded.length + " bytes exceeds CLIENT_REQUEST_BYTES_MAX "
          + CLIENT_REQUEST_BYTES_MAX + " for " + kind);
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
        KE1 ke1 = KE1.decode(in.fixed("KE1", KE1.BYTES));
        request = new FirmwareRequest.LoginStart(userId, purpose, ke1, opaqueContext(in, encoded.length, userId));
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
      case MIGRATE_OUT: {
        UserId userId = userId(in);
        byte[] target = witnessedBundle(in, "target_bundle");
        request = new FirmwareRequest.MigrateOut(userId, target, witnessedBundle(in, "own_bundle"));
        break;
      }
      case MIGRATE_IN:
        request = new FirmwareRequest.MigrateIn(in.bytes16("export", 1, MIGRATION_EXPORT_BYTES_MAX));
        break;
      case LIST_USERS: {
        byte[] after = in.bytes8("after_user_id", 0, VaultLimits.USER_ID_BYTES_MAX);
        int max = in.u16("max");
        if (max < 1 || max > LIST_USERS_MAX) {
          throw new DecodeException("max", max + " not in [1, " + LIST_USERS_MAX + "]");
        }
        request = new FirmwareRequest.ListUsers(
            after.length == 0 ? java.util.Optional.empty() : java.util.Optional.of(UserId.of(after)), max);
        break;
      }
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
      case MIGRATED:
        out.bytes16(((FirmwareResponse.Migrated) response).export());
        break;
      case IMPORTED: {
        FirmwareResponse.Imported r = (FirmwareResponse.Imported) response;
        out.bytes8(r.userId().toBytes()).fixed(r.registrationId().toBytes()).u8(r.guessesUsed()).u8(r.maxAttempts());
        break;
      }
      case USERS: {
        FirmwareResponse.Users r = (FirmwareResponse.Users) response;
        out.u8(r.more() ? 1 : 0).u16(r.userIds().size());
        for (UserId u : r.userIds()) {
          out.bytes8(u.toBytes());
        }
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
        response = new FirmwareResponse.Refused(reason, utf8("refusal.detail", detail));
        break;
      }
      case MIGRATED:
        response = new FirmwareResponse.Migrated(in.bytes16("export", 1, MIGRATION_EXPORT_BYTES_MAX));
        break;
      case IMPORTED:
        response = imported(in);
        break;
      case USERS:
        response = users(in);
        break;
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

  /**
   * LoginStart's optional last byte, the OPAQUE context profile: absent means BKV's, so
   * requests from before the profile existed decode as they always did. Present, it must name
   * another profile, so each request keeps exactly one encoding.
   */
  private static OpaqueContext opaqueContext(Wire.Reader in, int encodedBytes, UserId userId) throws DecodeException {
    // format, kind, user id (length and bytes), purpose, KE1
    int withoutProfile = 1 + 1 + 1 + userId.toBytes().length + 1 + KE1.BYTES;
    if (encodedBytes == withoutProfile) {
      return OpaqueContext.BKV;
    }
    int code = in.u8("opaque_context");
    OpaqueContext context = OpaqueContext.fromCode(code);
    if (context == null) {
      throw new DecodeException("opaque_context", "unknown OPAQUE context profile " + code
          + " (known: 1 EMPTY; BKV's is written by leaving the byte out)");
    }
    if (context == OpaqueContext.BKV) {
      throw new DecodeException("opaque_context", "profile 0 (BKV) is written by leaving the byte out, not as 0");
    }
    return context;
  }

  private static byte[] witnessedBundle(Wire.Reader in, String field) throws DecodeException {
    long length = in.u32(field + " length");
    if (length < 1 || length > MIGRATION_BUNDLE_BYTES_MAX) {
      throw new DecodeException(field, "length " + length + " not in [1, " + MIGRATION_BUNDLE_BYTES_MAX + "]");
    }
    return in.fixed(field, (int) length);
  }

  private static FirmwareResponse imported(Wire.Reader in) throws DecodeException {
    UserId userId = userId(in);
    RegistrationId registrationId = new RegistrationId(in.fixed("registration_id", RegistrationId.BYTES));
    int used = in.u8("imported.guesses_used");
    int maxAttempts = in.u8("imported.max_attempts");
    if (maxAttempts < VaultLimits.MAX_ATTEMPTS_MIN || used > maxAttempts) {
      throw new DecodeException("imported", used + " used of " + maxAttempts + " is not a valid count");
    }
    return new FirmwareResponse.Imported(userId, registrationId, used, maxAttempts);
  }

  private static FirmwareResponse users(Wire.Reader in) throws DecodeException {
    int more = in.u8("users.more");
    if (more > 1) {
      throw new DecodeException("users.more", "must be 0 or 1, got " + more);
    }
    int count = in.u16("users.count");
    if (count > LIST_USERS_MAX) {
      throw new DecodeException("users.count", count + " exceeds LIST_USERS_MAX " + LIST_USERS_MAX);
    }
    java.util.List<UserId> users = new java.util.ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      UserId u = userId(in);
      if (!users.isEmpty() && users.get(users.size() - 1).compareTo(u) >= 0) {
        throw new DecodeException("users.user_id", "user ids not in strictly increasing order");
      }
      users.add(u);
    }
    return new FirmwareResponse.Users(users, more == 1);
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

  /**
   * Strict UTF-8: malformed bytes are refused rather than replaced by U+FFFD, which would
   * re-encode to other bytes, so that only a response's canonical encoding decodes.
   */
  private static String utf8(String field, byte[] bytes) throws DecodeException {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new DecodeException(field, "not UTF-8");
    }
  }
}
