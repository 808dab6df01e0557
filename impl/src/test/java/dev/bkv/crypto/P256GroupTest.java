package dev.bkv.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.Generate.byteArrays;
import static org.quicktheories.generators.Generate.bytes;
import static org.quicktheories.generators.Generate.range;

import dev.bkv.base.Check;
import dev.bkv.base.Hex;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The P-256 group: strict decoding with typed errors, and the fast multipliers (base table for
 * G, windowed NAF otherwise) agreeing with Bouncy Castle's plain double-and-add reference.
 */
class P256GroupTest {
  private static final String N_HEX = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
  private static final Gen<byte[]> SCALAR_BYTES =
      byteArrays(range(32, 32), bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0)).assuming(b -> validScalar(b));

  /** Encodings prepared together (one shared inversion) are each element's own encoding. */
  @Test
  void preparedEncodingsAreTheElementsOwn() {
    qt().withExamples(20).forAll(SCALAR_BYTES, SCALAR_BYTES, SCALAR_BYTES).checkAssert((a, b, c) -> {
      P256Group.Element kG = P256Group.multiplyGenerator(scalar(a));
      P256Group.Element alreadyEncoded = kG.multiply(scalar(c));
      byte[] expectedEncoded = ECAlgorithms.referenceMultiply(kG.point(), new BigInteger(1, c)).getEncoded(true);
      assertArrayEquals(expectedEncoded, alreadyEncoded.encode());
      P256Group.Element[] fresh = {kG.multiply(scalar(b)), alreadyEncoded, kG, kG.multiply(scalar(a))};
      byte[][] expected = new byte[fresh.length][];
      for (int i = 0; i < fresh.length; i++) {
        expected[i] = fresh[i].point().normalize().getEncoded(true);
      }
      P256Group.prepareEncodings(fresh);
      for (int i = 0; i < fresh.length; i++) {
        assertArrayEquals(expected[i], fresh[i].encode(), "element " + i);
        assertEquals(fresh[i], decodeSec1(fresh[i].encodeUncompressed()), "element " + i + ", uncompressed");
      }
    });
    P256Group.prepareEncodings(); // nothing to do is not an error
  }

  private static P256Group.Element decodeSec1(byte[] encoded) {
    try {
      return P256Group.Element.decodeSec1("element", encoded);
    } catch (DecodeException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void fastMultiplicationAgreesWithTheReferenceMultiplier() {
    qt().withExamples(40).forAll(SCALAR_BYTES, SCALAR_BYTES).checkAssert((a, b) -> {
      P256Group.Scalar k = scalar(a);
      P256Group.Element kG = P256Group.multiplyGenerator(k);
      assertArrayEquals(ECAlgorithms.referenceMultiply(P256Curve.G, new BigInteger(1, a)).getEncoded(true), kG.encode(), "base table");
      P256Group.Element jkG = kG.multiply(scalar(b));
      assertArrayEquals(ECAlgorithms.referenceMultiply(kG.point(), new BigInteger(1, b)).getEncoded(true), jkG.encode(), "wNAF");
    });
  }

  @Test
  void diffieHellmanCommutesAndInverseUndoes() {
    qt().withExamples(30).forAll(SCALAR_BYTES, SCALAR_BYTES).checkAssert((a, b) -> {
      P256Group.Scalar x = scalar(a);
      P256Group.Scalar y = scalar(b);
      P256Group.Element xG = P256Group.multiplyGenerator(x);
      P256Group.Element yG = P256Group.multiplyGenerator(y);
      assertEquals(P256Group.dh(x, yG), P256Group.dh(y, xG));
      assertEquals(xG, xG.multiply(y).multiply(y.inverse()));
    });
  }

  @Test
  void elementsDecodeOnlyFromCanonicalCompressedPoints() throws DecodeException {
    P256Group.Element g = P256Group.multiplyGenerator(scalar(Hex.decode("00".repeat(31) + "01")));
    byte[] compressed = g.encode();
    assertEquals("036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296", Hex.encode(compressed));
    assertEquals(g, P256Group.Element.decode("G", compressed));
    assertEquals(g, P256Group.Element.decodeSec1("G", g.encodeUncompressed()));
    assertThrows(DecodeException.class, () -> P256Group.Element.decode("G", g.encodeUncompressed()), "uncompressed refused");
    assertThrows(DecodeException.class, () -> P256Group.Element.decode("G", new byte[33]), "infinity / prefix 00");
    assertThrows(DecodeException.class, () -> P256Group.Element.decodeSec1("G", new byte[] {0}), "SEC1 infinity");
    byte[] xAboveP = Hex.decode("02" + "ff".repeat(32));
    assertThrows(DecodeException.class, () -> P256Group.Element.decode("G", xAboveP), "x >= p");
    byte[] uncompressedOffCurve = g.encodeUncompressed();
    uncompressedOffCurve[64] ^= 1;
    DecodeException e = assertThrows(DecodeException.class, () -> P256Group.Element.decodeSec1("Q", uncompressedOffCurve));
    assertEquals("Q", e.field());
  }

  @Test
  void scalarsAreNonZeroAndBelowTheOrder() {
    assertThrows(DecodeException.class, () -> P256Group.Scalar.decode("k", new byte[32]));
    assertThrows(DecodeException.class, () -> P256Group.Scalar.decode("k", Hex.decode(N_HEX)));
    assertThrows(DecodeException.class, () -> P256Group.Scalar.decode("k", new byte[31]));
    BigInteger nMinus1 = new BigInteger(N_HEX, 16).subtract(BigInteger.ONE);
    P256Group.Scalar max = scalar(P256Curve.encodeScalar(nMinus1));
    assertEquals(P256Group.multiplyGenerator(max), P256Group.multiplyGenerator(scalar(P256Curve.encodeScalar(BigInteger.ONE))).multiply(max));
    P256Group.Scalar random = P256Group.Scalar.random(new SecureRandom());
    random.destroy();
    assertThrows(Check.InvariantViolation.class, () -> P256Group.multiplyGenerator(random), "destroyed scalars cannot be used");
  }

  @Test
  void ecdhKeysRoundTripThroughSpkiAndSec1() throws DecodeException {
    EcdhP256.PrivateKey alice = EcdhP256.PrivateKey.generate(new SecureRandom());
    EcdhP256.PrivateKey bob = EcdhP256.PrivateKey.generate(new SecureRandom());
    EcdhP256.PublicKey alicePublic = EcdhP256.PublicKey.decodeSpki(alice.publicKey().encodeSpki());
    assertEquals(alice.publicKey(), alicePublic);
    assertEquals(alice.publicKey(), EcdhP256.PublicKey.decodeSec1(alice.publicKey().encodeUncompressed()));
    assertArrayEquals(EcdhP256.agree(alice, bob.publicKey()).toBytes(), EcdhP256.agree(bob, alicePublic).toBytes());
    assertEquals(P256Spki.SPKI_BYTES_MAX, alice.publicKey().encodeSpki().length);
    byte[] trailing = Arrays.copyOf(alice.publicKey().encodeSpki(), P256Spki.SPKI_BYTES_MAX + 1);
    assertThrows(DecodeException.class, () -> EcdhP256.PublicKey.decodeSpki(trailing));
    assertThrows(DecodeException.class, () -> EcdhP256.PublicKey.decodeSpki(new byte[0]));
    assertThrows(DecodeException.class, () -> EcdhP256.PublicKey.decodeSpki(Hex.decode("3000")));
    assertThrows(DecodeException.class, () -> EcdhP256.PrivateKey.decode(new byte[32]));
  }

  @Test
  void hashingToTheGroupIsDeterministicAndDomainSeparated() {
    byte[] dst = "BKV-test-DST".getBytes();
    P256Group.Element a = P256Group.hashToGroup(new byte[] {1}, dst);
    assertEquals(a, P256Group.hashToGroup(new byte[] {1}, dst));
    assertNotEquals(a, P256Group.hashToGroup(new byte[] {2}, dst));
    assertNotEquals(a, P256Group.hashToGroup(new byte[] {1}, "BKV-test-DST2".getBytes()));
    assertTrue(P256Group.hashToScalar(new byte[] {1}, dst).isPresent());
    assertThrows(Check.InvariantViolation.class, () -> P256Group.hashToGroup(new byte[0], new byte[0]), "empty DST");
  }

  private static boolean validScalar(byte[] b) {
    BigInteger k = new BigInteger(1, b);
    return k.signum() > 0 && k.compareTo(P256Curve.ORDER) < 0;
  }

  private static P256Group.Scalar scalar(byte[] b) {
    try {
      return P256Group.Scalar.decode("k", b);
    } catch (DecodeException e) {
      throw new AssertionError(e);
    }
  }
}
