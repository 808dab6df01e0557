package dev.bkv.fleet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Jazzer fuzz targets for the fleet config and transcript parsers: exact re-encoding, or {@link FleetFormatException}. */
class FleetFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void fleetConfig(byte[] input) {
    try {
      assertArrayEquals(input, FleetConfig.parse(input).textBytes());
    } catch (FleetFormatException expected) {
      // malformed input is refused with a reason
    }
  }

  @FuzzTest(maxDuration = "60s")
  void transcript(byte[] input) {
    try {
      assertArrayEquals(input, CeremonyTranscript.parse(input).bytes());
    } catch (FleetFormatException expected) {
      // malformed input is refused with a reason
    }
  }
}
