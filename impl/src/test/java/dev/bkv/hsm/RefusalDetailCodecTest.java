package dev.bkv.hsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bkv.crypto.DecodeException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Goal: a refusal's detail text decodes only from valid UTF-8, so a response decodes only from
 * its own encoding. Method: the fuzzer's input (a detail with a lone 0x8f byte, which a lenient
 * decoder turned into U+FFFD and re-encoded two bytes longer) is refused naming the field, and
 * a detail with multi-byte characters still round-trips.
 */
class RefusalDetailCodecTest {
  @Test
  void whenTheDetailIsNotUtf8_thenTheResponseIsRefusedNamingIt() throws DecodeException {
    byte[] valid = FirmwareCodec.encode(new FirmwareResponse.Refused(FirmwareResponse.Reason.UNKNOWN_LOGIN, "login is not pending"));
    byte[] lone = valid.clone();
    int at = indexOf(lone, (byte) 'n', 0); // the first 'n' of the detail
    lone[at] = (byte) 0x8f;
    DecodeException e = assertThrows(DecodeException.class, () -> FirmwareCodec.decodeResponse(lone));
    assertEquals("refusal.detail", e.field());
    assertArrayEquals(valid, FirmwareCodec.encode(FirmwareCodec.decodeResponse(valid)));
  }

  @Test
  void whenTheDetailHasMultiByteCharacters_thenItRoundTrips() throws DecodeException {
    byte[] encoded = FirmwareCodec.encode(new FirmwareResponse.Refused(FirmwareResponse.Reason.TRY_AGAIN, "réessayer — 再試行"));
    FirmwareResponse decoded = FirmwareCodec.decodeResponse(encoded);
    assertEquals("réessayer — 再試行", ((FirmwareResponse.Refused) decoded).detail());
    assertArrayEquals(encoded, FirmwareCodec.encode(decoded));
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    throw new AssertionError(Arrays.toString(bytes));
  }
}
