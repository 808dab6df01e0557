package dev.bkv.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFormatException.Reason;
import dev.bkv.crypto.Ed25519;
import dev.bkv.hsm.SoftHsm;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.witness.BundleReceipt;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The witnessed bundle file (spec/FORMATS.md, "Validation bundle"): it carries the bundle
 * bytes and the witness's receipt unchanged, and the countersignature signs the witness
 * signature bytes under its own format line.
 */
class WitnessedBundleTest {
  private static WitnessedBundle witnessed() throws Exception {
    BundleFixtures.Log log = new BundleFixtures.Log();
    log.append("an earlier bundle".getBytes(StandardCharsets.US_ASCII));
    return BundleFixtures.witness(log, BundleFixtures.bundle("fleet-1", 1, Optional.empty()));
  }

  private static Reason reasonOf(byte[] bytes) {
    return assertThrows(BundleFormatException.class, () -> WitnessedBundle.parse(bytes)).reason();
  }

  private static byte[] replace(byte[] bytes, String from, String to) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    assertTrue(text.contains(from), from);
    return text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to))
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void a_witnessed_bundle_re_encodes_to_the_same_bytes_and_keeps_the_receipt_as_the_witness_sent_it() throws Exception {
    WitnessedBundle witnessed = witnessed();
    byte[] bytes = witnessed.toBytes();
    WitnessedBundle parsed = WitnessedBundle.parse(bytes);
    assertArrayEquals(bytes, parsed.toBytes());
    assertEquals(witnessed.bundle(), parsed.bundle());
    assertEquals(parsed.bundleDigest(), parsed.statedDigest());
    assertEquals(1, parsed.proof().index());
    // The receipt part is byte for byte what the witness package writes and reads.
    BundleReceipt receipt = BundleReceipt.parse(parsed.receiptBytes());
    assertArrayEquals(parsed.receiptBytes(), receipt.toBytes());
    assertEquals(parsed.witnessSignature(), receipt.bundleSignature());
    BundleFixtures.Log log = new BundleFixtures.Log();
    assertTrue(receipt.verify(parsed.bundleBytes(), log.bundleKey.verifier(),
        CheckpointPolicy.logOnly(BundleFixtures.LOG_ORIGIN, log.logKey.verifier())).isVerified());
    assertTrue(OperatorCountersignature.verify(BundleFixtures.operatorKey().publicKey(), parsed.witnessSignature(),
        parsed.countersignature()));
  }

  @Test
  void the_countersignature_covers_the_witness_signature_bytes_under_its_format_line() throws Exception {
    WitnessedBundle witnessed = witnessed();
    byte[] message = OperatorCountersignature.message(witnessed.witnessSignature());
    assertEquals(OperatorCountersignature.MESSAGE_BYTES, message.length);
    assertTrue(new String(message, StandardCharsets.ISO_8859_1).startsWith("bkv.dev/bundle-countersignature@v1\n"));
    byte[] other = witnessed.witnessSignature().toBytes();
    other[0] ^= 1;
    assertTrue(!OperatorCountersignature.verify(BundleFixtures.operatorKey().publicKey(), new Ed25519.Signature(other),
        witnessed.countersignature()), "a countersignature is bound to one witness signature");
    assertTrue(!OperatorCountersignature.verify(BundleFixtures.ecdsaKey("not the operator").publicKey(),
        witnessed.witnessSignature(), witnessed.countersignature()), "and to the operator key");
    SoftHsm operator = SoftHsm.inMemory(new SecureRandom());
    assertTrue(OperatorCountersignature.verify(operator.identityPublicKey(), witnessed.witnessSignature(),
        OperatorCountersignature.sign(operator, witnessed.witnessSignature())), "an operator HSM signs with its identity key");
  }

  @Test
  void the_parser_checks_syntax_and_reports_each_part_with_its_reason() throws Exception {
    byte[] bytes = witnessed().toBytes();
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    assertEquals(Reason.HEADER, reasonOf(replace(bytes, "witnessed-bundle@v1", "witnessed-bundle@v0")));
    assertEquals(Reason.DIGEST, reasonOf(replace(bytes, "bundle-sha256 ", "bundle-sha256 0")));
    assertEquals(Reason.COUNTERSIGNATURE, reasonOf(replace(bytes, "countersignature ", "countersignature 00")));
    assertEquals(Reason.LINE_ORDER, reasonOf(replace(bytes, "countersignature ", "counter-signature ")));
    assertEquals(Reason.EPOCH, reasonOf(replace(bytes, "epoch 1\n", "epoch x\n")));
    assertEquals(Reason.RECEIPT, reasonOf(replace(bytes, "bkv.dev/bundle-receipt@v1", "bkv.dev/bundle-receipt@v2")));
    assertEquals(Reason.RECEIPT, reasonOf(replace(bytes, "\nsignature ", "\nsignature A")));
    assertEquals(Reason.RECEIPT, reasonOf(replace(bytes, "c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v9")));
    assertEquals(Reason.LINE_ORDER, reasonOf(text.substring(0, text.indexOf("\n\n")).getBytes(StandardCharsets.ISO_8859_1)));
    assertEquals(Reason.TOO_LARGE, reasonOf(new byte[WitnessedBundle.WITNESSED_BYTES_MAX + 1]));
    // The digest line is syntax here; a wrong digest is a verifier's finding, not a parse error.
    String wrong = "bundle-sha256 " + "00".repeat(32);
    WitnessedBundle altered = WitnessedBundle.parse(text.replaceFirst("bundle-sha256 [0-9a-f]{64}", wrong)
        .getBytes(StandardCharsets.ISO_8859_1));
    assertTrue(!altered.statedDigest().equals(altered.bundleDigest()));
  }

  @Test
  void framing_faults_are_refused_with_a_reason_and_the_size_limit_is_inclusive() throws Exception {
    WitnessedBundle witnessed = witnessed();
    byte[] bytes = witnessed.toBytes();
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    assertTrue(reasonOf(java.util.Arrays.copyOf(bytes, WitnessedBundle.WITNESSED_BYTES_MAX)) != Reason.TOO_LARGE,
        "a file of exactly the limit is read");
    // A header that ends in a newline but has no blank line after it.
    assertEquals(Reason.LINE_ORDER, reasonOf(BundleFixtures.ascii(text.substring(0, text.indexOf("\n\n") + 1))));
    // A file that opens with the blank line: its header is empty.
    assertEquals(Reason.ENCODING, reasonOf(BundleFixtures.ascii("\n\n" + text)));
    String beforeReceipt = text.substring(0, text.indexOf("bkv.dev/bundle-receipt@v1"));
    assertEquals(Reason.RECEIPT, reasonOf(BundleFixtures.ascii(beforeReceipt + "bkv.dev/bundle-receipt@v1")));
    assertEquals(Reason.RECEIPT, reasonOf(BundleFixtures.ascii(beforeReceipt + "bkv.dev/bundle-receipt@v1\nsignature AAAA")));
    String signature = "signature " + java.util.Base64.getEncoder().encodeToString(witnessed.witnessSignature().toBytes());
    String shortSignature = "signature " + java.util.Base64.getEncoder().encodeToString(new byte[Ed25519.SIGNATURE_BYTES - 1]);
    assertEquals(Reason.RECEIPT, reasonOf(replace(bytes, signature, shortSignature)));
    // The header's lines are ASCII: a byte above 0x7e is refused as encoding.
    assertEquals(Reason.ENCODING, reasonOf(replace(bytes, "countersignature ", "countersignature\u00e9")));
  }

  @Test
  void a_checkpoint_signature_with_stray_base64_bits_is_not_canonical() throws Exception {
    byte[] bytes = witnessed().toBytes();
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    // A note signature is base64 padded with '=': the digit before the padding carries unused bits,
    // which the note parser tolerates (as Go does) but the re-encoding sets to zero.
    int signatureLine = text.lastIndexOf(new String("\u2014 ".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    assertTrue(signatureLine > 0);
    int padding = text.indexOf('=', signatureLine);
    char last = text.charAt(padding - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char stray = alphabet.charAt(alphabet.indexOf(last) + 1);
    String altered = text.substring(0, padding - 1) + stray + text.substring(padding);
    assertEquals(Reason.NOT_CANONICAL, reasonOf(altered.getBytes(StandardCharsets.ISO_8859_1)));
  }

  @Test
  void a_witnessed_bundle_names_its_fleet_and_log_index_when_printed() throws Exception {
    assertEquals("WitnessedBundle(ValidationBundle(" + BundleFixtures.NAMESPACE + " fleet-1 epoch 1, 3 HSMs), index 1)",
        witnessed().toString());
  }
}
