package dev.bkv.hsm;

import dev.bkv.base.Bytes;
import dev.bkv.base.SecretBytes;
import dev.bkv.crypto.Aes256Gcm;
import dev.bkv.crypto.HkdfSha256;
import dev.bkv.crypto.HmacSha256;
import dev.bkv.crypto.opaque.CredentialIdentifier;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.OpaqueConfig;
import dev.bkv.crypto.opaque.SessionKey;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultLimits;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

/**
 * What the phone and the firmware must agree on beyond OPAQUE itself (spec/FORMATS.md,
 * "Vault and HSM"): the OPAQUE context, the credential identifier, and the keys derived
 * from an OPAQUE session key that carry the backup key and confirm outcomes.
 *
 * <p>Each use of a session key gets its own key, {@code HKDF-SHA256(salt = "", IKM =
 * session_key, info = label, L = 32)}, and AES-256-GCM associated data that names the use,
 * the user and (for expose) the registration, so a ciphertext made for one purpose, user or
 * registration opens for no other. Each derived key encrypts once; the nonce is random
 * anyway, so no reasoning about reuse is needed.
 */
public final class VaultProtocol {
  private VaultProtocol() {}

  /** Bound into every OPAQUE login transcript of this vault whose client names {@link OpaqueContext#BKV}. */
  public static final byte[] OPAQUE_CONTEXT = ascii("BKV vault v1");

  /** nonce || AES-GCM(backup key) || tag. */
  public static final int EXPOSE_UPLOAD_BYTES_MAX = Aes256Gcm.NONCE_BYTES + VaultLimits.BACKUP_KEY_BYTES_MAX + Aes256Gcm.TAG_BYTES;
  public static final int RECOVERED_BYTES_MAX = EXPOSE_UPLOAD_BYTES_MAX;
  public static final int CONFIRMATION_BYTES = HmacSha256.TAG_BYTES;

  /** The registration id that stands in for an unknown user's; never drawn for a real one. */
  /** The credential identifier's registration part for a fake (unknown or mismatched) record. */
  public static final RegistrationId NO_REGISTRATION = new RegistrationId(new byte[RegistrationId.BYTES]);

  private static final byte[] EXPOSE_KEY_INFO = ascii("BKV v1 expose upload key");
  private static final byte[] EXPOSE_AAD = ascii("BKV v1 expose upload");
  private static final byte[] RECOVER_KEY_INFO = ascii("BKV v1 recovered backup key");
  private static final byte[] RECOVER_AAD = ascii("BKV v1 recovered backup key");
  private static final byte[] CONFIRM_KEY_INFO = ascii("BKV v1 confirmation key");

  /** What a confirmation confirms. */
  public enum Outcome {
    EXPOSED("BKV v1 exposed"),
    DELETED("BKV v1 deleted");

    private final byte[] label;

    Outcome(String label) {
      this.label = ascii(label);
    }
  }

  /** The firmware's OPAQUE configuration under BKV's context; see {@link #serverOpaqueConfig(OpaqueContext)}. */
  public static OpaqueConfig serverOpaqueConfig() {
    return serverOpaqueConfig(OpaqueContext.BKV);
  }

  /**
   * The firmware's OPAQUE configuration for logins started under {@code context}: the KSF is
   * the client's business, so the default stands.
   */
  public static OpaqueConfig serverOpaqueConfig(OpaqueContext context) {
    return OpaqueConfig.builder().context(context.bytes()).build();
  }

  /** The client's OPAQUE configuration under BKV's context; see {@link #opaqueConfig(Ksf, OpaqueContext)}. */
  public static OpaqueConfig opaqueConfig(Ksf ksf) {
    return opaqueConfig(ksf, OpaqueContext.BKV);
  }

  /** The client's OPAQUE configuration: the context its logins name, and the KSF it stretches passwords with. */
  public static OpaqueConfig opaqueConfig(Ksf ksf, OpaqueContext context) {
    return OpaqueConfig.builder().context(context.bytes()).ksf(ksf).build();
  }

