package dev.bkv.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.Ed25519;
import dev.bkv.storage.StorageException;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.Rfc6962;
import dev.bkv.tlog.SignedNote;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's durable trust state: exact round trip, atomic replace, and refusal of damaged files. */
class TrustStateTest {
  @TempDir Path temp;

  static TrustState sample(long epoch) {
    Ed25519Note.Signer log = new Ed25519Note.Signer("w.test/bundles", Ed25519.PrivateKey.generate(new SecureRandom()));
    SignedNote note = SignedNote.sign(new Checkpoint("w.test/bundles", 3, Rfc6962.EMPTY_ROOT).text(), List.of(log));
    return new TrustState(epoch, ("bundle of epoch " + epoch + "\n").getBytes(StandardCharsets.UTF_8), note);
  }

  @Test
  void whenStoredThenLoaded_thenEveryFieldComesBack() throws Exception {
    Path file = temp.resolve("trust");
    assertTrue(TrustState.load(file).isEmpty());
    TrustState first = sample(1);
    first.store(file);
    TrustState second = sample(2);
    second.store(file);
    TrustState loaded = TrustState.load(file).orElseThrow();
    assertEquals(2, loaded.epoch());
    assertArrayEquals(second.acceptedBundle(), loaded.acceptedBundle());
    assertEquals(second.checkpoint().format(), loaded.checkpoint().format());
    assertArrayEquals(second.toBytes(), loaded.toBytes());
    assertTrue(Files.notExists(temp.resolve("trust.tmp")));
  }

  @Test
  void whenTheFileIsDamaged_thenLoadingNamesWhatIsWrong() throws Exception {
    String good = new String(sample(1).toBytes(), StandardCharsets.UTF_8);
    assertParse("must start with", good.replace(TrustState.HEADER, "bkv.dev/fleet-trust@v0"));
    assertParse("'epoch ...'", good.replace("epoch 1", "epoch: 1"));
    assertParse("not base64", good.replaceFirst("bundle \\S+", "bundle !!"));
    assertParse("must be 1 to", good.replaceFirst("bundle \\S+", "bundle "));
    assertParse("header says", good + "x");
    assertParse("truncated", good.substring(0, 30));
    Path file = temp.resolve("trust");
    Files.writeString(file, good.substring(0, good.length() - 2));
    StorageException e = assertThrows(StorageException.class, () -> TrustState.load(file));
    assertEquals(StorageException.Kind.CORRUPT, e.kind());
  }

  static void assertParse(String messagePart, String text) {
    FormatException e = assertThrows(FormatException.class, () -> TrustState.parse(text.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains(messagePart), e.getMessage());
  }
}
