package dev.bkv.crypto;

import dev.bkv.base.Check;
import dev.bkv.base.FixedBytes;
import dev.bkv.base.SecretBytes;
import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.math.ec.ECMultiplier;
import org.bouncycastle.math.ec.ECPoint;

/**
 * ECDSA over P-256 with SHA-256 (FIPS 186-5). Signing uses RFC 6979 deterministic nonces,
 * so a faulty random source inside an HSM cannot leak the key. Signatures are carried in
 * IEEE P1363 form (r || s); DER is available for X.509 and PKCS#11 interop.
 */
public final class EcdsaP256 {
  public static final int SIGNATURE_P1363_BYTES = 64;
  /** SEQUENCE of two INTEGERs of at most 33 bytes each. */
  public static final int SIGNATURE_DER_BYTES_MAX = 72;

  private EcdsaP256() {}

  /** A validated public key (on the curve, not the identity). */
  public static final class PublicKey {
    private final ECPoint point;

    private PublicKey(ECPoint point) {
      this.point = point.normalize();
    }

    /** Decodes a SEC1 compressed or uncompressed point. */
    public static PublicKey decode(byte[] sec1) throws DecodeException {
      return new PublicKey(P256Curve.decodePoint("ECDSA P-256 public key", sec1));
    }

    public byte[] encodeUncompressed() {
      return point.getEncoded(false);
    }

    public byte[] encodeCompressed() {
      return point.getEncoded(true);
    }

    ECPoint point() {
      return point;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof PublicKey && ((PublicKey) other).point.equals(point);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(encodeCompressed());
    }

    @Override
    public String toString() {
      return "EcdsaP256.PublicKey(" + dev.bkv.base.Hex.encode(encodeCompressed()) + ")";
    }
  }

  /** A private scalar in [1, n-1]. */
  public static final class PrivateKey extends SecretBytes {
    private final PublicKey publicKey;

    private PrivateKey(byte[] scalar) {
      super(scalar, P256Curve.SCALAR_BYTES, P256Curve.SCALAR_BYTES, "ECDSA P-256 private key");
      BigInteger d = new BigInteger(1, scalar);
      Check.that(d.signum() > 0 && d.compareTo(P256Curve.ORDER) < 0, "private scalar in [1, n-1]");
      this.publicKey = new PublicKey(P256BaseTable.INSTANCE.multiply(P256Curve.G, d));
    }

    public static PrivateKey decode(byte[] scalar) throws DecodeException {
      P256Curve.decodeNonZeroScalar("ECDSA P-256 private key", scalar);
      return new PrivateKey(scalar);
    }

    public static PrivateKey generate(SecureRandom random) {
      byte[] scalar = new byte[P256Curve.SCALAR_BYTES];
      while (true) {
        random.nextBytes(scalar);
        BigInteger d = new BigInteger(1, scalar);
        if (d.signum() > 0 && d.compareTo(P256Curve.ORDER) < 0) {
          PrivateKey key = new PrivateKey(scalar);
          Arrays.fill(scalar, (byte) 0);
          return key;
        }
      }
    }

    public PublicKey publicKey() {
      return publicKey;
    }

    /** Signs SHA-256(message) with an RFC 6979 nonce. */
    public Signature sign(byte[] message) {
      ECDSASigner signer = new TableSigner();
      signer.init(true, new ECPrivateKeyParameters(new BigInteger(1, unsafeBytes()), P256Curve.DOMAIN));
      BigInteger[] rs = signer.generateSignature(Sha256.hash(message));
      return new Signature(dev.bkv.base.Bytes.concat(P256Curve.encodeScalar(rs[0]), P256Curve.encodeScalar(rs[1])));
    }
  }

  /**
   * BC's ECDSA with two costs taken out: the nonce's k * G comes from {@link P256BaseTable}
   * instead of BC's comb, and RFC 6979's HMAC-SHA-256 runs on the JDK's intrinsified SHA-256.
   */
  private static final class TableSigner extends ECDSASigner {
    TableSigner() {
      super(new HMacDSAKCalculator(new Sha256BcDigest()));
    }

    @Override
    protected ECMultiplier createBasePointMultiplier() {
      return P256BaseTable.INSTANCE;
    }
  }

  /** A signature in P1363 form, r || s, 32 bytes each. Range checks happen in {@link #verify}. */
  public static final class Signature extends FixedBytes {
    public Signature(byte[] p1363) {
      super(p1363, SIGNATURE_P1363_BYTES, "ECDSA P-256 signature");
    }

    /** Length-checked P1363 decoding for untrusted input; r and s are range-checked by {@link #verify}. */
    public static Signature fromP1363(byte[] p1363) throws DecodeException {
      DecodeException.requireLength("ECDSA P1363 signature", p1363, SIGNATURE_P1363_BYTES);
      return new Signature(p1363);
    }

    /** Strict DER decoding (canonical integers only) into P1363 form. */
    public static Signature fromDer(byte[] der) throws DecodeException {
      if (der == null || der.length > SIGNATURE_DER_BYTES_MAX) {
        throw new DecodeException("ECDSA DER signature", "longer than " + SIGNATURE_DER_BYTES_MAX + " bytes");
      }
      BigInteger[] rs;
      try {
        // BC re-encodes the parsed value and rejects any input that differs: non-minimal
        // lengths, leading zeros, trailing bytes and negative integers all fail here.
        rs = StandardDSAEncoding.INSTANCE.decode(P256Curve.ORDER, der);
      } catch (IOException | RuntimeException e) {
        // Besides IOException and IllegalArgumentException, BC throws ClassCastException when
        // a SEQUENCE element is not an INTEGER (Wycheproof "InvalidTypesInSignature").
        throw new DecodeException("ECDSA DER signature", "malformed DER (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
      }
      return new Signature(dev.bkv.base.Bytes.concat(P256Curve.encodeScalar(rs[0]), P256Curve.encodeScalar(rs[1])));
    }

    public byte[] toDer() {
      byte[] p1363 = unsafeBytes();
      BigInteger r = new BigInteger(1, Arrays.copyOfRange(p1363, 0, 32));
      BigInteger s = new BigInteger(1, Arrays.copyOfRange(p1363, 32, 64));
      try {
        return StandardDSAEncoding.INSTANCE.encode(P256Curve.ORDER, r, s);
      } catch (IOException e) {
        throw new AssertionError("DER encoding of two integers cannot fail", e);
      }
    }
  }

  /** Verifies a P1363 signature over SHA-256(message). Total: false for any invalid input. */
  public static boolean verify(PublicKey publicKey, byte[] message, Signature signature) {
    byte[] p1363 = signature.toBytes();
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(p1363, 0, 32));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(p1363, 32, 64));
    if (r.signum() == 0 || s.signum() == 0 || r.compareTo(P256Curve.ORDER) >= 0 || s.compareTo(P256Curve.ORDER) >= 0) {
      return false;
    }
    ECDSASigner verifier = new ECDSASigner();
    verifier.init(false, new ECPublicKeyParameters(publicKey.point(), P256Curve.DOMAIN));
    return verifier.verifySignature(Sha256.hash(message), r, s);
  }
}
