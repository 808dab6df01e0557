package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.base.SecretBytes;
import dev.bkv.crypto.HkdfSha256;
import dev.bkv.crypto.HmacSha256;
import dev.bkv.crypto.P256Group.Element;
import dev.bkv.crypto.P256Group.KeyPair;
import java.util.Optional;

/** RFC 9807 envelope creation (Store) and recovery (Recover) for the internal key mode. */
final class EnvelopeCrypto {
  private static final byte[] MASKING_KEY = KeySchedule.ascii("MaskingKey");
  private static final byte[] AUTH_KEY = KeySchedule.ascii("AuthKey");
  private static final byte[] EXPORT_KEY = KeySchedule.ascii("ExportKey");
  private static final byte[] PRIVATE_KEY = KeySchedule.ascii("PrivateKey");

  private EnvelopeCrypto() {}

  record Stored(Envelope envelope, Element clientPublicKey, MaskingKey maskingKey, ExportKey exportKey, HmacSha256.Key authKey) {}

  /** Store(randomized_password, server_public_key, server_identity, client_identity). */
  static Stored store(HkdfSha256.Prk randomizedPassword, Element serverPublicKey, OpaqueConfig config, Nonce envelopeNonce) {
    // masking_key = Expand(randomized_password, "MaskingKey", Nh)
    MaskingKey maskingKey = maskingKey(randomizedPassword);
    // auth_key, export_key, and (_, client_public_key) from the envelope nonce:
    Keys keys = keys(randomizedPassword, envelopeNonce);
    byte[] clientPublicKey = keys.clientKeyPair.publicKey().encode();
    // cleartext_credentials = CreateCleartextCredentials(server_public_key, client_public_key, server_identity, client_identity)
    CleartextCredentials cleartext = CleartextCredentials.create(serverPublicKey.encode(), clientPublicKey, config);
    // auth_tag = MAC(auth_key, concat(envelope_nonce, cleartext_credentials))
    Mac authTag = new Mac(HmacSha256.mac(keys.authKey, envelopeNonce.raw(), cleartext.serialize()));
    // envelope = Envelope(envelope_nonce, auth_tag)
    keys.clientKeyPair.privateKey().destroy();
    return new Stored(new Envelope(envelopeNonce, authTag), keys.clientKeyPair.publicKey(), maskingKey, keys.exportKey, keys.authKey);
  }

  record Recovered(KeyPair clientKeyPair, CleartextCredentials cleartextCredentials, ExportKey exportKey, HmacSha256.Key authKey) {}

  /**
   * Recover(randomized_password, server_public_key, envelope, server_identity,
   * client_identity); empty is the RFC's EnvelopeRecoveryError (wrong password, or a record
   * or response that was tampered with).
   */
  static Optional<Recovered> recover(
      HkdfSha256.Prk randomizedPassword, byte[] serverPublicKey, Envelope envelope, OpaqueConfig config) {
    Keys keys = keys(randomizedPassword, envelope.envelopeNonce());
    // cleartext_credentials = CreateCleartextCredentials(server_public_key, client_public_key, server_identity, client_identity)
    CleartextCredentials cleartext =
        CleartextCredentials.create(serverPublicKey, keys.clientKeyPair.publicKey().encode(), config);
    // expected_tag = MAC(auth_key, concat(envelope.nonce, cleartext_credentials))
    Mac expectedTag = new Mac(HmacSha256.mac(keys.authKey, envelope.envelopeNonce().raw(), cleartext.serialize()));
    // If !ct_equal(envelope.auth_tag, expected_tag): raise EnvelopeRecoveryError
    if (!envelope.authTag().constantTimeEquals(expectedTag)) {
      keys.destroy();
      return Optional.empty();
    }
    return Optional.of(new Recovered(keys.clientKeyPair, cleartext, keys.exportKey, keys.authKey));
  }

  private record Keys(HmacSha256.Key authKey, ExportKey exportKey, KeyPair clientKeyPair) {
    void destroy() {
      authKey.destroy();
      exportKey.destroy();
      clientKeyPair.privateKey().destroy();
    }
  }

  // The three nonce-bound derivations Store and Recover share:
  //   auth_key = Expand(randomized_password, concat(envelope_nonce, "AuthKey"), Nh)
  //   export_key = Expand(randomized_password, concat(envelope_nonce, "ExportKey"), Nh)
  //   seed = Expand(randomized_password, concat(envelope_nonce, "PrivateKey"), Nseed)
  //   (client_private_key, client_public_key) = DeriveDiffieHellmanKeyPair(seed)
  private static Keys keys(HkdfSha256.Prk randomizedPassword, Nonce envelopeNonce) {
    byte[] nonce = envelopeNonce.raw();
    HmacSha256.Key authKey = SecretBytes.consume(
        KeySchedule.expand(randomizedPassword, Bytes.concat(nonce, AUTH_KEY), OpaqueSuite.HASH_BYTES), HmacSha256.Key::new);
    ExportKey exportKey = SecretBytes.consume(
        KeySchedule.expand(randomizedPassword, Bytes.concat(nonce, EXPORT_KEY), OpaqueSuite.HASH_BYTES), ExportKey::new);
    KeyPair clientKeyPair = SecretBytes.consume(
        KeySchedule.expand(randomizedPassword, Bytes.concat(nonce, PRIVATE_KEY), OpaqueSuite.SEED_BYTES),
        KeySchedule::deriveDiffieHellmanKeyPair);
    return new Keys(authKey, exportKey, clientKeyPair);
  }

  /** masking_key = Expand(randomized_password, "MaskingKey", Nh), as RecoverCredentials derives it. */
  static MaskingKey maskingKey(HkdfSha256.Prk randomizedPassword) {
    return SecretBytes.consume(KeySchedule.expand(randomizedPassword, MASKING_KEY, OpaqueSuite.HASH_BYTES), MaskingKey::new);
  }
}
