package dev.bkv.crypto.oprf;

import dev.bkv.base.Bytes;
import dev.bkv.base.Check;
import dev.bkv.base.SecretBytes;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.P256Group.Element;
import dev.bkv.crypto.P256Group.KeyPair;
import dev.bkv.crypto.P256Group.Scalar;
import dev.bkv.crypto.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * RFC 9497 Oblivious PRF, mode OPRF (0x00), suite P256-SHA256 (§4.3): DeriveKeyPair (§3.2.1),
 * Blind, BlindEvaluate and Finalize (§3.3.1), and the server-side Evaluate. Functions are
 * pure; randomness enters only as an explicit blind or a {@link SecureRandom}.
 */
public final class Oprf {
  /** RFC 9497 §3.1 modeOPRF. */
  public static final int MODE_OPRF = 0x00;
  /** RFC 9497 §4.3 suite identifier. */
  public static final String IDENTIFIER = "P256-SHA256";
  /** RFC 9497 §4.3: Nh = 32, the length of Finalize's output. */
  public static final int OUTPUT_BYTES = Sha256.DIGEST_BYTES;
  /** RFC 9497 §3.2.1: DeriveKeyPair takes a 32-byte seed (Ns for P-256). */
  public static final int SEED_BYTES = 32;
  /** RFC 9497 §3.3.1: Finalize encodes len(input) in 2 bytes, so inputs stay below 2^16. */
  public static final int INPUT_BYTES_MAX = 0xffff;
  /** RFC 9497 §3.2.1: DeriveKeyPair encodes len(info) in 2 bytes. */
  public static final int INFO_BYTES_MAX = 0xffff;
  /** RFC 9497 §3.2.1: DeriveKeyPair gives up after counter 255. */
  static final int DERIVE_KEY_PAIR_ATTEMPTS_MAX = 256;

  /** RFC 9497 §3.1: contextString = "OPRFV1-" || I2OSP(mode, 1) || "-" || identifier. */
  static final byte[] CONTEXT_STRING =
      Bytes.concat(ascii("OPRFV1-"), Bytes.i2osp(MODE_OPRF, 1), ascii("-" + IDENTIFIER));
  /** RFC 9497 §4.3: HashToGroup uses DST = "HashToGroup-" || contextString. */
  static final byte[] HASH_TO_GROUP_DST = Bytes.concat(ascii("HashToGroup-"), CONTEXT_STRING);
  /** RFC 9497 §3.2.1: DeriveKeyPair hashes with DST = "DeriveKeyPair" || contextString. */
  static final byte[] DERIVE_KEY_PAIR_DST = Bytes.concat(ascii("DeriveKeyPair"), CONTEXT_STRING);
  private static final byte[] FINALIZE_LABEL = ascii("Finalize");

  private Oprf() {}

  /** A DeriveKeyPair seed (secret). */
  public static final class Seed extends SecretBytes {
    public Seed(byte[] bytes) {
      super(bytes, SEED_BYTES, SEED_BYTES, "OPRF seed");
    }

    byte[] raw() {
      return unsafeBytes();
    }
  }

  /** The client's blind and the blinded element it sends. */
  public static final class Blinded {
    private final Scalar blind;
    private final Element blindedElement;

    Blinded(Scalar blind, Element blindedElement) {
      this.blind = blind;
      this.blindedElement = blindedElement;
    }

    /** Secret: only the client holds it, until Finalize. */
    public Scalar blind() {
      return blind;
    }

    public Element blindedElement() {
      return blindedElement;
    }
  }

  /** The 32-byte PRF output (secret). */
  public static final class Output extends SecretBytes {
    Output(byte[] bytes) {
      super(bytes, OUTPUT_BYTES, OUTPUT_BYTES, "OPRF output");
    }
  }

