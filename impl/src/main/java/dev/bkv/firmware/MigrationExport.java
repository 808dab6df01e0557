package dev.bkv.firmware;

import dev.bkv.crypto.Aes256Gcm;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.HkdfSha256;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.Sha256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.crypto.opaque.ServerSetup;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultLimits;
import dev.bkv.vault.Wire;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

/**
 * One registration sealed by an old fleet's HSM to a new fleet's OPAQUE server key (fleet
 * rotation, G8; spec/FORMATS.md, "Migration export"). Only an HSM holding the new fleet's
 * server setup can open it; the host that carries it sees who and where, never the record,
 * the key or the old fleet's setup. The bytes are
 * {@code u8 format=1 || source_bundle[32] || target_bundle[32] || bytes8 user_id ||
 * registration_id[16] || ephemeral_public_key[33] || nonce[12] || bytes16 ciphertext}, and the
 * ciphertext is AES-256-GCM of {@code bytes16 registration_record || u8 guesses_used ||
 * u8 max_attempts || bytes8 backup_key || bytes8 source_setup} under the key
 * HKDF-SHA256(salt = empty, ikm = ECDH(ephemeral, target server key), info = {@link #KDF_LABEL}
 * || ephemeral_public_key || target server key, 32), with every byte before the ciphertext's
 * length as associated data.
 */
public final class MigrationExport {
  public static final int FORMAT = 1;
  /** The KDF label: separates this use of the OPAQUE server key from OPAQUE's own 3DH. */
  public static final byte[] KDF_LABEL = "bkv.dev/migration-export@v1 key".getBytes(StandardCharsets.US_ASCII);
  static final int KEY_BYTES = P256Group.ELEMENT_BYTES;
  /** The plaintext at every field's maximum: 2 + 256 + 1 + 1 + 1 + 64 + 1 + 128 = 454 bytes. */
  static final int PLAINTEXT_BYTES_MAX = 2 + VaultLimits.REGISTRATION_RECORD_BYTES_MAX + 2
      + 1 + VaultLimits.BACKUP_KEY_BYTES_MAX + 1 + VaultLimits.SOURCE_SETUP_BYTES_MAX;
  /** A whole export at every field's maximum is 1 + 64 + 65 + 16 + 33 + 12 + 2 + 470 = 663 bytes. */
  public static final int EXPORT_BYTES_MAX = 1 + 2 * Sha256.DIGEST_BYTES + 1 + VaultLimits.USER_ID_BYTES_MAX
      + RegistrationId.BYTES + KEY_BYTES + Aes256Gcm.NONCE_BYTES + 2 + PLAINTEXT_BYTES_MAX + Aes256Gcm.TAG_BYTES;

  private MigrationExport() {}

