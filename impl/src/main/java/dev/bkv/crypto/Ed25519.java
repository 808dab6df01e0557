package dev.bkv.crypto;

import dev.bkv.base.FixedBytes;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** Ed25519 (RFC 8032, pure mode) with typed keys and signatures. */
public final class Ed25519 {
  public static final int SEED_BYTES = 32;
  public static final int PUBLIC_KEY_BYTES = 32;
  public static final int SIGNATURE_BYTES = 64;

  private Ed25519() {}

  /** A 32-byte encoded public key; whether it decodes to a curve point is checked by {@link #verify}. */
  public static final class PublicKey extends FixedBytes {
    public PublicKey(byte[] encoded) {
      super(encoded, PUBLIC_KEY_BYTES, "Ed25519 public key");
    }

    /** Length-checked decoding for untrusted input (a typed error instead of an exception). */
    public static PublicKey decode(byte[] encoded) throws DecodeException {
      DecodeException.requireLength("Ed25519 public key", encoded, PUBLIC_KEY_BYTES);
      return new PublicKey(encoded);
    }
  }

  /** A 64-byte signature R || S. */
  public static final class Signature extends FixedBytes {
    public Signature(byte[] encoded) {
      super(encoded, SIGNATURE_BYTES, "Ed25519 signature");
    }

    /** Length-checked decoding for untrusted input (a typed error instead of an exception). */
    public static Signature decode(byte[] encoded) throws DecodeException {
      DecodeException.requireLength("Ed25519 signature", encoded, SIGNATURE_BYTES);
      return new Signature(encoded);
    }
  }

  /** A private key held as its 32-byte seed. {@link #toString} never prints the seed. */
  public static final class PrivateKey {
    private final byte[] seed;
    private final PublicKey publicKey;

    private PrivateKey(byte[] seed) {
      if (seed.length != SEED_BYTES) {
        throw new IllegalArgumentException("Ed25519 seed must be 32 bytes, got " + seed.length);
      }
      this.seed = seed.clone();
      this.publicKey =
          new PublicKey(new Ed25519PrivateKeyParameters(this.seed, 0).generatePublicKey().getEncoded());
    }

    public static PrivateKey fromSeed(byte[] seed) {
      return new PrivateKey(seed);
    }

    public static PrivateKey generate(SecureRandom random) {
      byte[] seed = new byte[SEED_BYTES];
      random.nextBytes(seed);
      PrivateKey key = new PrivateKey(seed);
      Arrays.fill(seed, (byte) 0);
      return key;
    }

    public PublicKey publicKey() {
      return publicKey;
    }

    /** The seed; only for sealing the key inside a trust boundary. */
    public byte[] seedBytes() {
      return seed.clone();
    }

    public Signature sign(byte[] message) {
      Ed25519Signer signer = new Ed25519Signer();
      signer.init(true, new Ed25519PrivateKeyParameters(seed, 0));
      signer.update(message, 0, message.length);
      return new Signature(signer.generateSignature());
    }

    /** Overwrites the seed; the key is unusable afterwards. */
    public void destroy() {
      Arrays.fill(seed, (byte) 0);
    }

    @Override
    public String toString() {
      return "Ed25519.PrivateKey(public=" + publicKey.toHex() + ")";
    }
  }

  /**
   * Verifies per RFC 8032 (cofactorless; rejects non-canonical S and undecodable keys).
   * Total: never throws for any input of the right types.
   */
  public static boolean verify(PublicKey publicKey, byte[] message, Signature signature) {
    Ed25519PublicKeyParameters key;
    try {
      key = new Ed25519PublicKeyParameters(publicKey.toBytes(), 0);
    } catch (IllegalArgumentException notAPoint) {
      return false;
    }
    Ed25519Signer verifier = new Ed25519Signer();
    verifier.init(false, key);
    verifier.update(message, 0, message.length);
    return verifier.verifySignature(signature.toBytes());
  }
}
