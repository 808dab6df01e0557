package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.base.Check;
import dev.bkv.base.SecretBytes;
import dev.bkv.crypto.HkdfSha256;
import dev.bkv.crypto.HmacSha256;
import dev.bkv.crypto.P256Group.KeyPair;
import dev.bkv.crypto.P256Group.Scalar;
import dev.bkv.crypto.Sha256;
import dev.bkv.crypto.oprf.Oprf;
import java.nio.charset.StandardCharsets;

/**
 * RFC 9807's key derivations: per-user OPRF keys, DeriveDiffieHellmanKeyPair, the
 * randomized password, and the 3DH key schedule (Expand-Label, Derive-Secret, DeriveKeys).
 */
final class KeySchedule {
  private static final byte[] OPRF_KEY_LABEL = ascii("OprfKey");
  private static final byte[] DERIVE_KEY_PAIR_INFO = ascii("OPAQUE-DeriveKeyPair");
  private static final byte[] DERIVE_DH_KEY_PAIR_INFO = ascii("OPAQUE-DeriveDiffieHellmanKeyPair");
  private static final byte[] LABEL_PREFIX = ascii("OPAQUE-");
  private static final byte[] HANDSHAKE_SECRET = ascii("HandshakeSecret");
  private static final byte[] SESSION_KEY = ascii("SessionKey");
  private static final byte[] SERVER_MAC = ascii("ServerMAC");
  private static final byte[] CLIENT_MAC = ascii("ClientMAC");
  /** CustomLabel: {@code opaque label<8..255>}, {@code uint8 context<0..255>}. */
  private static final int LABEL_BYTES_MAX = 255;

  private KeySchedule() {}

  /**
   * The per-user OPRF key of CreateRegistrationResponse and CreateCredentialResponse:
   * <pre>
   * seed = Expand(oprf_seed, concat(credential_identifier, "OprfKey"), Nok)
   * (oprf_key, _) = DeriveKeyPair(seed, "OPAQUE-DeriveKeyPair")
   * </pre>
   * The public half is never used, so it is not computed.
   */
  static Scalar deriveOprfKey(OprfSeed oprfSeed, CredentialIdentifier credentialIdentifier) {
    HkdfSha256.Prk prk = new HkdfSha256.Prk(oprfSeed.raw());
    byte[] seed = HkdfSha256.expand(prk, Bytes.concat(credentialIdentifier.raw(), OPRF_KEY_LABEL), OpaqueSuite.OPRF_KEY_BYTES);
    prk.destroy(); // a copy of the oprf_seed
    Oprf.Seed oprfKeySeed = SecretBytes.consume(seed, Oprf.Seed::new);
    Scalar oprfKey = Oprf.deriveSecretKey(oprfKeySeed, DERIVE_KEY_PAIR_INFO);
    oprfKeySeed.destroy();
    return oprfKey;
  }

  /** DeriveDiffieHellmanKeyPair(seed) = DeriveKeyPair(seed, "OPAQUE-DeriveDiffieHellmanKeyPair"). */
  static KeyPair deriveDiffieHellmanKeyPair(byte[] seed) {
    Oprf.Seed keySeed = new Oprf.Seed(seed);
    KeyPair keyPair = Oprf.deriveKeyPair(keySeed, DERIVE_DH_KEY_PAIR_INFO);
    keySeed.destroy();
    return keyPair;
  }

  /**
   * FinalizeRegistrationRequest and RecoverCredentials:
   * <pre>
   * stretched_oprf_output = Stretch(oprf_output)
   * randomized_password = Extract("", concat(oprf_output, stretched_oprf_output))
   * </pre>
   */
  static HkdfSha256.Prk randomizedPassword(Oprf.Output oprfOutput, Ksf ksf) {
    byte[] output = oprfOutput.toBytes();
    byte[] stretched = null;
    byte[] ikm = null;
    try {
      stretched = ksf.stretch(output);
      Check.that(stretched.length == output.length, "KSF output as long as its input");
      ikm = Bytes.concat(output, stretched);
      return HkdfSha256.extract(new byte[0], ikm);
    } finally {
      Bytes.zeroize(output, stretched, ikm);
    }
  }

  /** Expand(secret, info, length) for the short labels of the envelope and masking steps. */
  static byte[] expand(HkdfSha256.Prk secret, byte[] info, int length) {
    return HkdfSha256.expand(secret, info, length);
  }

  /**
   * Expand-Label(Secret, Label, Context, Length) = Expand(Secret, CustomLabel, Length), with
   * CustomLabel = {@code uint16 length; opaque label<8..255> = "OPAQUE-" + Label; uint8 context<0..255>}.
   */
  static byte[] expandLabel(HkdfSha256.Prk secret, byte[] label, byte[] context, int length) {
    byte[] fullLabel = Bytes.concat(LABEL_PREFIX, label);
    Check.that(fullLabel.length <= LABEL_BYTES_MAX, "CustomLabel label within 255 bytes");
    Check.that(context.length <= LABEL_BYTES_MAX, "CustomLabel context within 255 bytes");
    byte[] customLabel = Bytes.concat(
        Bytes.i2osp(length, 2), Bytes.i2osp(fullLabel.length, 1), fullLabel, Bytes.i2osp(context.length, 1), context);
    return HkdfSha256.expand(secret, customLabel, length);
  }

  /** Derive-Secret(Secret, Label, Transcript-Hash) = Expand-Label(Secret, Label, Transcript-Hash, Nx). */
  static byte[] deriveSecret(HkdfSha256.Prk secret, byte[] label, byte[] transcriptHash) {
    return expandLabel(secret, label, transcriptHash, OpaqueSuite.KDF_BYTES);
  }

  /** The outputs of DeriveKeys; the handshake secret is kept for the test vectors. */
  record DerivedKeys(HkdfSha256.Prk handshakeSecret, HmacSha256.Key km2, HmacSha256.Key km3, SessionKey sessionKey) {
    void destroy() {
      handshakeSecret.destroy();
      km2.destroy();
      km3.destroy();
    }
  }

  /** DeriveKeys(ikm, preamble), in the RFC's order. */
  static DerivedKeys deriveKeys(byte[] ikm, byte[] preamble) {
    // prk = Extract("", ikm)
    HkdfSha256.Prk prk = HkdfSha256.extract(new byte[0], ikm);
    byte[] preambleHash = Sha256.hash(preamble);
    // handshake_secret = Derive-Secret(prk, "HandshakeSecret", Hash(preamble))
    HkdfSha256.Prk handshakeSecret = SecretBytes.consume(deriveSecret(prk, HANDSHAKE_SECRET, preambleHash), HkdfSha256.Prk::new);
    // session_key = Derive-Secret(prk, "SessionKey", Hash(preamble))
    SessionKey sessionKey = SecretBytes.consume(deriveSecret(prk, SESSION_KEY, preambleHash), SessionKey::new);
    // Km2 = Derive-Secret(handshake_secret, "ServerMAC", "")
    HmacSha256.Key km2 = SecretBytes.consume(deriveSecret(handshakeSecret, SERVER_MAC, new byte[0]), HmacSha256.Key::new);
    // Km3 = Derive-Secret(handshake_secret, "ClientMAC", "")
    HmacSha256.Key km3 = SecretBytes.consume(deriveSecret(handshakeSecret, CLIENT_MAC, new byte[0]), HmacSha256.Key::new);
    prk.destroy();
    return new DerivedKeys(handshakeSecret, km2, km3, sessionKey);
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
