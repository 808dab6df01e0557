package dev.bkv.tlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.Ed25519;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Negative cases for the C2SP text formats, one rule each: every decoder rejects what the
 * spec forbids (with a reason), and the note and checkpoint verifiers reject each way a
 * signature set can fail.
 */
class NoteFormatsTest {
  private static final Ed25519Note.Signer LOG = signer("example.com/log", 1);
  private static final Ed25519Note.Signer OTHER = signer("example.com/other", 2);
  private static final CosignatureV1.Signer WITNESS =
      new CosignatureV1.Signer("witness.example", Ed25519.PrivateKey.fromSeed(seed(3)));
  private static final String TEXT = "example.com/log\n3\n" + Rfc6962.EMPTY_ROOT.toBase64() + "\n";

  @Test
  void whenANoteIsMalformed_thenParsingNamesTheProblem() {
    String sig = SignedNote.sign(TEXT, List.of(LOG)).signatures().get(0).toLine();
    assertMalformed("no blank line", TEXT + sig + "\n");
    assertMalformed("control character", TEXT.replace("3", "\t") + "\n" + sig + "\n");
    assertMalformed("signatures must be", TEXT + "\n");
    assertMalformed("signatures must be", TEXT + "\n" + sig);
    assertMalformed("em dash", TEXT + "\n- " + sig.substring(2) + "\n");
    assertMalformed("invalid key name", TEXT + "\n\u2014 a+b AAAAAAAA\n");
    assertMalformed("no space", TEXT + "\n\u2014 name\n");
    assertMalformed("padded base64", TEXT + "\n\u2014 name AAAAAAA\n");
    assertMalformed("bytes with its key ID", TEXT + "\n\u2014 name AAAA\n");
    assertMalformed("more than 32", TEXT + "\n" + (sig + "\n").repeat(33));
    byte[] badUtf8 = (TEXT + "\n" + sig + "\n").getBytes(StandardCharsets.UTF_8);
    badUtf8[0] = (byte) 0xc0;
    assertThrows(FormatException.class, () -> SignedNote.parse(badUtf8));
    byte[] tooLong = new byte[SignedNote.NOTE_BYTES_MAX + 1];
    FormatException e = assertThrows(FormatException.class, () -> SignedNote.parse(tooLong));
    assertTrue(e.getMessage().contains("more than"), e.getMessage());
  }

  @Test
  void whenSignaturesAreOpened_thenTheC2spRulesDecide() {
    SignedNote both = SignedNote.sign(TEXT, List.of(LOG, OTHER));
    assertTrue(both.open(VerifierSet.of(LOG.verifier())).isVerified(), "the unknown key is ignored");
    Verdict<OpenedNote> onlyUnknown = both.open(VerifierSet.of(signer("example.com/third", 9).verifier()));
    assertTrue(onlyUnknown.reasonOrEmpty().contains("no signature by a trusted key"), onlyUnknown.reasonOrEmpty());

    List<NoteSignature> sigs = new ArrayList<>(both.signatures());
    byte[] broken = sigs.get(1).signature();
    broken[0] ^= 1;
    sigs.set(1, new NoteSignature(OTHER.keyName(), OTHER.keyId(), broken));
    SignedNote oneBad = new SignedNote(TEXT, sigs);
    Verdict<OpenedNote> rejected = oneBad.open(VerifierSet.of(LOG.verifier(), OTHER.verifier()));
    assertTrue(rejected.reasonOrEmpty().contains("invalid signature by known key example.com/other"), rejected.reasonOrEmpty());

    NoteSignature sameNameOtherId = new NoteSignature(LOG.keyName(), LOG.keyId() ^ 1, broken);
    NoteSignature sameIdOtherName = new NoteSignature("example.com/impostor", LOG.keyId(), broken);
    SignedNote withLookalikes = both.withSignatures(List.of(sameNameOtherId, sameIdOtherName));
    Verdict<OpenedNote> opened = withLookalikes.open(VerifierSet.of(LOG.verifier()));
    assertTrue(opened.isVerified(), "name-only and ID-only matches are ignored: " + opened.reasonOrEmpty());
    assertEquals(3, opened.value().unknownSignatures());

    SignedNote twice = both.withSignatures(List.of(both.signatures().get(0)));
    assertEquals(1, twice.open(VerifierSet.of(LOG.verifier())).value().verified().size(), "a key counts once");
  }

