package dev.bkv.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer fuzz targets for the bundle decoders. In the normal build they run over the seeds in
 * src/test/resources (valid files from spec/vectors/bundle); with {@code JAZZER_FUZZ=1} they
 * fuzz. A decoder either returns a value whose encoding is exactly its input, or throws
 * {@link BundleFormatException}; nothing else.
 */
class BundleFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void validationBundle(byte[] input) {
    try {
      ValidationBundle bundle = ValidationBundle.parse(input);
      assertArrayEquals(input, bundle.toBytes());
      assertEquals(bundle, ValidationBundle.parse(bundle.toBytes()));
    } catch (BundleFormatException expected) {
      // malformed input is refused with a reason code
    }
  }

  @FuzzTest(maxDuration = "60s")
  void witnessedBundle(byte[] input) {
    try {
      WitnessedBundle witnessed = WitnessedBundle.parse(input);
      assertArrayEquals(input, witnessed.toBytes());
      assertArrayEquals(witnessed.bundleBytes(), witnessed.bundle().toBytes());
    } catch (BundleFormatException expected) {
      // malformed input is refused with a reason code
    }
  }
}