  /** What an export carries; the header's fields are readable without the key. */
  public record Contents(Sha256Digest sourceBundle, Sha256Digest targetBundle, UserId userId,
      RegistrationId registrationId, byte[] registrationRecord, int guessesUsed, int maxAttempts,
      BackupKey backupKey, byte[] sourceSetup) {
    public Contents {
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

    /** Wipes the secrets this value holds. */
    public void destroy() {
      backupKey.destroy();
      Arrays.fill(sourceSetup, (byte) 0);
    }
  }

  /** The cleartext header, as a host or an operator tool may read it. */
  public record Header(Sha256Digest sourceBundle, Sha256Digest targetBundle, UserId userId,
      RegistrationId registrationId) {}

  /** Seals {@code contents} to {@code targetServerKey}, the new fleet's OPAQUE server public key. */
  public static byte[] seal(Contents contents, P256Group.Element targetServerKey, SecureRandom random) {
    P256Group.Scalar ephemeral = P256Group.Scalar.random(random);
    byte[] ephemeralPublic = P256Group.multiplyGenerator(ephemeral).encode();
    byte[] shared = P256Group.dh(ephemeral, targetServerKey).affineX();
    ephemeral.destroy();
    Aes256Gcm.Nonce nonce = Aes256Gcm.Nonce.random(random);
    byte[] header = new Wire.Writer().u8(FORMAT).fixed(contents.sourceBundle().toBytes())
        .fixed(contents.targetBundle().toBytes()).bytes8(contents.userId().toBytes())
        .fixed(contents.registrationId().toBytes()).fixed(ephemeralPublic).fixed(nonce.toBytes()).toBytes();
    byte[] key = contents.backupKey().toBytes();
    byte[] plaintext = new Wire.Writer().bytes16(contents.registrationRecord()).u8(contents.guessesUsed())
        .u8(contents.maxAttempts()).bytes8(key).bytes8(contents.sourceSetup()).toBytes();
    Arrays.fill(key, (byte) 0);
    Aes256Gcm.Key aead = aeadKey(shared, ephemeralPublic, targetServerKey);
    byte[] sealed = Aes256Gcm.seal(aead, nonce, header, plaintext);
    aead.destroy();
    Arrays.fill(plaintext, (byte) 0);
    byte[] export = new Wire.Writer(header.length + 2 + sealed.length).fixed(header).bytes16(sealed).toBytes();
    dev.bkv.base.Check.that(export.length <= EXPORT_BYTES_MAX, "export within EXPORT_BYTES_MAX");
    return export;
  }

  /** Reads the cleartext header only (sizes and syntax; nothing is authenticated until {@link #open}). */
  public static Header header(byte[] export) throws DecodeException {
    if (export.length > EXPORT_BYTES_MAX) {
      throw new DecodeException("migration export", export.length + " bytes exceeds EXPORT_BYTES_MAX " + EXPORT_BYTES_MAX);
    }
    Wire.Reader in = new Wire.Reader(export);
    int format = in.u8("export.format");
    if (format != FORMAT) {
      throw new DecodeException("export.format", "unknown format " + format);
    }
    Sha256Digest source = new Sha256Digest(in.fixed("export.source_bundle", Sha256.DIGEST_BYTES));
    Sha256Digest target = new Sha256Digest(in.fixed("export.target_bundle", Sha256.DIGEST_BYTES));
    UserId userId = UserId.of(in.bytes8("export.user_id", VaultLimits.USER_ID_BYTES_MIN, VaultLimits.USER_ID_BYTES_MAX));
    RegistrationId id = new RegistrationId(in.fixed("export.registration_id", RegistrationId.BYTES));
    return new Header(source, target, userId, id);
  }

  /**
   * Opens an export with this HSM's server setup. Empty when it does not open (sealed to another
   * key, or any byte altered); {@link DecodeException} when it is malformed.
   */
  public static Optional<Contents> open(byte[] export, ServerSetup own) throws DecodeException {
    Header header = header(export);
    int headerBytes = 1 + 2 * Sha256.DIGEST_BYTES + 1 + header.userId().toBytes().length + RegistrationId.BYTES
        + KEY_BYTES + Aes256Gcm.NONCE_BYTES;
    Wire.Reader in = new Wire.Reader(export, headerBytes - KEY_BYTES - Aes256Gcm.NONCE_BYTES);
    byte[] ephemeralPublic = in.fixed("export.ephemeral_public_key", KEY_BYTES);
    P256Group.Element ephemeral = P256Group.Element.decode("export.ephemeral_public_key", ephemeralPublic);
    Aes256Gcm.Nonce nonce = new Aes256Gcm.Nonce(in.fixed("export.nonce", Aes256Gcm.NONCE_BYTES));
    byte[] sealed = in.bytes16("export.ciphertext", Aes256Gcm.TAG_BYTES, PLAINTEXT_BYTES_MAX + Aes256Gcm.TAG_BYTES);
    in.end("migration export");
    byte[] shared = own.diffieHellman(ephemeral);
    Aes256Gcm.Key aead = aeadKey(shared, ephemeralPublic, own.serverPublicKey());
    Optional<byte[]> opened = Aes256Gcm.open(aead, nonce, Arrays.copyOf(export, headerBytes), sealed);
    aead.destroy();
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    byte[] plaintext = opened.get();
    try {
      return Optional.of(contents(header, plaintext));
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  private static Contents contents(Header header, byte[] plaintext) throws DecodeException {
    Wire.Reader in = new Wire.Reader(plaintext);
    byte[] record = in.bytes16("export.registration_record", VaultLimits.REGISTRATION_RECORD_BYTES_MIN,
        VaultLimits.REGISTRATION_RECORD_BYTES_MAX);
    int used = in.u8("export.guesses_used");
    int maxAttempts = in.u8("export.max_attempts");
    if (maxAttempts < VaultLimits.MAX_ATTEMPTS_MIN || used > maxAttempts) {
      throw new DecodeException("export.guesses_used", used + " of max_attempts " + maxAttempts + " is not a count");
    }
    byte[] key = in.bytes8("export.backup_key", VaultLimits.BACKUP_KEY_BYTES_MIN, VaultLimits.BACKUP_KEY_BYTES_MAX);
    byte[] setup = in.bytes8("export.source_setup", VaultLimits.SOURCE_SETUP_BYTES_MIN,
        VaultLimits.SOURCE_SETUP_BYTES_MAX);
    in.end("export plaintext");
    Contents contents = new Contents(header.sourceBundle(), header.targetBundle(), header.userId(),
        header.registrationId(), record, used, maxAttempts, new BackupKey(key), setup);
    Arrays.fill(key, (byte) 0);
    Arrays.fill(setup, (byte) 0);
    return contents;
  }

  private static Aes256Gcm.Key aeadKey(byte[] shared, byte[] ephemeralPublic, P256Group.Element target) {
    byte[] info = dev.bkv.base.Bytes.concat(KDF_LABEL, ephemeralPublic, target.encode());
    byte[] okm = HkdfSha256.derive(new byte[0], shared, info, Aes256Gcm.KEY_BYTES);
    Arrays.fill(shared, (byte) 0);
    Aes256Gcm.Key key = new Aes256Gcm.Key(okm);
    Arrays.fill(okm, (byte) 0);
    return key;
  }
}