  @Test
  void whenACheckpointIsMalformed_thenParsingNamesTheLine() {
    String root = Rfc6962.EMPTY_ROOT.toBase64();
    String shortRoot = Base64Text.encode(new byte[31]);
    String nonCanonical = root.substring(0, root.length() - 2) + "V=";
    for (String[] c : new String[][] {
        {"o\n03\n" + root + "\n", "leading zero"}, {"o\n-3\n" + root + "\n", "decimal digits"},
        {"o\n99999999999999999999\n" + root + "\n", "1 to 19"}, {"o\n9223372036854775808\n" + root + "\n", "2^63"},
        {"o\n3\n" + shortRoot + "\n", "32 bytes"}, {"o\n3\n" + nonCanonical + "\n", "canonical"},
        {"\n3\n" + root + "\n", "origin"}, {"o\n3\n" + root + "\n\n", "extension line"},
        {"o\n3\n" + root + "\n" + "x\n".repeat(17), "extension lines"}, {"o\n3\n" + root, "newline"},
        {"o\n3\n", "origin, size and root"}}) {
      FormatException e = assertThrows(FormatException.class, () -> Checkpoint.parse(c[0]), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[1] + " / " + e.getMessage());
    }
  }

  @Test
  void whenKeysAreMalformed_thenTheyAreRejectedWithTheReason() throws FormatException {
    String good = LOG.verifier().vkey();
    String[] parts = good.split("\\+", 3);
    assertEquals(good, assertDoesNotThrowKey(good).vkey());
    assertKeyRejected(parts[0] + "+" + parts[1].toUpperCase() + "+" + parts[2], "lower-case hex");
    int wrongId = (int) Long.parseLong(parts[1], 16) ^ 1;
    assertKeyRejected(parts[0] + "+" + NoteKeys.hexId(wrongId) + "+" + parts[2], "does not match");
    assertKeyRejected("example.com/other+" + parts[1] + "+" + parts[2], "does not match");
    assertKeyRejected(parts[0] + "+" + parts[1] + "+" + Base64Text.encode(new byte[] {1, 2, 3}), "32 key bytes");
    assertKeyRejected(parts[0] + "+" + parts[1], "name+keyid+key");
    assertKeyRejected("na me+" + parts[1] + "+" + parts[2], "invalid key name");
    assertKeyRejected(parts[0] + "+" + parts[1] + "+" + "A".repeat(NoteKeys.VKEY_CHARS_MAX), "longer than");
    assertThrows(FormatException.class, () -> NoteKeys.parseCosigner(LOG.skey()), "an 0x01 skey is not a cosigner");
    assertFalse(NoteKeys.parseVerifierKey("x+00000000+BQAB").supported(), "type 0x05 is recognised, unsupported");
  }

  @Test
  void whenCosignaturesAreChecked_thenTimestampLengthAndNameMatter() throws FormatException {
    SignedNote logSigned = SignedNote.sign(TEXT, List.of(LOG));
    NoteSignature cosig = WITNESS.cosign(logSigned.textBytes(), 1_700_000_000L);
    assertTrue(WITNESS.verifier().verify(logSigned.textBytes(), cosig.signature()).isPresent());
    byte[] topBit = cosig.signature();
    topBit[0] |= (byte) 0x80;
    assertFalse(WITNESS.verifier().verify(logSigned.textBytes(), topBit).isPresent(), "timestamp >= 2^63");
    byte[] otherTime = cosig.signature();
    otherTime[7] ^= 1;
    assertFalse(WITNESS.verifier().verify(logSigned.textBytes(), otherTime).isPresent(), "timestamp is signed");
    byte[] shortSig = java.util.Arrays.copyOf(cosig.signature(), 71);
    assertFalse(WITNESS.verifier().verify(logSigned.textBytes(), shortSig).isPresent());
    assertThrows(IllegalArgumentException.class, () -> CosignatureV1.signedMessage(new byte[0], -1));
    NoteVerifier sameKeyOtherName = new CosignatureV1.Verifier("witness.example/2", WITNESS.verifier().publicKey());
    assertTrue(sameKeyOtherName.keyId() != WITNESS.verifier().keyId(), "the key ID commits to the name");
    assertFalse(new Ed25519Note.Verifier(WITNESS.keyName(), WITNESS.verifier().publicKey()).keyId()
        == WITNESS.verifier().keyId(), "and to the type byte");
  }

