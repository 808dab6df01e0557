package dev.bkv.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFormatException.Reason;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.MemberKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The validation bundle format (spec/FORMATS.md, "Validation bundle"): one encoding per
 * bundle, and every rule of the format refused with its own reason.
 */
class ValidationBundleTest {
  private static ValidationBundle epochOne() throws Exception {
    return BundleFixtures.bundle("fleet-1", 1, Optional.empty());
  }

  private static String text() throws Exception {
    return epochOne().text();
  }

  private static Reason reasonOf(String text) {
    return assertThrows(BundleFormatException.class, () -> ValidationBundle.parse(text.getBytes(StandardCharsets.ISO_8859_1)),
        "should be refused:\n" + text).reason();
  }

  @Test
  void a_bundle_re_encodes_to_the_same_bytes_and_names_its_fleet() throws Exception {
    ValidationBundle bundle = epochOne();
    ValidationBundle parsed = ValidationBundle.parse(bundle.toBytes());
    assertArrayEquals(bundle.toBytes(), parsed.toBytes());
    assertEquals(bundle, parsed);
    assertEquals("fleet-1", parsed.fleetId());
    assertEquals(3, parsed.members().size());
    assertEquals(2, parsed.quorum());
    assertEquals(Sha256Digest.of(bundle.toBytes()), parsed.digest());
    assertTrue(parsed.validAt(BundleFixtures.NOT_BEFORE));
    assertTrue(!parsed.validAt(BundleFixtures.NOT_AFTER), "not-after is exclusive");
    ValidationBundle next = BundleFixtures.bundle("fleet-2", 2, Optional.of(bundle.digest()));
    assertEquals(Optional.of(bundle.digest()), ValidationBundle.parse(next.toBytes()).previousDigest());
  }

  @Test
  void every_line_is_checked_in_order_with_its_own_reason() throws Exception {
    String t = text();
    assertEquals(Reason.HEADER, reasonOf(t.replace("validation-bundle@v1", "validation-bundle@v2")));
    assertEquals(Reason.LINE_ORDER, reasonOf(t.replaceFirst("namespace [^\n]*\n", "")));
    assertEquals(Reason.NAMESPACE, reasonOf(t.replace("namespace backup", "namespace /backup")));
    assertEquals(Reason.FLEET_ID, reasonOf(t.replace("fleet-id fleet-1", "fleet-id fleet/1")));
    assertEquals(Reason.EPOCH, reasonOf(t.replace("epoch 1\n", "epoch 0\n")));
    assertEquals(Reason.EPOCH, reasonOf(t.replace("epoch 1\n", "epoch 01\n")));
    assertEquals(Reason.EPOCH, reasonOf(t.replace("epoch 1\n", "epoch 9223372036854775808\n")));
    assertEquals(Reason.VALIDITY, reasonOf(t.replace("not-after " + BundleFixtures.NOT_AFTER, "not-after " + BundleFixtures.NOT_BEFORE)));
    assertEquals(Reason.VALIDITY, reasonOf(t.replace("not-after " + BundleFixtures.NOT_AFTER,
        "not-after " + (BundleFixtures.NOT_BEFORE + ValidationBundle.VALIDITY_SECONDS_MAX + 1))));
    assertEquals(Reason.VALIDITY, reasonOf(t.replace("not-before ", "not-before -")));
    assertEquals(Reason.QUORUM, reasonOf(t.replace("quorum 2 of 3", "quorum 3 of 3")));
    assertEquals(Reason.EVIDENCE, reasonOf(t.replaceFirst("evidence ([0-9a-f]{63})[0-9a-f]", "evidence $1")));
    assertEquals(Reason.EVIDENCE, reasonOf(t.replaceFirst("evidence ([0-9a-f])", "evidence A")));
    assertEquals(Reason.PREVIOUS, reasonOf(t.replace("previous none", "previous " + "ab".repeat(32))));
    assertEquals(Reason.PREVIOUS, reasonOf(t.replace("previous none", "previous None")));
    assertEquals(Reason.LINE_ORDER, reasonOf(t + "extra line\n"));
    assertEquals(Reason.LINE_ORDER, reasonOf(t.replace("previous none\n", "")));
  }

