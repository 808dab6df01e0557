package dev.bkv.tlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.testsupport.Vectors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every signed note in signed-note/notes (real sum.golang.org, Rekor v2, static-ct and Sigsum
 * checkpoints, some with real witness cosignatures): each listed vkey verifies its note, and
 * copies tampered in the body, in that key's signature, or with a line dropped do not. The
 * ML-DSA-44 key is counted as "unsupported algorithm, ignored", as C2SP allows.
 */
class SignedNoteVectorsTest {
  private static final String DIR = "signed-note/notes";

  @Test
  void whenEachListedKeyOpensItsNote_thenItVerifiesAndTamperedCopiesDoNot() throws Exception {
    Path dir = Vectors.require(DIR);
    int notes = 0;
    int keysVerified = 0;
    int unsupported = 0;
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".note")).sorted().toList();
    }
    for (Path notePath : files) {
      String name = notePath.getFileName().toString().replace(".note", "");
      byte[] bytes = Files.readAllBytes(notePath);
      VerifierSet keys = VerifierSet.parseVkeys(Files.readString(dir.resolve(name + ".vkeys")));
      int passed = 0;
      int rejected = 0;
      int total = 0;

      SignedNote note = SignedNote.parse(bytes);
      total++;
      assertArrayEquals(bytes, note.toBytes(), name + ": format(parse(note)) is the note");
      passed++;
      boolean isCheckpoint = isCheckpoint(note.text());
      if (isCheckpoint) {
        total++;
        assertEquals(note.text(), Checkpoint.parse(note.text()).text(), name + ": checkpoint round trip");
        passed++;
      }
      for (NoteVerifier key : keys.verifiers()) {
        VerifierSet one = VerifierSet.of(key);
        Verdict<OpenedNote> opened = note.open(one);
        total++;
        if (!key.supported()) {
          assertFalse(opened.isVerified(), name + ": " + key.vkey());
          assertEquals(1, countSignatures(note, key), name + ": the unsupported signature is present");
          System.out.printf("[vectors] %s/%s: key type 0x%02x: unsupported algorithm, ignored%n", DIR, name, key.type());
          unsupported++;
          passed++;
          continue;
        }
        assertTrue(opened.isVerified(), name + ": " + key.vkey() + ": " + opened.reasonOrEmpty());
        assertTrue(opened.value().verifiedBy(key.keyName(), key.keyId()));
        passed++;
        keysVerified++;
        for (byte[] tampered : tamperedCopies(bytes, note, key)) {
          total++;
          assertFalse(SignedNote.open(tampered, one).isVerified(), name + ": tampered copy rejected");
          passed++;
          rejected++;
        }
      }
      Verdict<OpenedNote> all = note.open(keys);
      total++;
      assertEquals(keys.verifiers().stream().anyMatch(NoteVerifier::supported), all.isVerified(), name + ": all keys");
      passed++;
      Vectors.report(DIR + "/" + name + ".note", passed, rejected, total);
      notes++;
    }
    assertEquals(16, notes, "every note in the directory was checked");
    assertEquals(21, keysVerified, "every supported listed key verified its note");
    assertEquals(1, unsupported, "exactly the ML-DSA-44 key is unsupported");
  }

  @Test
  void whenTheUnverifiableCosignatureExampleIsParsed_thenItIsAWellFormedCheckpoint() throws Exception {
    String file = "signed-note/c2sp-tlog-cosignature-example-UNVERIFIABLE.note";
    byte[] bytes = Files.readAllBytes(Vectors.require(file));
    SignedNote note = SignedNote.parse(bytes);
    assertArrayEquals(bytes, note.toBytes());
    Checkpoint checkpoint = Checkpoint.parse(note.text());
    assertEquals("example.com/behind-the-sofa", checkpoint.origin());
    assertEquals(20852163, checkpoint.size());
    assertEquals(2, note.signatures().size());
    assertEquals(CosignatureV1.SIGNATURE_BYTES, note.signatures().get(1).signature().length);
    Vectors.report(file, 1, 0, 1);
  }

  /** Body byte flipped, this key's signature byte flipped, a text line dropped, its signature line dropped. */
  private static List<byte[]> tamperedCopies(byte[] bytes, SignedNote note, NoteVerifier key) {
    List<byte[]> copies = new ArrayList<>();
    String text = note.text();
    int at = firstAlphanumeric(text);
    String flipped = text.substring(0, at) + (char) (text.charAt(at) ^ 1) + text.substring(at + 1);
    copies.add(new SignedNote(flipped, note.signatures()).toBytes());

    List<NoteSignature> sigs = new ArrayList<>(note.signatures());
    List<NoteSignature> withoutKey = new ArrayList<>();
    for (int i = 0; i < sigs.size(); i++) {
      NoteSignature s = sigs.get(i);
      if (s.keyName().equals(key.keyName()) && s.keyId() == key.keyId()) {
        byte[] sig = s.signature();
        sig[sig.length - 1] ^= 0x01;
        List<NoteSignature> badSig = new ArrayList<>(sigs);
        badSig.set(i, new NoteSignature(s.keyName(), s.keyId(), sig));
        copies.add(new SignedNote(text, badSig).toBytes());
      } else {
        withoutKey.add(s);
      }
    }
    String[] lines = text.split("\n");
    String dropped = String.join("\n", java.util.Arrays.copyOf(lines, lines.length - 1)) + "\n";
    copies.add(new SignedNote(dropped, note.signatures()).toBytes());
    if (!withoutKey.isEmpty()) {
      copies.add(new SignedNote(text, withoutKey).toBytes());
    } else {
      copies.add(text.getBytes(StandardCharsets.UTF_8)); // the note without any signature line
    }
    assertTrue(copies.size() >= 4);
    return copies;
  }

  private static int firstAlphanumeric(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.isLetterOrDigit(text.charAt(i)) && text.charAt(i) < 0x7f) {
        return i;
      }
    }
    throw new AssertionError("note text has no ASCII letter or digit");
  }

  private static int countSignatures(SignedNote note, NoteVerifier key) {
    return (int) note.signatures().stream()
        .filter(s -> s.keyName().equals(key.keyName()) && s.keyId() == key.keyId())
        .count();
  }

  private static boolean isCheckpoint(String text) {
    try {
      Checkpoint.parse(text);
      return true;
    } catch (FormatException e) {
      return false;
    }
  }
}
