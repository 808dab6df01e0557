package dev.bkv.hsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Bytes;
import dev.bkv.base.Hex;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.opaque.KE1;
import dev.bkv.crypto.opaque.OpaqueClient;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.storage.MemoryVaultStorage;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/**
 * LoginStart's OPAQUE context profile on the wire (spec/FORMATS.md, "Firmware messages"):
 * absent for BKV's context, so old encodings are unchanged; one byte otherwise; every other
 * byte refused with a reason naming the field.
 */
class OpaqueContextCodecTest {
  static final SecureRandom RANDOM = new SecureRandom();
  static final KE1 KE1_SAMPLE = new OpaqueClient(VaultProtocol.opaqueConfig(Phone.FAST_KSF))
      .startLogin(Password.utf8("pw"), RANDOM).ke1();

  static byte[] bkvEncoding() {
    return FirmwareCodec.encode(new FirmwareRequest.LoginStart(Phone.user("alice"), LoginPurpose.RECOVER, KE1_SAMPLE));
  }

  @Test
  void bkv_profile_is_the_encoding_without_a_profile_byte() throws Exception {
    byte[] encoded = bkvEncoding();
    assertEquals("010305616c69636502" + Hex.encode(KE1_SAMPLE.encode()), Hex.encode(encoded));
    FirmwareRequest.LoginStart decoded = assertInstanceOf(FirmwareRequest.LoginStart.class, FirmwareCodec.decodeRequest(encoded));
    assertEquals(OpaqueContext.BKV, decoded.context());
    assertArrayEquals(encoded, FirmwareCodec.encode(decoded));
  }

  @Test
  void empty_profile_round_trips_as_one_trailing_byte() throws Exception {
    FirmwareRequest.LoginStart request =
        new FirmwareRequest.LoginStart(Phone.user("alice"), LoginPurpose.RECOVER, KE1_SAMPLE, OpaqueContext.EMPTY);
    byte[] encoded = FirmwareCodec.encode(request);
    assertArrayEquals(Bytes.concat(bkvEncoding(), new byte[] {1}), encoded);
    FirmwareRequest.LoginStart decoded = assertInstanceOf(FirmwareRequest.LoginStart.class, FirmwareCodec.decodeRequest(encoded));
    assertEquals(OpaqueContext.EMPTY, decoded.context());
    assertEquals(LoginPurpose.RECOVER, decoded.purpose());
    assertArrayEquals(KE1_SAMPLE.encode(), decoded.ke1().encode());
    assertArrayEquals(encoded, FirmwareCodec.encode(decoded));
  }

  @Test
  void an_unknown_profile_is_refused_naming_it() {
    DecodeException e = assertThrows(DecodeException.class,
        () -> FirmwareCodec.decodeRequest(Bytes.concat(bkvEncoding(), new byte[] {2})));
    assertEquals("opaque_context", e.field());
    assertTrue(e.getMessage().contains("unknown OPAQUE context profile 2"), e.getMessage());
  }

  @Test
  void an_explicit_bkv_profile_byte_is_refused_so_each_request_has_one_encoding() {
    DecodeException e = assertThrows(DecodeException.class,
        () -> FirmwareCodec.decodeRequest(Bytes.concat(bkvEncoding(), new byte[] {0})));
    assertEquals("opaque_context", e.field());
    assertTrue(e.getMessage().contains("leaving the byte out"), e.getMessage());
  }

  @Test
  void bytes_after_the_profile_are_refused() {
    DecodeException e = assertThrows(DecodeException.class,
        () -> FirmwareCodec.decodeRequest(Bytes.concat(bkvEncoding(), new byte[] {1, 1})));
    assertTrue(e.getMessage().contains("trailing"), e.getMessage());
  }

  @Test
  void the_firmware_answers_an_unknown_profile_with_a_malformed_request_refusal_and_counts_nothing() throws Exception {
    VaultFirmware firmware = VaultFirmware.boot(SoftHsm.inMemory(RANDOM), new MemoryVaultStorage());
    new Phone(firmware, RANDOM).register(Phone.user("alice"), "pw", Phone.key(1), 5);
    long version = firmware.version();
    FirmwareResponse.Refused refused = assertInstanceOf(FirmwareResponse.Refused.class,
        FirmwareCodec.decodeResponse(firmware.handle(Bytes.concat(bkvEncoding(), new byte[] {9}))));
    assertEquals(FirmwareResponse.Reason.MALFORMED_REQUEST, refused.reason());
    assertTrue(refused.detail().contains("unknown OPAQUE context profile 9"), refused.detail());
    assertEquals(version, firmware.version(), "a refused request appends nothing");
  }
}