  @Test
  void the_text_must_be_printable_ascii_lines_within_the_limits() throws Exception {
    String t = text();
    assertEquals(Reason.ENCODING, reasonOf(t.substring(0, t.length() - 1)));
    assertEquals(Reason.ENCODING, reasonOf(t.replace("\n", "\r\n")));
    assertEquals(Reason.ENCODING, reasonOf(t.replace("epoch 1\n", "epoch 1\n\n")));
    assertEquals(Reason.ENCODING, reasonOf(t.replace("fleet-1", "fleet-\u00e9")));
    assertEquals(Reason.ENCODING, reasonOf(""));
    assertEquals(Reason.TOO_LARGE, reasonOf(t + "x".repeat(ValidationBundle.BUNDLE_BYTES_MAX)));
    assertEquals(Reason.EPOCH, reasonOf(t.replace("epoch 1", "epoch  1")));
    assertEquals(Reason.EPOCH, reasonOf(t.replace("epoch 1", "epoch 1 ")));
  }

  @Test
  void key_lines_are_one_identity_then_one_opaque_per_hsm_in_increasing_id_order() throws Exception {
    String t = text();
    List<String> keyLines = t.lines().filter(l -> l.startsWith("key ")).toList();
    assertEquals(6, keyLines.size());
    // Swap the first two HSMs: order broken.
    String swapped = t.replace(keyLines.get(0) + "\n" + keyLines.get(1) + "\n" + keyLines.get(2) + "\n" + keyLines.get(3) + "\n",
        keyLines.get(2) + "\n" + keyLines.get(3) + "\n" + keyLines.get(0) + "\n" + keyLines.get(1) + "\n");
    assertEquals(Reason.KEY_ORDER, reasonOf(swapped));
    // Opaque before identity.
    assertEquals(Reason.KEY_ORDER, reasonOf(t.replace(keyLines.get(0) + "\n" + keyLines.get(1),
        keyLines.get(1) + "\n" + keyLines.get(0))));
    // An HSM listed twice.
    assertEquals(Reason.KEY_ORDER, reasonOf(t.replace(keyLines.get(2) + "\n" + keyLines.get(3),
        keyLines.get(0) + "\n" + keyLines.get(1))));
    // An identity line without its opaque line.
    assertEquals(Reason.KEY_ORDER, reasonOf(t.replace(keyLines.get(5) + "\n", "")));
    // The opaque line of another datacenter.
    assertEquals(Reason.KEY_ORDER, reasonOf(t.replace(keyLines.get(1), keyLines.get(1).replace(" dc-", " dcx-"))));
    assertEquals(Reason.KEY, reasonOf(t.replace(keyLines.get(0), keyLines.get(0).replace("key identity", "key signing"))));
    assertEquals(Reason.KEY, reasonOf(t.replace(keyLines.get(0), keyLines.get(0) + " extra")));
    assertEquals(Reason.KEY, reasonOf(t.replace(keyLines.get(0), keyLines.get(0).toUpperCase(java.util.Locale.ROOT)
        .replace("KEY IDENTITY", "key identity").replace(" DC-", " dc-"))));
    // 0x02 || x with x not the abscissa of a curve point: refused as a key.
    String notOnCurve = keyLines.get(0).substring(0, keyLines.get(0).length() - 66) + notOnCurveHex();
    assertEquals(Reason.KEY, reasonOf(t.replace(keyLines.get(0), notOnCurve)));
    // Someone else's identity key under this HSM id.
    String otherKey = keyLines.get(2).substring(keyLines.get(2).length() - 66);
    assertEquals(Reason.HSM_ID, reasonOf(t.replace(keyLines.get(0),
        keyLines.get(0).substring(0, keyLines.get(0).length() - 66) + otherKey)));
    // One HSM answering OPAQUE with another key.
    String foreignOpaque = dev.bkv.base.Hex.encode(BundleFixtures.opaqueKey("another fleet").encode());
    assertEquals(Reason.OPAQUE_KEY, reasonOf(t.replace(keyLines.get(3),
        keyLines.get(3).substring(0, keyLines.get(3).length() - 66) + foreignOpaque)));
    // No HSM at all.
    String none = t;
    for (String line : keyLines) {
      none = none.replace(line + "\n", "");
    }
    assertEquals(Reason.HSM_COUNT, reasonOf(none));
  }

