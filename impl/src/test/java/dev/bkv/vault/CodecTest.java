package dev.bkv.vault;

import static dev.bkv.vault.VaultStateTest.ALICE;
import static dev.bkv.vault.VaultStateTest.R1;
import static dev.bkv.vault.VaultStateTest.RECORD;
import static dev.bkv.vault.VaultStateTest.key;
import static dev.bkv.vault.VaultStateTest.user;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.DecodeException;
import dev.bkv.testsupport.Guesses;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Log-entry and snapshot encodings: round trips, canonical form, and typed errors on every malformation. */
class CodecTest {
  static List<Command> everyKind() {
    return List.of(
        new Command.RegisterStore(ALICE, R1, RECORD, 10),
        new Command.RegisterExpose(ALICE, R1, key(5)),
        Guesses.fresh(ALICE),
        new Command.RecoverSucceeded(ALICE, R1),
        new Command.GuessFailed(ALICE, R1),
        new Command.Delete(ALICE, R1));
  }

  @Test
  void every_command_kind_round_trips_byte_for_byte() throws DecodeException {
    for (Command command : everyKind()) {
      byte[] encoded = CommandCodec.encode(command);
      assertTrue(encoded.length <= VaultLimits.COMMAND_BYTES_MAX);
      assertArrayEquals(encoded, CommandCodec.encode(CommandCodec.decode(encoded)), command.kind().name());
    }
  }

  @Test
  void every_truncation_and_extension_of_a_command_is_a_typed_error() {
    for (Command command : everyKind()) {
      byte[] encoded = CommandCodec.encode(command);
      for (int length = 0; length < encoded.length; length++) {
        byte[] truncated = Arrays.copyOf(encoded, length);
        assertThrows(DecodeException.class, () -> CommandCodec.decode(truncated), command.kind() + " cut at " + length);
      }
      byte[] extended = Arrays.copyOf(encoded, encoded.length + 1);
      assertThrows(DecodeException.class, () -> CommandCodec.decode(extended));
    }
  }

  @Test
  void malformed_command_fields_name_the_field() {
    byte[] store = CommandCodec.encode(new Command.RegisterStore(ALICE, R1, RECORD, 10));
    byte[] badFormat = store.clone();
    badFormat[0] = 2;
    assertEquals("command.format", field(badFormat));
    byte[] badKind = store.clone();
    badKind[1] = 99;
    assertEquals("command.kind", field(badKind));
    byte[] zeroMax = store.clone();
    zeroMax[zeroMax.length - 1] = 0;
    assertEquals("command.max_attempts", field(zeroMax));
    byte[] emptyUser = {1, 3, 0};
    assertEquals("command.user_id", field(emptyUser));
    assertEquals("command", field(new byte[VaultLimits.COMMAND_BYTES_MAX + 1]));
  }

  static String field(byte[] encoded) {
    try {
      CommandCodec.decode(encoded);
    } catch (DecodeException e) {
      return e.field();
    }
    throw new AssertionError("decoded a malformed command");
  }

  static VaultState sample() {
    VaultState vault = VaultStateTest.exposed(10);
    vault.apply(Guesses.fresh(ALICE));
    vault.apply(new Command.RegisterStore(user("bob"), R1, RECORD, 3));
    vault.apply(new Command.RegisterStore(user("carol"), R1, RECORD, 255));
    return vault;
  }

  @Test
  void snapshot_round_trips_and_keeps_every_field() throws DecodeException {
    VaultState vault = sample();
    byte[] encoded = SnapshotCodec.encode(vault);
    VaultState decoded = SnapshotCodec.decode(encoded);
    assertArrayEquals(encoded, SnapshotCodec.encode(decoded));
    assertEquals(vault.status(ALICE), decoded.status(ALICE));
    assertEquals(3, decoded.recordCount());
    Response.Recovered recovered = (Response.Recovered) decoded.apply(new Command.RecoverSucceeded(ALICE, R1));
    assertArrayEquals(key(42).toBytes(), recovered.backupKey().toBytes());
  }

  @Test
  void every_truncation_of_a_snapshot_is_a_typed_error() {
    byte[] encoded = SnapshotCodec.encode(sample());
    for (int length = 0; length < encoded.length; length++) {
      byte[] truncated = Arrays.copyOf(encoded, length);
      assertThrows(DecodeException.class, () -> SnapshotCodec.decode(truncated), "cut at " + length);
    }
    assertThrows(DecodeException.class, () -> SnapshotCodec.decode(Arrays.copyOf(encoded, encoded.length + 1)));
  }

  @Test
  void snapshot_rejects_non_canonical_or_inconsistent_content() {
    VaultState one = new VaultState();
    one.apply(new Command.RegisterStore(ALICE, R1, RECORD, 3));
    byte[] single = SnapshotCodec.encode(one);
    // Header: format(1) count(4); record: len(1) "alice"(5) id(16) len(2) record(129) max used phase.
    int maxAt = 1 + 4 + 1 + 5 + 16 + 2 + RECORD.length;
    byte[] usedOverMax = single.clone();
    usedOverMax[maxAt + 1] = 4;
    assertEquals("snapshot.guesses_used", snapshotField(usedOverMax));
    byte[] badPhase = single.clone();
    badPhase[maxAt + 2] = 9;
    assertEquals("snapshot.phase", snapshotField(badPhase));
    byte[] tooMany = single.clone();
    tooMany[1] = 0x7f;
    assertEquals("snapshot.count", snapshotField(tooMany));
    // The same record twice: not strictly increasing.
    byte[] body = Arrays.copyOfRange(single, 5, single.length);
    byte[] twice = new Wire.Writer().u8(1).u32(2).fixed(body).fixed(body).toBytes();
    assertEquals("snapshot.user_id", snapshotField(twice));
  }

  static String snapshotField(byte[] encoded) {
    try {
      SnapshotCodec.decode(encoded);
    } catch (DecodeException e) {
      return e.field();
    }
    throw new AssertionError("decoded a malformed snapshot");
  }
}
