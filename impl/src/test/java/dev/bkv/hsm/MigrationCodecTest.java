package dev.bkv.hsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.DecodeException;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The fleet-rotation firmware messages encode canonically, decode strictly and keep their named limits. */
class MigrationCodecTest {
  static UserId user(String name) throws DecodeException {
    return UserId.ofUtf8(name);
  }

  static byte[] filled(int length, int value) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }

  @Test
  void requestsRoundTripAtTheirLimits() throws DecodeException {
    List<FirmwareRequest> requests = List.of(
        new FirmwareRequest.MigrateOut(user("alice"), filled(FirmwareCodec.MIGRATION_BUNDLE_BYTES_MAX, 'a'),
            filled(FirmwareCodec.MIGRATION_BUNDLE_BYTES_MAX, 'b')),
        new FirmwareRequest.MigrateIn(filled(FirmwareCodec.MIGRATION_EXPORT_BYTES_MAX, 1)),
        new FirmwareRequest.ListUsers(Optional.empty(), FirmwareCodec.LIST_USERS_MAX),
        new FirmwareRequest.ListUsers(Optional.of(user("bob")), 1));
    for (FirmwareRequest r : requests) {
      byte[] encoded = FirmwareCodec.encode(r);
      assertTrue(encoded.length <= FirmwareCodec.REQUEST_BYTES_MAX, r.kind() + " " + encoded.length);
      assertArrayEquals(encoded, FirmwareCodec.encode(FirmwareCodec.decodeRequest(encoded)), r.kind().toString());
      assertThrows(DecodeException.class, () -> FirmwareCodec.decodeRequest(Arrays.copyOf(encoded, encoded.length + 1)));
    }
  }

  @Test
  void onlyMigrateOutMayExceedTheClientRequestLimit() throws DecodeException {
    byte[] status = FirmwareCodec.encode(new FirmwareRequest.Status(user("alice")));
    byte[] padded = Arrays.copyOf(status, FirmwareCodec.CLIENT_REQUEST_BYTES_MAX + 1);
    DecodeException e = assertThrows(DecodeException.class, () -> FirmwareCodec.decodeRequest(padded));
    assertTrue(e.getMessage().contains("CLIENT_REQUEST_BYTES_MAX"), e.getMessage());
    byte[] listZero = FirmwareCodec.encode(new FirmwareRequest.ListUsers(Optional.empty(), 1));
    listZero[listZero.length - 1] = 0;
    assertThrows(DecodeException.class, () -> FirmwareCodec.decodeRequest(listZero));
    byte[] bundleTooLong = FirmwareCodec.encode(new FirmwareRequest.MigrateOut(user("a"), new byte[] {1}, new byte[] {2}));
    bundleTooLong[4] = 0x7f; // the target bundle's u32 length
    assertThrows(DecodeException.class, () -> FirmwareCodec.decodeRequest(bundleTooLong));
  }

  @Test
  void responsesRoundTripAndUserPagesAreCanonical() throws DecodeException {
    List<UserId> page = new ArrayList<>();
    for (int i = 0; i < FirmwareCodec.LIST_USERS_MAX; i++) {
      byte[] id = filled(64, 'x');
      id[63] = (byte) i;
      page.add(UserId.of(id));
    }
    List<FirmwareResponse> responses = List.of(
        new FirmwareResponse.Migrated(filled(FirmwareCodec.MIGRATION_EXPORT_BYTES_MAX, 9)),
        new FirmwareResponse.Imported(user("alice"), new RegistrationId(filled(16, 1)), 3, 10),
        new FirmwareResponse.Users(page, true),
        new FirmwareResponse.Users(List.of(), false),
        new FirmwareResponse.Refused(FirmwareResponse.Reason.IMPORT_REFUSED, "replayed"));
    for (FirmwareResponse r : responses) {
      byte[] encoded = FirmwareCodec.encode(r);
      assertTrue(encoded.length <= FirmwareCodec.RESPONSE_BYTES_MAX, r.kind() + " " + encoded.length);
      assertArrayEquals(encoded, FirmwareCodec.encode(FirmwareCodec.decodeResponse(encoded)), r.kind().toString());
    }
    byte[] unordered = FirmwareCodec.encode(new FirmwareResponse.Users(List.of(user("b"), user("a")), false));
    assertThrows(DecodeException.class, () -> FirmwareCodec.decodeResponse(unordered));
    byte[] overUsed = FirmwareCodec.encode(new FirmwareResponse.Imported(user("a"), new RegistrationId(filled(16, 1)), 3, 3));
    overUsed[overUsed.length - 2] = 4;
    assertThrows(DecodeException.class, () -> FirmwareCodec.decodeResponse(overUsed));
  }
}