  /**
   * credential_identifier = u8 len(user_id) || user_id || registration_id. Each registration
   * gets its own OPRF key, so a registration upload replayed after its record was destroyed
   * can never be bound to a new registration of the same user.
   */
  public static CredentialIdentifier credentialIdentifier(UserId userId, RegistrationId registrationId) {
    byte[] user = userId.toBytes();
    return CredentialIdentifier.of(Bytes.concat(new byte[] {(byte) user.length}, user, registrationId.toBytes()));
  }

  public static byte[] sealExposeUpload(
      SessionKey session, UserId userId, RegistrationId registrationId, BackupKey backupKey, SecureRandom random) {
    return seal(derive(session, EXPOSE_KEY_INFO), exposeAad(userId, registrationId), backupKey.toBytes(), random);
  }

  public static Optional<BackupKey> openExposeUpload(
      SessionKey session, UserId userId, RegistrationId registrationId, byte[] upload) {
    return open(derive(session, EXPOSE_KEY_INFO), exposeAad(userId, registrationId), upload);
  }

  public static byte[] sealRecovered(SessionKey session, UserId userId, BackupKey backupKey, SecureRandom random) {
    return seal(derive(session, RECOVER_KEY_INFO), userAad(RECOVER_AAD, userId), backupKey.toBytes(), random);
  }

  public static Optional<BackupKey> openRecovered(SessionKey session, UserId userId, byte[] sealed) {
    return open(derive(session, RECOVER_KEY_INFO), userAad(RECOVER_AAD, userId), sealed);
  }

  public static byte[] confirmation(SessionKey session, Outcome outcome, UserId userId) {
    Aes256Gcm.Key derived = derive(session, CONFIRM_KEY_INFO);
    HmacSha256.Key key = SecretBytes.consume(derived.toBytes(), HmacSha256.Key::new);
    derived.destroy();
    byte[] tag = HmacSha256.mac(key, userAad(outcome.label, userId));
    key.destroy();
    return tag;
  }

  public static boolean verifyConfirmation(SessionKey session, Outcome outcome, UserId userId, byte[] tag) {
    return Bytes.constantTimeEquals(confirmation(session, outcome, userId), tag);
  }

  private static Aes256Gcm.Key derive(SessionKey session, byte[] info) {
    byte[] ikm = session.toBytes();
    try {
      return SecretBytes.consume(HkdfSha256.derive(new byte[0], ikm, info, Aes256Gcm.KEY_BYTES), Aes256Gcm.Key::new);
    } finally {
      Bytes.zeroize(ikm);
    }
  }

  private static byte[] seal(Aes256Gcm.Key key, byte[] aad, byte[] plaintext, SecureRandom random) {
    Aes256Gcm.Nonce nonce = Aes256Gcm.Nonce.random(random);
    byte[] sealed = Bytes.concat(nonce.toBytes(), Aes256Gcm.seal(key, nonce, aad, plaintext));
    Arrays.fill(plaintext, (byte) 0);
    key.destroy();
    return sealed;
  }

  private static Optional<BackupKey> open(Aes256Gcm.Key key, byte[] aad, byte[] sealed) {
    int overhead = Aes256Gcm.NONCE_BYTES + Aes256Gcm.TAG_BYTES;
    if (sealed.length < overhead + VaultLimits.BACKUP_KEY_BYTES_MIN || sealed.length > overhead + VaultLimits.BACKUP_KEY_BYTES_MAX) {
      key.destroy();
      return Optional.empty();
    }
    Aes256Gcm.Nonce nonce = new Aes256Gcm.Nonce(Arrays.copyOf(sealed, Aes256Gcm.NONCE_BYTES));
    Optional<byte[]> plaintext = Aes256Gcm.open(key, nonce, aad, Arrays.copyOfRange(sealed, Aes256Gcm.NONCE_BYTES, sealed.length));
    key.destroy();
    return plaintext.map(bytes -> {
      BackupKey backupKey = new BackupKey(bytes);
      Arrays.fill(bytes, (byte) 0);
      return backupKey;
    });
  }

  private static byte[] exposeAad(UserId userId, RegistrationId registrationId) {
    return Bytes.concat(userAad(EXPOSE_AAD, userId), registrationId.toBytes());
  }

  private static byte[] userAad(byte[] label, UserId userId) {
    byte[] user = userId.toBytes();
    return Bytes.concat(label, new byte[] {(byte) user.length}, user);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
