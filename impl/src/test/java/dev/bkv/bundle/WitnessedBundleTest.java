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
}