  @Test
  void whenAPolicyChecksACheckpoint_thenOriginLogKeyAndKOfNWitnessesAreRequired() {
    CosignatureV1.Signer second = new CosignatureV1.Signer("witness2.example", Ed25519.PrivateKey.fromSeed(seed(4)));
    SignedNote logSigned = SignedNote.sign(TEXT, List.of(LOG));
    NoteSignature c1 = WITNESS.cosign(logSigned.textBytes(), 1);
    SignedNote oneCosig = logSigned.withSignatures(List.of(c1, c1));
    VerifierSet witnesses = VerifierSet.of(WITNESS.verifier(), second.verifier());
    CheckpointPolicy twoOfTwo = new CheckpointPolicy("example.com/log", VerifierSet.of(LOG.verifier()), witnesses, 2);
    Verdict<VerifiedCheckpoint> v = twoOfTwo.verify(oneCosig);
    assertTrue(v.reasonOrEmpty().contains("1 trusted cosignatures, policy needs 2"), "duplicates count once: " + v.reasonOrEmpty());
    SignedNote both = oneCosig.withSignatures(List.of(second.cosign(logSigned.textBytes(), 2)));
    assertTrue(twoOfTwo.verify(both).isVerified());
    CheckpointPolicy wrongOrigin = new CheckpointPolicy("example.com/elsewhere", VerifierSet.of(LOG.verifier()), witnesses, 0);
    assertTrue(wrongOrigin.verify(both).reasonOrEmpty().contains("origin"));
    SignedNote witnessOnly = new SignedNote(TEXT, List.of(c1));
    assertTrue(twoOfTwo.verify(witnessOnly).reasonOrEmpty().contains("no signature by a trusted key")
        || twoOfTwo.verify(witnessOnly).reasonOrEmpty().contains("not signed by the log key"));
    CheckpointPolicy zero = new CheckpointPolicy("example.com/log", VerifierSet.of(LOG.verifier()), witnesses, 0);
    assertTrue(zero.verify(witnessOnly).reasonOrEmpty().contains("not signed by the log key"));
    assertThrows(IllegalArgumentException.class,
        () -> new CheckpointPolicy("o", VerifierSet.of(LOG.verifier()), witnesses, 3), "k > n");
    assertThrows(IllegalArgumentException.class, () -> new CheckpointPolicy("o", VerifierSet.of(), witnesses, 0));
  }

  @Test
  void whenVerdictsAreBuilt_thenRejectionsAlwaysSayWhy() {
    assertThrows(IllegalArgumentException.class, () -> Verdict.rejected(""));
    assertThrows(IllegalArgumentException.class, () -> Verdict.verified(null));
    Verdict<Integer> one = Verdict.verified(1);
    assertEquals(2, one.then(x -> Verdict.verified(x + 1)).value());
    Verdict<Integer> no = Verdict.rejected("because");
    assertEquals("ctx: because", no.context("ctx").reasonOrEmpty());
    assertEquals("because", no.then(x -> Verdict.verified(x + 1)).reasonOrEmpty());
    assertThrows(IllegalStateException.class, no::value);
  }

  @Test
  void whenProofEdgeCasesAreChecked_thenEachIsDecidedAsDocumented() {
    Hash empty = Rfc6962.EMPTY_ROOT;
    Hash leaf = Rfc6962.leafHash(new byte[] {1});
    assertTrue(new ConsistencyProof(0, 0, List.of()).verify(empty, empty).isVerified(), "0 -> 0 with empty roots");
    assertFalse(new ConsistencyProof(0, 0, List.of()).verify(leaf, leaf).isVerified(), "size 0 needs the empty root");
    assertTrue(new ConsistencyProof(0, 5, List.of()).verify(empty, leaf).reasonOrEmpty().contains("empty tree"));
    assertTrue(new ConsistencyProof(5, 4, List.of()).verify(leaf, leaf).reasonOrEmpty().contains("larger"));
    assertTrue(new ConsistencyProof(3, 3, List.of(leaf)).verify(leaf, leaf).reasonOrEmpty().contains("empty proof"));
    assertTrue(new ConsistencyProof(3, 3, List.of()).verify(leaf, empty).reasonOrEmpty().contains("different root"));
    assertTrue(new ConsistencyProof(-1, 3, List.of()).verify(leaf, empty).reasonOrEmpty().contains("negative"));
    assertTrue(new InclusionProof(0, 0, List.of()).verify(leaf, empty).reasonOrEmpty().contains("not below"));
    assertTrue(new InclusionProof(-1, 4, List.of()).verify(leaf, empty).reasonOrEmpty().contains("not below"));
    assertTrue(new InclusionProof(0, 4, List.of(leaf)).verify(leaf, empty).reasonOrEmpty().contains("needs 2"));
    assertEquals(63, InclusionProof.expectedLength(0, Long.MAX_VALUE));
    assertTrue(ConsistencyProof.expectedLength(1, Long.MAX_VALUE) <= ConsistencyProof.HASHES_MAX);
    assertTrue(ConsistencyProof.expectedLength((1L << 62) + 1, Long.MAX_VALUE) <= ConsistencyProof.HASHES_MAX);
  }

  private static void assertMalformed(String reason, String note) {
    FormatException e = assertThrows(FormatException.class, () -> SignedNote.parse(note.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains(reason), reason + " / " + e.getMessage());
  }

  private static NoteVerifier assertDoesNotThrowKey(String vkey) {
    try {
      return NoteKeys.parseVerifierKey(vkey);
    } catch (FormatException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertKeyRejected(String vkey, String reason) {
    FormatException e = assertThrows(FormatException.class, () -> NoteKeys.parseVerifierKey(vkey), vkey);
    assertTrue(e.getMessage().contains(reason), reason + " / " + e.getMessage());
  }

  private static Ed25519Note.Signer signer(String name, int seed) {
    return new Ed25519Note.Signer(name, Ed25519.PrivateKey.fromSeed(seed(seed)));
  }

  private static byte[] seed(int b) {
    byte[] s = new byte[32];
    s[0] = (byte) b;
    return s;
  }
}
