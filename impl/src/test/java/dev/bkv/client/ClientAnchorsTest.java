package dev.bkv.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.bundle.TrustAnchorsFile;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.VerifierSet;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The client trust-anchors file (bkv-client-anchors/1, spec/FORMATS.md): what format writes,
 * parse reads back to the same anchors and bytes; anything else is refused with the line and
 * the reason, never half-read.
 */
class ClientAnchorsTest {
  static TrustAnchors anchors(int cosigners, int required) {
    VerifierSet set = VerifierSet.of(java.util.stream.IntStream.rangeClosed(1, cosigners)
        .mapToObj(i -> BundleFixtures.cosigner(i).verifier()).toList());
    return new TrustAnchors(BundleFixtures.NAMESPACE, BundleFixtures.bundleKey().verifier(),
        BundleFixtures.operatorKey().publicKey(), BundleFixtures.LOG_ORIGIN, BundleFixtures.logKey().verifier(), set, required);
  }

  @Test
  void roundTrip_withAndWithoutCosigners() throws FormatException {
    for (int n = 0; n <= 3; n++) {
      TrustAnchors original = anchors(n, n == 0 ? 0 : n - 1);
      byte[] file = ClientAnchors.format(original);
      TrustAnchors parsed = ClientAnchors.parse(file);
      assertArrayEquals(file, ClientAnchors.format(parsed));
      assertEquals(original.namespace(), parsed.namespace());
      assertEquals(original.logOrigin(), parsed.logOrigin());
      assertEquals(original.witnessBundleKey().vkey(), parsed.witnessBundleKey().vkey());
      assertEquals(original.logKey().vkey(), parsed.logKey().vkey());
      assertEquals(original.operatorKey(), parsed.operatorKey());
      assertEquals(n, parsed.cosigners().size());
      assertEquals(original.cosignaturesRequired(), parsed.cosignaturesRequired());
    }
    String text = new String(ClientAnchors.format(anchors(1, 1)), StandardCharsets.US_ASCII);
    assertTrue(text.startsWith("bkv-client-anchors/1\nnamespace " + BundleFixtures.NAMESPACE + "\nwitness-bundle-key "), text);
  }

  @Test
  void badInputIsRefusedWithTheLineAndTheReason() {
    String good = new String(ClientAnchors.format(anchors(2, 1)), StandardCharsets.US_ASCII);
    String[] lines = good.split("\n");
    assertRefused(good.replace("bkv-client-anchors/1", "bkv-client-anchors/2"), "line 1");
    assertRefused(good.substring(0, good.length() - 1), "client anchors:");               // no final newline
    assertRefused(good.replace("\nlog-origin", "\n\nlog-origin"), "empty line");
    assertRefused(good.replace(lines[3] + "\n", ""), "line 4");                           // log-origin missing
    assertRefused(good.replace("namespace ", "namespace a "), "no spaces");
    assertRefused(good.replace(lines[5], lines[5].toUpperCase().replace("OPERATOR-KEY", "operator-key")), "operator-key");
    assertRefused(good.replace(lines[5], "operator-key 04" + lines[5].substring(15)), "operator-key");
    assertRefused(good.replace(lines[4], "log-key " + lines[6].substring("cosigner ".length())), "Ed25519 note key");
    assertRefused(good.replace(lines[7], lines[6]), "listed twice");
    assertRefused(good.replace("cosignatures-required 1", "cosignatures-required 3"), "cosignatures-required");
    assertRefused(good.replace("cosignatures-required 1", "cosignatures-required 01"), "cosignatures-required");
    assertRefused(good + "extra line\n", "unexpected line");
    assertRefused(good.replace(lines[6], "cosigner " + lines[2].substring("witness-bundle-key ".length())), "cosignature/v1");
    assertRefused("x".repeat(ClientAnchors.FILE_BYTES_MAX + 1), "longer than");
  }

  static void assertRefused(String text, String expected) {
    FormatException e = assertThrows(FormatException.class, () -> ClientAnchors.parse(text.getBytes(StandardCharsets.UTF_8)),
        "refused: " + text);
    assertTrue(e.getMessage().contains(expected), e.getMessage() + " should say " + expected);
  }

  @Test
  void theLimitsAreInclusive_32CosignersAnd256CharacterNames() throws FormatException {
    TrustAnchors full = anchors(TrustAnchorsFile.COSIGNERS_MAX, TrustAnchorsFile.COSIGNERS_MAX);
    assertEquals(TrustAnchorsFile.COSIGNERS_MAX, ClientAnchors.parse(ClientAnchors.format(full)).cosigners().size());
    String longest = "l".repeat(TrustAnchorsFile.NAME_CHARS_MAX);
    String good = new String(ClientAnchors.format(anchors(1, 1)), StandardCharsets.US_ASCII);
    String originLine = "log-origin " + BundleFixtures.LOG_ORIGIN + "\n";
    assertEquals(longest, ClientAnchors.parse(good.replace(originLine, "log-origin " + longest + "\n")
        .getBytes(StandardCharsets.US_ASCII)).logOrigin());
    assertRefused(good.replace(originLine, "log-origin " + longest + "l\n"), "line 4: log-origin must be 1 to 256");
    FormatException atSize = assertThrows(FormatException.class,
        () -> ClientAnchors.parse("x".repeat(TrustAnchorsFile.FILE_BYTES_MAX).getBytes(StandardCharsets.US_ASCII)));
    assertTrue(!atSize.getMessage().contains("longer than"), atSize.getMessage());
  }

  @Test
  void anOperatorKeyThatIsNotHexIsRefusedWithTheShapeAlone() {
    String good = new String(ClientAnchors.format(anchors(0, 0)), StandardCharsets.US_ASCII);
    String operatorLine = good.split("\n")[5];
    FormatException e = assertThrows(FormatException.class, () -> ClientAnchors.parse(good.replace(operatorLine,
        operatorLine.substring(0, operatorLine.length() - 2) + "zz").getBytes(StandardCharsets.US_ASCII)));
    assertEquals("line 6: operator-key must be a compressed P-256 point in 66 lower-case hex digits", e.getMessage());
  }
}