  /**
   * RFC 9497 §3.2.1 DeriveKeyPair, private half only: servers that never publish the key
   * (mode OPRF, OPAQUE's per-user keys) skip the base-point multiplication.
   */
  public static Scalar deriveSecretKey(Seed seed, byte[] info) {
    Check.that(info.length <= INFO_BYTES_MAX, "len(info) < 2^16");
    // deriveInput = seed || I2OSP(len(info), 2) || info
    byte[] deriveInput = Bytes.concat(seed.raw(), Bytes.i2osp(info.length, 2), info);
    // while skS == 0: (counter > 255 raises DeriveKeyPairError)
    for (int counter = 0; counter < DERIVE_KEY_PAIR_ATTEMPTS_MAX; counter++) {
      //   skS = G.HashToScalar(deriveInput || I2OSP(counter, 1), DST = "DeriveKeyPair" || contextString)
      byte[] hashInput = Bytes.concat(deriveInput, Bytes.i2osp(counter, 1));
      Optional<Scalar> skS = P256Group.hashToScalar(hashInput, DERIVE_KEY_PAIR_DST);
      Bytes.zeroize(hashInput); // both hold the seed
      if (skS.isPresent()) {
        Bytes.zeroize(deriveInput);
        return skS.get();
      }
    }
    // 256 zero scalars in a row would take a SHA-256 break; the RFC's DeriveKeyPairError.
    throw new Check.InvariantViolation("RFC 9497 DeriveKeyPairError: 256 consecutive zero scalars");
  }

  /** RFC 9497 §3.2.1 DeriveKeyPair: (skS, pkS = ScalarMultGen(skS)). */
  public static KeyPair deriveKeyPair(Seed seed, byte[] info) {
    return KeyPair.of(deriveSecretKey(seed, info));
  }

  /** RFC 9497 §3.3.1 Blind with a fresh random blind. */
  public static Blinded blind(byte[] input, SecureRandom random) {
    return blind(input, Scalar.random(random));
  }

  /** RFC 9497 §3.3.1 Blind with a given blind (test vectors; otherwise use the random form). */
  public static Blinded blind(byte[] input, Scalar blind) {
    checkInput(input);
    // inputElement = G.HashToGroup(input); (the identity is excluded by Element itself)
    Element inputElement = P256Group.hashToGroup(input, HASH_TO_GROUP_DST);
    // blindedElement = blind * inputElement
    return new Blinded(blind, inputElement.multiply(blind));
  }

  /** RFC 9497 §3.3.1 BlindEvaluate: evaluatedElement = skS * blindedElement. */
  public static Element blindEvaluate(Scalar skS, Element blindedElement) {
    return blindedElement.multiply(skS);
  }

  /** RFC 9497 §3.3.1 Finalize: unblind, then hash with the input. */
  public static Output finalize(byte[] input, Scalar blind, Element evaluatedElement) {
    checkInput(input);
    // N = G.ScalarInverse(blind) * evaluatedElement
    Element n = evaluatedElement.multiply(blind.inverse());
    // unblindedElement = G.SerializeElement(N)
    return hashOutput(input, n.encode());
  }

  /** RFC 9497 §3.3.1 Evaluate: the server computing the PRF on a known input. */
  public static Output evaluate(Scalar skS, byte[] input) {
    checkInput(input);
    Element inputElement = P256Group.hashToGroup(input, HASH_TO_GROUP_DST);
    return hashOutput(input, inputElement.multiply(skS).encode());
  }

  // hashInput = I2OSP(len(input), 2) || input || I2OSP(len(element), 2) || element || "Finalize"
  private static Output hashOutput(byte[] input, byte[] element) {
    return new Output(Sha256.hash(
        Bytes.i2osp(input.length, 2), input, Bytes.i2osp(element.length, 2), element, FINALIZE_LABEL));
  }

  private static void checkInput(byte[] input) {
    if (input.length > INPUT_BYTES_MAX) {
      throw new IllegalArgumentException("OPRF input of " + input.length + " bytes exceeds " + INPUT_BYTES_MAX);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