  /** A compressed encoding 02 || x whose x is the abscissa of no P-256 point. */
  private static String notOnCurveHex() {
    for (int x = 1; ; x++) {
      byte[] encoded = new byte[33];
      encoded[0] = 2;
      encoded[32] = (byte) x;
      try {
        dev.bkv.crypto.EcdsaP256.PublicKey.decode(encoded);
      } catch (dev.bkv.crypto.DecodeException notAPoint) {
        return dev.bkv.base.Hex.encode(encoded);
      }
    }
  }

  @Test
  void a_placement_that_loses_a_quorum_with_one_datacenter_is_refused() throws Exception {
    // 3 HSMs over 2 datacenters: dc-1 holds 2, and losing it leaves 1 < quorum 2 (G2).
    List<MemberKeys> members = BundleFixtures.members("fleet-1", 3, 2);
    BundleFormatException e = assertThrows(BundleFormatException.class, () -> ValidationBundle.of(BundleFixtures.NAMESPACE,
        "fleet-1", 1, BundleFixtures.NOT_BEFORE, BundleFixtures.NOT_AFTER, members, BundleFixtures.evidenceDigest("f"),
        Optional.empty()));
    assertEquals(Reason.PLACEMENT, e.reason());
    assertTrue(e.getMessage().contains("dc-1"), e.getMessage());
    // The same refusal when parsing a text that claims such a fleet.
    String t = text();
    String moved = t.replaceAll(" dc-3 ", " dc-1 ");
    assertEquals(Reason.PLACEMENT, reasonOf(moved));
  }

  @Test
  void constructing_checks_the_same_rules_as_parsing() throws Exception {
    List<MemberKeys> members = BundleFixtures.members("fleet-1", 3, 3);
    Sha256Digest evidence = BundleFixtures.evidenceDigest("fleet-1");
    long nb = BundleFixtures.NOT_BEFORE;
    long na = BundleFixtures.NOT_AFTER;
    String ns = BundleFixtures.NAMESPACE;
    assertEquals(Reason.PREVIOUS, assertThrows(BundleFormatException.class,
        () -> ValidationBundle.of(ns, "f", 2, nb, na, members, evidence, Optional.empty())).reason());
    assertEquals(Reason.EPOCH, assertThrows(BundleFormatException.class,
        () -> ValidationBundle.of(ns, "f", 0, nb, na, members, evidence, Optional.empty())).reason());
    assertEquals(Reason.VALIDITY, assertThrows(BundleFormatException.class,
        () -> ValidationBundle.of(ns, "f", 1, na, nb, members, evidence, Optional.empty())).reason());
    List<MemberKeys> reversed = new ArrayList<>(members);
    java.util.Collections.reverse(reversed);
    assertEquals(Reason.KEY_ORDER, assertThrows(BundleFormatException.class,
        () -> ValidationBundle.of(ns, "f", 1, nb, na, reversed, evidence, Optional.empty())).reason());
    assertEquals(Reason.HSM_COUNT, assertThrows(BundleFormatException.class,
        () -> ValidationBundle.of(ns, "f", 1, nb, na, List.of(), evidence, Optional.empty())).reason());
    assertEquals(Reason.NAMESPACE, assertThrows(BundleFormatException.class,
        () -> ValidationBundle.of("", "f", 1, nb, na, members, evidence, Optional.empty())).reason());
  }

  @Test
  void the_largest_fleet_fits_the_byte_limit() throws Exception {
    List<MemberKeys> members = BundleFixtures.members("big", ValidationBundle.HSMS_MAX, 16);
    ValidationBundle bundle = ValidationBundle.of(BundleFixtures.NAMESPACE, "f".repeat(64), Long.MAX_VALUE,
        Long.MAX_VALUE - ValidationBundle.VALIDITY_SECONDS_MAX, Long.MAX_VALUE, members, BundleFixtures.evidenceDigest("f"),
        Optional.of(BundleFixtures.evidenceDigest("p")));
    byte[] bytes = bundle.toBytes();
    assertTrue(bytes.length <= ValidationBundle.BUNDLE_BYTES_MAX, bytes.length + " bytes");
    assertEquals(bundle, ValidationBundle.parse(bytes));
  }

