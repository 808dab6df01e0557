package dev.bkv.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bkv.bundle.BundleFormatException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The parser reports the first rule a bundle breaks, in line order (spec/FORMATS.md,
 * "Validation bundle"): a text that breaks two rules is refused for the earlier line, and a key
 * line's refusal names that line.
 */
class BundleParserTest {
  private static String text() throws Exception {
    return BundleFixtures.bundle("fleet-1", 1, Optional.empty()).text();
  }

  private static BundleFormatException refusal(String text) {
    return assertThrows(BundleFormatException.class, () -> ValidationBundle.parse(text.getBytes(StandardCharsets.US_ASCII)),
        "should be refused:\n" + text);
  }

  private static List<String> keyLines(String t) {
    return t.lines().filter(l -> l.startsWith("key ")).toList();
  }

  @Test
  void whenTwoRulesAreBroken_thenTheEarlierLineIsReported() throws Exception {
    String t = text();
    // A bad fleet id (line 3) and a bad quorum (after the keys): the fleet id is named.
    assertEquals(Reason.FLEET_ID, refusal(t.replace("fleet-id fleet-1", "fleet-id fleet/1")
        .replace("quorum 2 of 3", "quorum 3 of 3")).reason());
    // No HSM at all, and then also a window that ends where it starts: the window is named.
    String none = t;
    for (String line : keyLines(t)) {
      none = none.replace(line + "\n", "");
    }
    assertEquals(Reason.HSM_COUNT, refusal(none).reason());
    assertEquals("hsm-count: a bundle lists at least one HSM (line 7)", refusal(none).getMessage());
    assertEquals(Reason.VALIDITY, refusal(none.replace("not-after " + BundleFixtures.NOT_AFTER,
        "not-after " + BundleFixtures.NOT_BEFORE)).reason());
    // HSMs out of order and a wrong quorum line: the order of the HSMs is named.
    List<String> keys = keyLines(t);
    String swapped = t.replace(keys.get(0) + "\n" + keys.get(1) + "\n" + keys.get(2) + "\n" + keys.get(3) + "\n",
        keys.get(2) + "\n" + keys.get(3) + "\n" + keys.get(0) + "\n" + keys.get(1) + "\n");
    assertEquals(Reason.KEY_ORDER, refusal(swapped.replace("quorum 2 of 3", "quorum 3 of 3")).reason());
  }

  @Test
  void keyLineRefusals_nameTheLine() throws Exception {
    String t = text();
    List<String> keys = keyLines(t);
    int first = t.lines().toList().indexOf(keys.get(0)) + 1;
    assertEquals("key-order: line " + first + ": each HSM lists its identity key first",
        refusal(t.replace(keys.get(0) + "\n" + keys.get(1), keys.get(1) + "\n" + keys.get(0))).getMessage());
    String hsm = keys.get(0).split(" ")[2];
    assertEquals("key-order: line " + (first + 1) + ": must be the opaque key of HSM " + hsm + " in dc-1",
        refusal(t.replace(keys.get(1), keys.get(1).replace(" dc-1 ", " dc-2 "))).getMessage());
    String last = keys.get(4).split(" ")[2];
    assertEquals("key-order: line " + (first + 5) + ": HSM " + last + " has no opaque key",
        refusal(t.replace(keys.get(5) + "\n", "")).getMessage());
    assertEquals("key: line " + first + " must be \"key <identity|opaque> <32 hex HSM id> <datacenter> <66 hex key>\"",
        refusal(t.replace(keys.get(0), keys.get(0).substring(0, keys.get(0).lastIndexOf(' ')))).getMessage());
  }

  @Test
  void zeroIsADecimal_andTheByteLimitIsInclusive() throws Exception {
    String t = text();
    // not-before 0 is a well-formed time; the window it makes is too long, which is a VALIDITY
    // refusal of the window, not of the number.
    BundleFormatException early = refusal(t.replace("not-before " + BundleFixtures.NOT_BEFORE, "not-before 0"));
    assertEquals(Reason.VALIDITY, early.reason());
    assertEquals(false, early.getMessage().contains("must be a decimal"), early.getMessage());
    // A text of exactly the limit is read (and refused for what it says); one byte more is too large.
    String padded = t + "x".repeat(ValidationBundle.BUNDLE_BYTES_MAX - t.length() - 1) + "\n";
    assertEquals(ValidationBundle.BUNDLE_BYTES_MAX, padded.length());
    assertEquals(Reason.LINE_ORDER, refusal(padded).reason());
    assertEquals(Reason.TOO_LARGE, refusal(padded + "\n").reason());
  }
}
