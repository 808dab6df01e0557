package dev.bkv.crypto.oprf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bkv.base.Hex;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.P256Group.Element;
import dev.bkv.crypto.P256Group.Scalar;
import dev.bkv.testsupport.Vectors;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * RFC 9497 Appendix A.3.1 (P256-SHA256, mode OPRF) from the RFC text and the CFRG
 * proof-of-concept file: DeriveKeyPair from Seed and KeyInfo, then Blind, BlindEvaluate and
 * Finalize for each input, and Evaluate agreeing with Finalize. VOPRF and POPRF are not
 * implemented (BKV uses mode OPRF only); their entries are counted and reported as skipped.
 */
class OprfVectorsTest {

  @Test
  void oprfModeMatchesRfcText() throws DecodeException {
    String file = "rfc9497/rfc9497-P256-SHA256-from-text.json";
    Map<String, Object> root = Vectors.readJsonObject(file);
    assertEquals(Oprf.IDENTIFIER, root.get("identifier"));
    Map<?, ?> modes = (Map<?, ?>) root.get("modes");
    Map<?, ?> oprf = (Map<?, ?>) modes.get("OPRF");
    assertEquals(BigInteger.valueOf(Oprf.MODE_OPRF), oprf.get("mode_byte"));
    List<?> vectors = (List<?>) oprf.get("vectors");
    int passed = checkMode(
        (String) oprf.get("Seed"), (String) oprf.get("KeyInfo"), (String) oprf.get("skSm"), vectors);
    Vectors.report(file, passed, 0, vectors.size());
    System.out.println("[vectors] " + file + ": modes VOPRF, POPRF not implemented (mode OPRF only)");
  }

  @Test
  void oprfModeMatchesPocVectors() throws DecodeException {
    String file = "rfc9497/cfrg-voprf-poc_allVectors.json";
    List<?> suites = (List<?>) dev.bkv.base.Json.parse(Vectors.readString(file));
    int passed = 0;
    int total = 0;
    int otherEntries = 0;
    for (Object o : suites) {
      Map<?, ?> suite = (Map<?, ?>) o;
      if (!Oprf.IDENTIFIER.equals(suite.get("identifier")) || !BigInteger.ZERO.equals(suite.get("mode"))) {
        otherEntries++;
        continue;
      }
      assertEquals(Hex.encode(Oprf.HASH_TO_GROUP_DST), suite.get("groupDST"), "groupDST");
      List<?> vectors = (List<?>) suite.get("vectors");
      total += vectors.size();
      passed += checkMode((String) suite.get("seed"), (String) suite.get("keyInfo"), (String) suite.get("skSm"), vectors);
    }
    assertEquals(14, otherEntries, "exactly one P256-SHA256 mode-OPRF entry among 15");
    Vectors.report(file, passed, 0, total);
    System.out.println("[vectors] " + file + ": " + otherEntries + " other suite/mode entries not applicable");
  }

  private static int checkMode(String seedHex, String keyInfoHex, String skSmHex, List<?> vectors)
      throws DecodeException {
    Scalar skS = Oprf.deriveSecretKey(new Oprf.Seed(Hex.decode(seedHex)), Hex.decode(keyInfoHex));
    assertEquals(skSmHex, Hex.encode(skS.encode()), "skSm");
    int passed = 0;
    for (Object o : vectors) {
      Map<?, ?> v = (Map<?, ?>) o;
      if (v.containsKey("Batch")) {
        assertEquals(BigInteger.ONE, v.get("Batch"), "mode OPRF vectors are single evaluations");
      }
      byte[] input = Hex.decode((String) v.get("Input"));
      Scalar blind = Scalar.decode("Blind", Hex.decode((String) v.get("Blind")));
      Oprf.Blinded blinded = Oprf.blind(input, blind);
      assertEquals(v.get("BlindedElement"), Hex.encode(blinded.blindedElement().encode()), "BlindedElement");
      // The server sees only the serialized element.
      Element received = Element.decode("BlindedElement", blinded.blindedElement().encode());
      Element evaluated = Oprf.blindEvaluate(skS, received);
      assertEquals(v.get("EvaluationElement"), Hex.encode(evaluated.encode()), "EvaluationElement");
      Oprf.Output output = Oprf.finalize(input, blind, Element.decode("EvaluationElement", evaluated.encode()));
      assertEquals(v.get("Output"), Hex.encode(output.toBytes()), "Output");
      assertEquals(v.get("Output"), Hex.encode(Oprf.evaluate(skS, input).toBytes()), "Evaluate");
      passed++;
    }
    return passed;
  }
}
