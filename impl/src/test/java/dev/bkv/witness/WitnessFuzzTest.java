package dev.bkv.witness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bkv.tlog.FormatException;
import java.nio.charset.StandardCharsets;

/**
 * Jazzer fuzz targets for the witness's request and receipt decoders (regression mode in
 * the normal build, fuzzing with {@code JAZZER_FUZZ=1}): each returns a value that
 * re-encodes to itself or throws {@link FormatException}, nothing else.
 */
class WitnessFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void addCheckpointRequest(byte[] input) {
    try {
      AddCheckpointRequest request = AddCheckpointRequest.parse(input);
      byte[] again = request.format().getBytes(StandardCharsets.UTF_8);
      AddCheckpointRequest reparsed = AddCheckpointRequest.parse(again);
      assertEquals(request.oldSize(), reparsed.oldSize());
      assertEquals(request.proof(), reparsed.proof());
      assertEquals(request.checkpoint(), reparsed.checkpoint());
      assertTrue(request.proof().size() <= AddCheckpointRequest.PROOF_LINES_MAX);
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  @FuzzTest(maxDuration = "60s")
  void bundleReceipt(byte[] input) {
    try {
      BundleReceipt receipt = BundleReceipt.parse(input);
      assertArrayEquals(receipt.toBytes(), BundleReceipt.parse(receipt.toBytes()).toBytes());
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }
}
