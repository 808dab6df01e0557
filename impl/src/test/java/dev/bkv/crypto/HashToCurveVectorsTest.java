package dev.bkv.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bkv.base.Hex;
import dev.bkv.testsupport.Vectors;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

/**
 * RFC 9380 Appendix J.1.1 (P256_XMD:SHA-256_SSWU_RO_) and K.1 (expand_message_xmd SHA-256),
 * from both the RFC text and the CFRG proof-of-concept files. Every intermediate the vectors
 * give is checked: u[0], u[1], Q0, Q1 and P; DST_prime and uniform_bytes.
 */
class HashToCurveVectorsTest {

  @Test
  void hashToCurveMatchesRfcText() {
    String file = "rfc9380/rfc9380-P256_XMD_SHA-256_SSWU_RO_-from-text.json";
    Map<String, Object> root = Vectors.readJsonObject(file);
    byte[] dst = ascii((String) root.get("dst"));
    int passed = 0;
    List<?> vectors = (List<?>) root.get("vectors");
    for (Object o : vectors) {
      Map<?, ?> v = (Map<?, ?>) o;
      byte[] msg = ascii((String) v.get("msg"));
      BigInteger[] u = HashToCurveP256.hashToField(msg, dst, 2);
      assertEquals(v.get("u[0]"), hex32(u[0]), "u[0]");
      assertEquals(v.get("u[1]"), hex32(u[1]), "u[1]");
      assertPoint(v.get("Q0.x"), v.get("Q0.y"), HashToCurveP256.mapToCurve(u[0]), "Q0");
      assertPoint(v.get("Q1.x"), v.get("Q1.y"), HashToCurveP256.mapToCurve(u[1]), "Q1");
      assertPoint(v.get("P.x"), v.get("P.y"), HashToCurveP256.hashToCurve(msg, dst), "P");
      passed++;
    }
    Vectors.report(file, passed, 0, vectors.size());
  }

  @Test
  void hashToCurveMatchesPocVectors() {
    String file = "rfc9380/cfrg-h2c-poc_P256_XMD_SHA-256_SSWU_RO_.json";
    Map<String, Object> root = Vectors.readJsonObject(file);
    assertEquals("P256_XMD:SHA-256_SSWU_RO_", root.get("ciphersuite"));
    assertEquals("0x30", root.get("L"));
    byte[] dst = ascii((String) root.get("dst"));
    int passed = 0;
    List<?> vectors = (List<?>) root.get("vectors");
    for (Object o : vectors) {
      Map<?, ?> v = (Map<?, ?>) o;
      byte[] msg = ascii((String) v.get("msg"));
      BigInteger[] u = HashToCurveP256.hashToField(msg, dst, 2);
      List<?> expectedU = (List<?>) v.get("u");
      assertEquals(expectedU.get(0), "0x" + hex32(u[0]), "u[0]");
      assertEquals(expectedU.get(1), "0x" + hex32(u[1]), "u[1]");
      assertPocPoint((Map<?, ?>) v.get("Q0"), HashToCurveP256.mapToCurve(u[0]), "Q0");
      assertPocPoint((Map<?, ?>) v.get("Q1"), HashToCurveP256.mapToCurve(u[1]), "Q1");
      assertPocPoint((Map<?, ?>) v.get("P"), HashToCurveP256.hashToCurve(msg, dst), "P");
      // The public group API gives the same point, compressed.
      assertEquals(
          Hex.encode(HashToCurveP256.hashToCurve(msg, dst).getEncoded(true)),
          Hex.encode(P256Group.hashToGroup(msg, dst).encode()));
      passed++;
    }
    Vectors.report(file, passed, 0, vectors.size());
  }

  @Test
  void expandMessageXmdMatchesRfcText() {
    String file = "rfc9380/rfc9380-expand_message_xmd_SHA-256-from-text.json";
    Map<String, Object> root = Vectors.readJsonObject(file);
    int passed = 0;
    int total = 0;
    for (Object set : (List<?>) root.get("sets")) {
      Map<?, ?> s = (Map<?, ?>) set;
      assertEquals("SHA256", s.get("hash"));
      byte[] dst = ascii((String) s.get("DST"));
      for (Object t : (List<?>) s.get("tests")) {
        total++;
        checkExpand(dst, (Map<?, ?>) t);
        passed++;
      }
    }
    Vectors.report(file, passed, 0, total);
  }

  @Test
  void expandMessageXmdMatchesPocVectorsIncludingOversizeDst() {
    for (String file : List.of(
        "rfc9380/cfrg-h2c-poc_expand_message_xmd_SHA256_38.json",
        "rfc9380/cfrg-h2c-poc_expand_message_xmd_SHA256_256.json")) {
      Map<String, Object> root = Vectors.readJsonObject(file);
      assertEquals("expand_message_xmd", root.get("name"));
      byte[] dst = ascii((String) root.get("DST"));
      List<?> tests = (List<?>) root.get("tests");
      int passed = 0;
      for (Object t : tests) {
        checkExpand(dst, (Map<?, ?>) t);
        passed++;
      }
      Vectors.report(file, passed, 0, tests.size());
    }
  }

  private static void checkExpand(byte[] dst, Map<?, ?> t) {
    byte[] msg = ascii((String) t.get("msg"));
    int length = Integer.decode((String) t.get("len_in_bytes"));
    assertEquals(t.get("DST_prime"), Hex.encode(HashToCurveP256.dstPrime(dst)), "DST_prime");
    assertEquals(t.get("uniform_bytes"), Hex.encode(HashToCurveP256.expandMessageXmd(msg, dst, length)), "uniform_bytes");
  }

  private static void assertPoint(Object x, Object y, ECPoint point, String what) {
    ECPoint p = point.normalize();
    assertEquals(x, hex32(p.getAffineXCoord().toBigInteger()), what + ".x");
    assertEquals(y, hex32(p.getAffineYCoord().toBigInteger()), what + ".y");
  }

  private static void assertPocPoint(Map<?, ?> expected, ECPoint point, String what) {
    assertPoint(((String) expected.get("x")).substring(2), ((String) expected.get("y")).substring(2), point, what);
  }

  private static String hex32(BigInteger value) {
    return Hex.encode(P256Curve.encodeScalar(value));
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
