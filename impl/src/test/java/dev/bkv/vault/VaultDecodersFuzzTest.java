package dev.bkv.vault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bkv.crypto.DecodeException;

/**
 * Jazzer fuzz targets for the vault's decoders (log entries and snapshots): each input
 * decodes to a value whose encoding is the input, or is a {@link DecodeException}; any other
 * exception is a finding. The normal build runs the seeds in
 * {@code src/test/resources/dev/bkv/vault/VaultDecodersFuzzTestInputs/<target>/}; to fuzz for
 * real: {@code JAZZER_FUZZ=1 mvn -o -pl impl test -Dtest='VaultDecodersFuzzTest#command'
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class VaultDecodersFuzzTest {
  @FuzzTest
  void command(byte[] input) {
    try {
      assertArrayEquals(input, CommandCodec.encode(CommandCodec.decode(input)), "only canonical encodings decode");
    } catch (DecodeException e) {
      assertTrue(e.field().startsWith("command") || e.field().equals("registration_id"), e.field());
    }
  }

  @FuzzTest
  void snapshot(byte[] input) {
    try {
      VaultState state = SnapshotCodec.decode(input);
      assertArrayEquals(input, SnapshotCodec.encode(state), "only canonical encodings decode");
    } catch (DecodeException e) {
      assertTrue(e.field().startsWith("snapshot") || e.field().equals("registration_id") || e.field().equals("user id"), e.field());
    }
  }
}
