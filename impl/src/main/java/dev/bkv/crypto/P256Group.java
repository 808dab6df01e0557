package dev.bkv.crypto;

import dev.bkv.base.Check;
import dev.bkv.base.Hex;
import dev.bkv.base.SecretBytes;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The prime-order group of RFC 9497 §4.3 (P256-SHA256), which RFC 9807's 3DH also uses: NIST
 * P-256 on Bouncy Castle's specialised field arithmetic. Elements are never the identity and
 * serialize as 33-byte compressed SEC1 points; scalars are never zero and serialize as 32
 * big-endian bytes. Base-point multiplications use {@link P256BaseTable} (precomputed once
 * for G); other multiplications use the curve's default windowed-NAF multiplier.
 *
 * <p>Timing: BC's variable-base multiplier and BigInteger scalars are not constant-time.
 * That is Bouncy Castle's stance for its EC code in Java; this class adds no secret-dependent
 * branches of its own, and the base table reads its entries cache-safely, as BC's comb did.
 */
public final class P256Group {
  /** RFC 9497 §4.3: Ne = 33 (compressed point). Also RFC 9807's Noe and Npk. */
  public static final int ELEMENT_BYTES = P256Curve.COMPRESSED_POINT_BYTES;
  /** RFC 9497 §4.3: Ns = 32. Also RFC 9807's Nsk and Nok. */
  public static final int SCALAR_BYTES = P256Curve.SCALAR_BYTES;

  private P256Group() {}

  /** A group element other than the identity. Immutable; the affine form is computed once. */
  public static final class Element {
    private final ECPoint point;
    private volatile ECPoint affine;

    private Element(ECPoint point) {
      Check.that(!point.isInfinity(), "group element is not the identity");
      this.point = point;
    }

    /**
     * RFC 9497 §4.3 DeserializeElement: exactly 33 bytes of compressed SEC1, on the curve,
     * not the identity. {@code field} names the value in the error.
     */
    public static Element decode(String field, byte[] encoded) throws DecodeException {
      DecodeException.requireLength(field, encoded, ELEMENT_BYTES);
      return new Element(P256Curve.decodePoint(field, encoded));
    }

    /** A SEC1 point in compressed or uncompressed form (ECDH and X.509 keys use both). */
    public static Element decodeSec1(String field, byte[] encoded) throws DecodeException {
      return new Element(P256Curve.decodePoint(field, encoded));
    }

    /** RFC 9497 §4.3 SerializeElement: compressed SEC1, 33 bytes. */
    public byte[] encode() {
      return affine().getEncoded(true);
    }

    /** Uncompressed SEC1 (65 bytes), for X.509 and ECDH interop. */
    public byte[] encodeUncompressed() {
      return affine().getEncoded(false);
    }

    /** The affine x-coordinate as 32 big-endian bytes (the ECDH shared secret of SEC1 §3.3.1). */
    public byte[] affineX() {
      return affine().getAffineXCoord().getEncoded();
    }

    /** k * this. Never the identity: the group has prime order and k is not zero. */
    public Element multiply(Scalar k) {
      return new Element(point.multiply(k.value()));
    }

    ECPoint point() {
      return point;
    }

    private ECPoint affine() {
      ECPoint a = affine;
      if (a == null) {
        a = point.normalize();
        affine = a;
      }
      return a;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Element && ((Element) other).point.equals(point);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
      return "Element(" + Hex.encode(encode()) + ")";
    }
  }

  /** A scalar in [1, n-1]. Secret by default: never printed, destroyable. */
  public static final class Scalar extends SecretBytes {
    // BigInteger cannot be wiped; destroy() clears the encoding and blocks further use.
    private final BigInteger value;

    private Scalar(BigInteger value) {
      super(P256Curve.encodeScalar(value), SCALAR_BYTES, SCALAR_BYTES, "P-256 scalar");
      Check.that(value.signum() > 0, "scalar is not zero");
      Check.that(value.compareTo(P256Curve.ORDER) < 0, "scalar below the group order");
      this.value = value;
    }

