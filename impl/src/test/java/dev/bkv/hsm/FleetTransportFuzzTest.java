package dev.bkv.hsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bkv.crypto.DecodeException;
import dev.bkv.tlog.Verdict;

/**
 * Jazzer fuzz targets for the key-ceremony messages an HSM receives from the host: a transport
 * offer verifies to a verdict for any bytes; wrapped secrets parse to a value that re-encodes
 * to the input, or are refused with {@link DecodeException}.
 */
class FleetTransportFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void transportOffer(byte[] input) {
    Verdict<TransportOffer> verdict = TransportOffer.verify(input);
    assertNotNull(verdict);
    if (verdict.isVerified()) {
      assertArrayEquals(input, verdict.value().encode());
    }
  }

  @FuzzTest(maxDuration = "60s")
  void wrappedFleetSecrets(byte[] input) {
    try {
      assertArrayEquals(input, WrappedFleetSecrets.parse(input).encode());
    } catch (DecodeException expected) {
      // malformed input is refused naming the field
    }
  }
}
