package dev.bkv.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bkv.base.Hex;
import dev.bkv.testsupport.Vectors;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Wycheproof (C2SP/wycheproof testvectors_v1) for every primitive path BKV uses, driven
 * through our typed APIs, never Bouncy Castle directly. Each valid vector must give the
 * expected result; each invalid one must be rejected (a typed decode error, a false
 * verification, an empty open). Tests whose parameters our API does not offer (other AES key
 * or IV sizes, truncated HMAC tags) are counted as not applicable and printed.
 *
 * <p>"Acceptable" vectors (ECDH only) follow one rule: we accept exactly one DER form of a
 * P-256 SubjectPublicKeyInfo (named curve, no extra parameters) and both SEC1 point forms.
 * So the compressed-point vectors must be accepted with the right shared secret, and every
 * other acceptable one (BER length forms, explicit curve parameters, unused parameters)
 * must be rejected.
 */
class WycheproofTest {

  @Test
  void ecdsaP256Sha256Der() {
    run("wycheproof/ecdsa_secp256r1_sha256_test.json", (group, t) -> {
      EcdsaP256.PublicKey key = EcdsaP256.PublicKey.decode(hex(((Map<?, ?>) group.get("publicKey")).get("uncompressed")));
      EcdsaP256.Signature signature = EcdsaP256.Signature.fromDer(hex(t.get("sig")));
      return EcdsaP256.verify(key, hex(t.get("msg")), signature) ? Outcome.ACCEPTED : Outcome.REJECTED;
    });
  }

  @Test
  void ecdsaP256Sha256P1363() {
    run("wycheproof/ecdsa_secp256r1_sha256_p1363_test.json", (group, t) -> {
      EcdsaP256.PublicKey key = EcdsaP256.PublicKey.decode(hex(((Map<?, ?>) group.get("publicKey")).get("uncompressed")));
      EcdsaP256.Signature signature = EcdsaP256.Signature.fromP1363(hex(t.get("sig")));
      return EcdsaP256.verify(key, hex(t.get("msg")), signature) ? Outcome.ACCEPTED : Outcome.REJECTED;
    });
  }

  @Test
  void ecdhP256SubjectPublicKeyInfo() {
    run("wycheproof/ecdh_secp256r1_test.json", (group, t) -> ecdh(EcdhP256.PublicKey.decodeSpki(hex(t.get("public"))), t));
  }

  @Test
  void ecdhP256EcPoint() {
    run("wycheproof/ecdh_secp256r1_ecpoint_test.json", (group, t) -> ecdh(EcdhP256.PublicKey.decodeSec1(hex(t.get("public"))), t));
  }

  @Test
  void aes256Gcm() {
    run("wycheproof/aes_gcm_test.json", (group, t) -> {
      if (number(group, "keySize") != 256 || number(group, "ivSize") != 96 || number(group, "tagSize") != 128) {
        return Outcome.NOT_APPLICABLE;
      }
      Aes256Gcm.Key key = new Aes256Gcm.Key(hex(t.get("key")));
      Aes256Gcm.Nonce nonce = new Aes256Gcm.Nonce(hex(t.get("iv")));
      byte[] aad = hex(t.get("aad"));
      byte[] sealed = dev.bkv.base.Bytes.concat(hex(t.get("ct")), hex(t.get("tag")));
      Optional<byte[]> opened = Aes256Gcm.open(key, nonce, aad, sealed);
      if (opened.isEmpty()) {
        return Outcome.REJECTED;
      }
      assertEquals(t.get("msg"), Hex.encode(opened.get()), "plaintext");
      assertEquals(Hex.encode(sealed), Hex.encode(Aes256Gcm.seal(key, nonce, aad, opened.get())), "seal gives ct || tag");
      return Outcome.ACCEPTED;
    });
  }

  @Test
  void hkdfSha256() {
    run("wycheproof/hkdf_sha256_test.json", (group, t) -> {
      int size = ((BigInteger) t.get("size")).intValueExact();
      byte[] okm;
      try {
        okm = HkdfSha256.derive(hex(t.get("salt")), hex(t.get("ikm")), hex(t.get("info")), size);
      } catch (IllegalArgumentException tooLong) {
        return Outcome.REJECTED;
      }
      assertEquals(t.get("okm"), Hex.encode(okm), "okm");
      return Outcome.ACCEPTED;
    });
  }

  @Test
  void hmacSha256() {
    run("wycheproof/hmac_sha256_test.json", (group, t) -> {
      if (number(group, "tagSize") != 8 * HmacSha256.TAG_BYTES) {
        return Outcome.NOT_APPLICABLE; // truncated tags: our API verifies full 32-byte tags only
      }
      HmacSha256.Key key = new HmacSha256.Key(hex(t.get("key")));
      byte[] msg = hex(t.get("msg"));
      boolean verified = HmacSha256.verify(key, msg, hex(t.get("tag")));
      if (verified) {
        assertEquals(t.get("tag"), Hex.encode(HmacSha256.mac(key, msg)), "tag");
      }
      return verified ? Outcome.ACCEPTED : Outcome.REJECTED;
    });
  }