  @Test
  void each_refusal_of_a_bundle_built_from_parts_names_the_figures_that_broke_it() throws Exception {
    List<MemberKeys> members = BundleFixtures.members("fleet-1", 3, 3);
    Sha256Digest evidence = BundleFixtures.evidenceDigest("fleet-1");
    String ns = BundleFixtures.NAMESPACE;
    long nb = BundleFixtures.NOT_BEFORE;
    // Second 0 is a valid start: only a negative not-before is refused.
    assertEquals(0, ValidationBundle.of(ns, "f", 1, 0, 1, members, evidence, Optional.empty()).notBeforeSeconds());
    long tooWide = ValidationBundle.VALIDITY_SECONDS_MAX + 1;
    BundleFormatException wide = assertThrows(BundleFormatException.class,
        () -> ValidationBundle.of(ns, "f", 1, nb, nb + tooWide, members, evidence, Optional.empty()));
    assertTrue(wide.getMessage().endsWith("validity window of " + tooWide + " seconds exceeds "
        + ValidationBundle.VALIDITY_SECONDS_MAX), wide.getMessage());
    assertEquals(Reason.EVIDENCE, assertThrows(BundleFormatException.class,
        () -> ValidationBundle.of(ns, "f", 1, nb, nb + 1, members, null, Optional.empty())).reason());
    List<MemberKeys> tooMany = BundleFixtures.members("big", ValidationBundle.HSMS_MAX + 1, 16);
    BundleFormatException many = assertThrows(BundleFormatException.class,
        () -> ValidationBundle.of(ns, "f", 1, nb, nb + 1, tooMany, evidence, Optional.empty()));
    assertEquals(Reason.HSM_COUNT, many.reason());
    assertTrue(many.getMessage().endsWith("not " + (ValidationBundle.HSMS_MAX + 1)), many.getMessage());
    List<MemberKeys> swapped = new ArrayList<>(List.of(members.get(1), members.get(0), members.get(2)));
    BundleFormatException order = assertThrows(BundleFormatException.class,
        () -> ValidationBundle.of(ns, "f", 1, nb, nb + 1, swapped, evidence, Optional.empty()));
    assertTrue(order.getMessage().contains(": HSM " + members.get(0).hsmId().toHex() + " is not after "
        + members.get(1).hsmId().toHex() + " "), order.getMessage());
  }

  @Test
  void bundles_are_equal_exactly_when_their_bytes_are() throws Exception {
    ValidationBundle one = epochOne();
    ValidationBundle again = ValidationBundle.parse(one.toBytes());
    ValidationBundle other = BundleFixtures.bundle("fleet-2", 1, Optional.empty());
    assertEquals(one, again);
    assertEquals(one.hashCode(), again.hashCode());
    assertTrue(!one.equals(other), "different fleets");
    assertTrue(!one.equals(one.text()), "a bundle is not its text");
    assertTrue(one.hashCode() != other.hashCode(), "the hash follows the bytes");
  }

  @Test
  void a_malformed_key_or_number_is_refused_naming_its_line_and_shape() throws Exception {
    String t = text();
    List<String> keyLines = t.lines().filter(l -> l.startsWith("key ")).toList();
    // Lines 1 to 6 are the header, namespace, fleet-id, epoch, not-before and not-after.
    String badIdentity = keyLines.get(0).substring(0, keyLines.get(0).length() - 2) + "zz";
    assertTrue(messageOf(t.replace(keyLines.get(0), badIdentity)).contains(": line 7 must be \"key <identity|opaque>"));
    String badOpaque = keyLines.get(1).substring(0, keyLines.get(1).length() - 2) + "zz";
    assertTrue(messageOf(t.replace(keyLines.get(1), badOpaque)).contains(": line 8 must be \"key <identity|opaque>"));
    assertTrue(messageOf(t.replace("epoch 1\n", "epoch 01\n")).contains(": epoch must be a decimal in [0, 2^63 - 1]"));
  }

  private static String messageOf(String text) {
    return assertThrows(BundleFormatException.class, () -> ValidationBundle.parse(text.getBytes(StandardCharsets.ISO_8859_1)),
        "should be refused:\n" + text).getMessage();
  }
}