    /** RFC 9497 §4.3 DeserializeScalar, also rejecting zero (no key or blind may be zero). */
    public static Scalar decode(String field, byte[] encoded) throws DecodeException {
      return new Scalar(P256Curve.decodeNonZeroScalar(field, encoded));
    }

    /** RFC 9497 §4.3 RandomScalar, by rejection sampling 32 random bytes. */
    public static Scalar random(SecureRandom random) {
      byte[] candidate = new byte[SCALAR_BYTES];
      while (true) {
        random.nextBytes(candidate);
        BigInteger k = new BigInteger(1, candidate);
        if (k.signum() > 0 && k.compareTo(P256Curve.ORDER) < 0) {
          Arrays.fill(candidate, (byte) 0);
          return new Scalar(k);
        }
      }
    }

    /** RFC 9497 §4.3 ScalarInverse: this^-1 mod n. */
    public Scalar inverse() {
      return new Scalar(value().modInverse(P256Curve.ORDER));
    }

    /** RFC 9497 §4.3 SerializeScalar: 32 big-endian bytes. */
    public byte[] encode() {
      return toBytes();
    }

    BigInteger value() {
      unsafeBytes(); // fails once destroyed
      return value;
    }
  }

  /** A private scalar and its public element, {@code publicKey = privateKey * G}. */
  public static final class KeyPair {
    private final Scalar privateKey;
    private final Element publicKey;

    private KeyPair(Scalar privateKey, Element publicKey) {
      this.privateKey = privateKey;
      this.publicKey = publicKey;
    }

    /** The key pair of a private scalar. */
    public static KeyPair of(Scalar privateKey) {
      return new KeyPair(privateKey, multiplyGenerator(privateKey));
    }

    public Scalar privateKey() {
      return privateKey;
    }

    public Element publicKey() {
      return publicKey;
    }

    @Override
    public String toString() {
      return "KeyPair(public=" + publicKey + ")";
    }
  }

  /** RFC 9497 §4.3 ScalarMultGen: k * G from the base table. */
  public static Element multiplyGenerator(Scalar k) {
    return new Element(P256BaseTable.INSTANCE.multiply(P256Curve.G, k.value()));
  }

  /**
   * Computes the affine form of every element given at once, so that their encodings cost no
   * field inversion each: Montgomery's trick makes it one inversion in all. A login encodes
   * five fresh products, and an inversion costs about as much as 30 field multiplications.
   */
  public static void prepareEncodings(Element... elements) {
    ECPoint[] points = new ECPoint[elements.length];
    for (int i = 0; i < elements.length; i++) {
      ECPoint known = elements[i].affine;
      points[i] = known != null ? known : elements[i].point; // BC skips points already affine
    }
    P256Curve.CURVE.normalizeAll(points);
    for (int i = 0; i < elements.length; i++) {
      elements[i].affine = points[i];
    }
  }

  /** The Diffie-Hellman operation of RFC 9807 §6.4.1 and SEC1 ECDH: k * B. */
  public static Element dh(Scalar k, Element b) {
    return b.multiply(k);
  }

  /**
   * RFC 9497 §4.3 HashToGroup: RFC 9380 hash_to_curve with suite P256_XMD:SHA-256_SSWU_RO_.
   * The identity has probability about 2^-256 and would mean a SHA-256 break; it is checked.
   */
  public static Element hashToGroup(byte[] message, byte[] dst) {
    return new Element(HashToCurveP256.hashToCurve(message, dst));
  }

  /** RFC 9497 §4.3 HashToScalar; empty when the (negligibly likely) result is zero. */
  public static Optional<Scalar> hashToScalar(byte[] message, byte[] dst) {
    BigInteger k = HashToCurveP256.hashToScalar(message, dst);
    return k.signum() == 0 ? Optional.empty() : Optional.of(new Scalar(k));
  }
}