  @Test
  void ed25519() {
    run("wycheproof/ed25519_test.json", (group, t) -> {
      Ed25519.PublicKey key = Ed25519.PublicKey.decode(hex(((Map<?, ?>) group.get("publicKey")).get("pk")));
      Ed25519.Signature signature = Ed25519.Signature.decode(hex(t.get("sig")));
      return Ed25519.verify(key, hex(t.get("msg")), signature) ? Outcome.ACCEPTED : Outcome.REJECTED;
    });
  }

  private static Outcome ecdh(EcdhP256.PublicKey publicKey, Map<?, ?> t) throws DecodeException {
    // Wycheproof writes the private scalar as a minimal two's-complement integer; ours is 32 bytes.
    byte[] scalar = P256Curve.encodeScalar(new BigInteger(1, hex(t.get("private"))));
    EcdhP256.SharedSecret shared = EcdhP256.agree(EcdhP256.PrivateKey.decode(scalar), publicKey);
    assertEquals(t.get("shared"), Hex.encode(shared.toBytes()), "shared secret");
    return Outcome.ACCEPTED;
  }

  // ---- harness ----

  private enum Outcome { ACCEPTED, REJECTED, NOT_APPLICABLE }

  @FunctionalInterface
  private interface Case {
    /** ACCEPTED or REJECTED by our API; a DecodeException counts as REJECTED. */
    Outcome apply(Map<?, ?> group, Map<?, ?> test) throws DecodeException;
  }

  private static void run(String file, Case testCase) {
    Map<String, Object> root = Vectors.readJsonObject(file);
    int total = 0;
    int passed = 0;
    int invalidRejected = 0;
    int notApplicable = 0;
    int acceptableAccepted = 0;
    int acceptableRejected = 0;
    List<String> failures = new ArrayList<>();
    for (Object g : (List<?>) root.get("testGroups")) {
      Map<?, ?> group = (Map<?, ?>) g;
      for (Object o : (List<?>) group.get("tests")) {
        Map<?, ?> t = (Map<?, ?>) o;
        total++;
        String result = (String) t.get("result");
        Outcome outcome;
        try {
          outcome = testCase.apply(group, t);
        } catch (DecodeException e) {
          outcome = Outcome.REJECTED;
        } catch (AssertionError e) {
          failures.add("tcId " + t.get("tcId") + " (" + result + "): " + e.getMessage());
          continue;
        }
        if (outcome == Outcome.NOT_APPLICABLE) {
          notApplicable++;
          continue;
        }
        boolean accepted = outcome == Outcome.ACCEPTED;
        boolean expectAccepted;
        switch (result) {
          case "valid":
            expectAccepted = true;
            break;
          case "invalid":
            expectAccepted = false;
            break;
          case "acceptable":
            expectAccepted = flags(t).contains("CompressedPublic");
            break;
          default:
            throw new AssertionError("unknown Wycheproof result " + result);
        }
        if (accepted != expectAccepted) {
          failures.add("tcId " + t.get("tcId") + " (" + result + ", " + t.get("comment") + " " + flags(t)
              + "): " + (accepted ? "accepted" : "rejected"));
          continue;
        }
        passed++;
        if (result.equals("invalid")) {
          invalidRejected++;
        } else if (result.equals("acceptable")) {
          if (accepted) {
            acceptableAccepted++;
          } else {
            acceptableRejected++;
          }
        }
      }
    }
    assertEquals(((BigInteger) root.get("numberOfTests")).intValueExact(), total, "numberOfTests");
    Vectors.report(file, passed, invalidRejected, total - notApplicable);
    if (notApplicable > 0) {
      System.out.printf("[vectors] %s: %d not applicable (parameters our API does not offer)%n", file, notApplicable);
    }
    if (acceptableAccepted + acceptableRejected > 0) {
      System.out.printf("[vectors] %s: acceptable: %d accepted (compressed points), %d rejected (strict DER, named curve only)%n",
          file, acceptableAccepted, acceptableRejected);
    }
    if (!failures.isEmpty()) {
      fail(failures.size() + " of " + total + " vectors in " + file + " failed:\n" + String.join("\n", failures));
    }
    assertTrue(passed > 0, "at least one applicable vector");
  }

  private static List<?> flags(Map<?, ?> t) {
    Object flags = t.get("flags");
    return flags instanceof List ? (List<?>) flags : List.of();
  }

  private static int number(Map<?, ?> group, String key) {
    return ((BigInteger) group.get(key)).intValueExact();
  }

  private static byte[] hex(Object value) {
    return Hex.decode((String) value);
  }
}
