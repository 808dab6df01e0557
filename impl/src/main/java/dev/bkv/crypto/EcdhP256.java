package dev.bkv.crypto;

import dev.bkv.base.SecretBytes;
import java.security.SecureRandom;

/**
 * ECDH on P-256 (SEC1 §3.3.1, NIST SP 800-56A "ECC CDH" with cofactor 1): the shared secret
 * is the x-coordinate of {@code d * Q}. It runs on {@link P256Group#dh}, the same operation
 * OPAQUE's 3DH uses, so the Wycheproof ECDH suites test that code path. Public keys are
 * validated on decoding (on the curve, not the identity), which is what defeats
 * invalid-curve attacks.
 */
public final class EcdhP256 {
  public static final int SHARED_SECRET_BYTES = P256Curve.FIELD_BYTES;

  private EcdhP256() {}

  public static final class PrivateKey {
    private final P256Group.Scalar scalar;

    private PrivateKey(P256Group.Scalar scalar) {
      this.scalar = scalar;
    }

    /** A 32-byte big-endian scalar in [1, n-1]. */
    public static PrivateKey decode(byte[] encoded) throws DecodeException {
      return new PrivateKey(P256Group.Scalar.decode("ECDH P-256 private key", encoded));
    }

    public static PrivateKey generate(SecureRandom random) {
      return new PrivateKey(P256Group.Scalar.random(random));
    }

    public PublicKey publicKey() {
      return new PublicKey(P256Group.multiplyGenerator(scalar));
    }

    public void destroy() {
      scalar.destroy();
    }

    @Override
    public String toString() {
      return "EcdhP256.PrivateKey(secret)";
    }
  }

  /** A validated public point. */
  public static final class PublicKey {
    private final P256Group.Element point;

    private PublicKey(P256Group.Element point) {
      this.point = point;
    }

    /** A SEC1 point, compressed (33 bytes) or uncompressed (65 bytes). */
    public static PublicKey decodeSec1(byte[] encoded) throws DecodeException {
      return new PublicKey(P256Group.Element.decodeSec1("ECDH P-256 public key", encoded));
    }

    /** A DER SubjectPublicKeyInfo naming prime256v1; see {@link P256Spki} for what is refused. */
    public static PublicKey decodeSpki(byte[] der) throws DecodeException {
      return new PublicKey(P256Spki.decode(der));
    }

    public byte[] encodeUncompressed() {
      return point.encodeUncompressed();
    }

    /** SEC1 compressed, 33 bytes. */
    public byte[] encodeCompressed() {
      return point.encode();
    }

    public byte[] encodeSpki() {
      return P256Spki.encode(point);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof PublicKey && ((PublicKey) other).point.equals(point);
    }

    @Override
    public int hashCode() {
      return point.hashCode();
    }

    @Override
    public String toString() {
      return "EcdhP256.PublicKey(" + point + ")";
    }
  }

  /** The 32-byte x-coordinate of the shared point. Use it through a KDF, never directly. */
  public static final class SharedSecret extends SecretBytes {
    private SharedSecret(byte[] bytes) {
      super(bytes, SHARED_SECRET_BYTES, SHARED_SECRET_BYTES, "ECDH shared secret");
    }
  }

  /** The shared secret x(d * Q). Total: both inputs are already validated. */
  public static SharedSecret agree(PrivateKey privateKey, PublicKey publicKey) {
    return new SharedSecret(P256Group.dh(privateKey.scalar, publicKey.point).affineX());
  }
}
