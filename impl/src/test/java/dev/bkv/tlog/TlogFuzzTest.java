package dev.bkv.tlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bkv.crypto.Ed25519;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Jazzer fuzz targets for every decoder in this package. In the normal build they run in
 * regression mode over the seeds in src/test/resources (and an empty input); with
 * {@code JAZZER_FUZZ=1} they fuzz. The property is the same everywhere: a decoder either
 * returns a value that re-encodes to something it decodes to the same value, or throws
 * {@link FormatException}; nothing else, and verifiers given the result return a verdict.
 */
class TlogFuzzTest {
  private static final Ed25519Note.Signer KEY =
      new Ed25519Note.Signer("fuzz.example/log", Ed25519.PrivateKey.fromSeed(new byte[32]));
  private static final VerifierSet KEYS = VerifierSet.of(KEY.verifier());

  @FuzzTest(maxDuration = "60s")
  void signedNote(byte[] input) {
    try {
      SignedNote note = SignedNote.parse(input);
      assertEquals(note, SignedNote.parse(note.toBytes()));
      assertNotNull(note.open(KEYS));
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  @FuzzTest(maxDuration = "60s")
  void checkpoint(byte[] input) {
    try {
      Checkpoint checkpoint = Checkpoint.parse(new String(input, StandardCharsets.UTF_8));
      assertEquals(checkpoint, Checkpoint.parse(checkpoint.text()));
      SignedNote signed = SignedNote.sign(checkpoint.text(), List.of(KEY));
      assertEquals(true, CheckpointPolicy.logOnly(checkpoint.origin(), KEY.verifier()).verify(signed).isVerified());
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  @FuzzTest(maxDuration = "60s")
  void tlogProof(byte[] input) {
    try {
      TlogProof proof = TlogProof.parse(input);
      TlogProof again = TlogProof.parse(proof.toBytes());
      assertEquals(proof.index(), again.index());
      assertEquals(proof.proof(), again.proof());
      assertEquals(proof.checkpoint(), again.checkpoint());
      assertNotNull(proof.verify(Rfc6962.leafHash(input), CheckpointPolicy.logOnly("fuzz.example/log", KEY.verifier())));
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  @FuzzTest(maxDuration = "60s")
  void verifierKey(byte[] input) {
    try {
      NoteVerifier key = NoteKeys.parseVerifierKey(new String(input, StandardCharsets.UTF_8));
      assertEquals(key.vkey(), NoteKeys.parseVerifierKey(key.vkey()).vkey());
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  @FuzzTest(maxDuration = "60s")
  void tilePathAndEntryBundle(byte[] input) {
    try {
      TilePath path = TilePath.parse(new String(input, StandardCharsets.UTF_8));
      assertEquals(path, TilePath.parse(path.format()));
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
    int count = input.length == 0 ? 1 : 1 + (input[0] & 0xff);
    try {
      List<byte[]> entries = Tiles.decodeEntryBundle(input, count);
      assertArrayEquals(input, Tiles.encodeEntryBundle(entries));
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  @FuzzTest(maxDuration = "60s")
  void proofsFromFuzzedHashes(byte[] input) {
    // Any sizes and any hashes: the verifiers return a verdict and never throw.
    long a = input.length > 8 ? java.nio.ByteBuffer.wrap(input, 0, 8).getLong() : input.length;
    long b = input.length > 16 ? java.nio.ByteBuffer.wrap(input, 8, 8).getLong() : 2L * input.length;
    List<Hash> hashes = new java.util.ArrayList<>();
    for (int at = 16; at + Hash.BYTES <= input.length && hashes.size() < 70; at += Hash.BYTES) {
      hashes.add(new Hash(java.util.Arrays.copyOfRange(input, at, at + Hash.BYTES)));
    }
    Hash h = Rfc6962.leafHash(input);
    assertNotNull(new InclusionProof(a, b, hashes).verify(h, h));
    assertNotNull(new ConsistencyProof(a, b, hashes).verify(h, h));
  }
}
