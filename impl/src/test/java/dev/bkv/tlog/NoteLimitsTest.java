package dev.bkv.tlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.Ed25519;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The limits of the signed-note, key and checkpoint formats at exactly the bound (accepted)
 * and one past it (refused), and which rule a decoder reports: every count, length and
 * character class the parsers check, one by one.
 */
class NoteLimitsTest {
  static final Ed25519Note.Signer LOG = new Ed25519Note.Signer("example.com/log", Ed25519.PrivateKey.fromSeed(seed(1)));
  static final CosignatureV1.Signer WITNESS =
      new CosignatureV1.Signer("witness.example", Ed25519.PrivateKey.fromSeed(seed(3)));
  static final String ROOT = Rfc6962.EMPTY_ROOT.toBase64();
  static final String TEXT = "example.com/log\n3\n" + ROOT + "\n";

  static byte[] seed(int b) {
    byte[] s = new byte[32];
    s[0] = (byte) b;
    return s;
  }

  static NoteSignature sig(String name, int bytes) {
    return new NoteSignature(name, 7, new byte[bytes]);
  }

  static String parseMessage(String note) {
    return assertThrows(FormatException.class, () -> SignedNote.parse(note.getBytes(StandardCharsets.UTF_8)))
        .getMessage();
  }

  static String refusal(org.junit.jupiter.api.function.Executable build) {
    return assertThrows(IllegalArgumentException.class, build).getMessage();
  }

  // ---- SignedNote

  @Test
  void aNoteCarries1To32Signatures_each1To5000Bytes() {
    assertDoesNotThrow(() -> new SignedNote(TEXT, Collections.nCopies(32, sig("k", 1))));
    assertEquals("a note carries 1 to 32 signatures", refusal(() -> new SignedNote(TEXT, Collections.nCopies(33, sig("k", 1)))));
    assertEquals("a note carries 1 to 32 signatures", refusal(() -> new SignedNote(TEXT, List.of())));
    assertDoesNotThrow(() -> new SignedNote(TEXT, List.of(sig("k", SignedNote.SIGNATURE_BYTES_MAX))));
    assertEquals("invalid signature line: k, 5001 bytes",
        refusal(() -> new SignedNote(TEXT, List.of(sig("k", SignedNote.SIGNATURE_BYTES_MAX + 1)))));
    assertEquals("invalid signature line: k, 0 bytes", refusal(() -> new SignedNote(TEXT, List.of(sig("k", 0)))));
    assertEquals("invalid signature line: a b, 1 bytes", refusal(() -> new SignedNote(TEXT, List.of(sig("a b", 1)))));
    assertEquals("note text must end with a newline", refusal(() -> new SignedNote("no newline", List.of(sig("k", 1)))));
    assertEquals("note text must end with a newline", refusal(() -> SignedNote.sign("no newline", List.of(LOG))));
  }

  /** A note text of one line padded so that the whole note, with one 64-byte signature, is {@code total} bytes. */
  static String textForNoteOf(int total) {
    NoteSignature s = sig("k", 64);
    // the text's newline, the blank line, the signature line and its newline
    int overhead = 1 + 1 + s.toLine().getBytes(StandardCharsets.UTF_8).length + 1;
    return "a".repeat(total - overhead) + "\n";
  }

  @Test
  void aNoteIsAtMostNoteBytesMax_asBuiltAndAsParsed() throws FormatException {
    SignedNote atMax = new SignedNote(textForNoteOf(SignedNote.NOTE_BYTES_MAX), List.of(sig("k", 64)));
    assertEquals(SignedNote.NOTE_BYTES_MAX, atMax.toBytes().length);
    assertEquals(atMax, SignedNote.parse(atMax.toBytes()));
    String overText = textForNoteOf(SignedNote.NOTE_BYTES_MAX + 1);
    assertEquals("note would be 131073 bytes, more than 131072",
        refusal(() -> new SignedNote(overText, List.of(sig("k", 64)))));
  }

  @Test
  void aNoteTextIsBoundedPrintableAndValidUtf16() {
    assertNull(SignedNote.textProblem("a \u00e9\n"));
    assertEquals("note text must end with a newline", SignedNote.textProblem(null));
    assertNull(SignedNote.textProblem("a".repeat(SignedNote.NOTE_BYTES_MAX - 1) + "\n"));
    assertEquals("note text is longer than 131072 bytes", SignedNote.textProblem("a".repeat(SignedNote.NOTE_BYTES_MAX) + "\n"));
    assertEquals("note text contains control character 0x1f", SignedNote.textProblem("a\u001f\n"));
    assertEquals("note text contains control character 0x0", SignedNote.textProblem("\u0000\n"));
    assertNull(SignedNote.textProblem("smile \uD83D\uDE00\n"), "a surrogate pair is one character");
    assertNull(SignedNote.textProblem("\uD83D\uDE00\uD83D\uDE00\n"), "pairs back to back");
    String unpaired = "note text is not valid UTF-16 (unpaired surrogate)";
    assertEquals(unpaired, SignedNote.textProblem("a\uDE00\n"));
    assertEquals(unpaired, SignedNote.textProblem("a\uD83Db\n"));
    assertEquals(unpaired, SignedNote.textProblem("a\uD83D\uD83D\n"));
  }

  @Test
  void parsingAcceptsExactly32SignatureLines_andAnEmptyFirstLine() throws FormatException {
    String line = SignedNote.sign(TEXT, List.of(LOG)).signatures().get(0).toLine();
    assertEquals(32, SignedNote.parse((TEXT + "\n" + (line + "\n").repeat(32)).getBytes(StandardCharsets.UTF_8))
        .signatures().size());
    assertEquals("note has 33 signatures, more than 32", parseMessage(TEXT + "\n" + (line + "\n").repeat(33)));
    assertEquals("\n", SignedNote.parse(("\n\n" + line + "\n").getBytes(StandardCharsets.UTF_8)).text());
    assertEquals("note contains control character 0x1f", parseMessage(TEXT + "\u001f\n\n" + line + "\n"));
  }

  @Test
  void aSignatureLineNamesItsKeyAndCarries5To5004Bytes() throws FormatException {
    assertEquals("signature line has an invalid key name", parseMessage(TEXT + "\n\u2014  AAAAAAAA\n"));
    assertEquals("signature line has no space between key name and signature", parseMessage(TEXT + "\n\u2014 k\n"));
    String b64 = Base64.getEncoder().encodeToString(new byte[4]);
    assertEquals("signature has 4 bytes with its key ID", parseMessage(TEXT + "\n\u2014 k " + b64 + "\n"));
    String five = Base64.getEncoder().encodeToString(new byte[] {0, 0, 0, 9, 42});
    NoteSignature one = SignedNote.parseSignatureLine("\u2014 k " + five);
    assertEquals(new NoteSignature("k", 9, new byte[] {42}), one);
    String longest = Base64.getEncoder().encodeToString(new byte[4 + SignedNote.SIGNATURE_BYTES_MAX]);
    assertEquals(SignedNote.SIGNATURE_BYTES_MAX, SignedNote.parseSignatureLine("\u2014 k " + longest).signature().length);
    String tooLong = Base64.getEncoder().encodeToString(new byte[5 + SignedNote.SIGNATURE_BYTES_MAX]);
    assertEquals("signature has 5005 bytes with its key ID",
        assertThrows(FormatException.class, () -> SignedNote.parseSignatureLine("\u2014 k " + tooLong)).getMessage());
  }

  @Test
  void paddedBase64AcceptsTheWholeAlphabetAndPaddingOnlyAtTheEnd() throws FormatException {
    assertArrayEquals(Base64.getDecoder().decode("AZaz09+/"), Base64Text.decodePadded("AZaz09+/", "x"));
    assertEquals(1, Base64Text.decodePadded("AA==", "x").length);
    assertEquals(2, Base64Text.decodePadded("AAA=", "x").length);
    for (String[] c : new String[][] {{"AA@A", "2"}, {"AA[A", "2"}, {"AA`A", "2"}, {"AA{A", "2"}, {"AA:A", "2"},
        {"A=AA", "1"}, {"AA=A", "2"}, {"A===", "1"}, {"-AAA", "0"}}) {
      FormatException e = assertThrows(FormatException.class, () -> Base64Text.decodePadded(c[0], "x"), c[0]);
      assertEquals("x has a non-base64 character at position " + c[1], e.getMessage());
    }
    assertEquals("x is not padded base64 (length 3)",
        assertThrows(FormatException.class, () -> Base64Text.decodePadded("AAA", "x")).getMessage());
  }

  @Test
  void anUnsupportedKeyIsCountedApartFromAnUnknownOne() throws FormatException {
    SignedNote note = new SignedNote(TEXT, List.of(new NoteSignature("x", 0, new byte[] {1}), sig("k", 1)));
    VerifierSet unsupported = VerifierSet.of(NoteKeys.parseVerifierKey("x+00000000+BQAB"));
    assertEquals("no signature by a trusted key (1 unknown, 1 of unsupported type)",
        note.open(unsupported).reasonOrEmpty());
  }

  @Test
  void anOpenedNoteKnowsWhichKeysVerified() {
    SignedNote note = SignedNote.sign(TEXT, List.of(LOG));
    OpenedNote opened = note.open(VerifierSet.of(LOG.verifier())).value();
    assertTrue(opened.verifiedBy(LOG.keyName(), LOG.keyId()));
    assertFalse(opened.verifiedBy(LOG.keyName(), LOG.keyId() ^ 1));
    assertFalse(opened.verifiedBy("example.com/other", LOG.keyId()));
    assertArrayEquals(TEXT.getBytes(StandardCharsets.UTF_8), opened.textBytes());
    assertTrue(SignedNote.open(note.toBytes(), VerifierSet.of(LOG.verifier())).isVerified());
    assertEquals("malformed note: note has no blank line before its signatures",
        SignedNote.open(TEXT.getBytes(StandardCharsets.UTF_8), VerifierSet.of(LOG.verifier())).reasonOrEmpty());
  }

  @Test
  void noteSignaturesAreEqualByNameIdAndBytes() {
    NoteSignature s = new NoteSignature("k", 7, new byte[] {1, 2});
    assertEquals(s, new NoteSignature("k", 7, new byte[] {1, 2}));
    assertEquals(s.hashCode(), new NoteSignature("k", 7, new byte[] {1, 2}).hashCode());
    assertNotEquals(s, new NoteSignature("j", 7, new byte[] {1, 2}));
    assertNotEquals(s, new NoteSignature("k", 8, new byte[] {1, 2}));
    assertNotEquals(s, new NoteSignature("k", 7, new byte[] {1, 3}));
    assertNotEquals(s, "k");
    assertNotEquals(s.hashCode(), new NoteSignature("k", 7, new byte[] {1, 3}).hashCode());
    assertEquals(s.toLine(), s.toString());
    assertEquals("\u2014 k AAAABwEC", s.toLine());
  }

  // ---- NoteKeys

  @Test
  void keyNamesAre1To256BytesWithoutPlusOrAnyUnicodeSpace() {
    assertTrue(NoteKeys.isValidName("a".repeat(256)));
    assertFalse(NoteKeys.isValidName("a".repeat(257)));
    assertFalse(NoteKeys.isValidName("\u00e9".repeat(129)), "258 bytes of UTF-8");
    assertFalse(NoteKeys.isValidName(""));
    assertFalse(NoteKeys.isValidName("+a"));
    assertFalse(NoteKeys.isValidName("a+"));
    assertFalse(NoteKeys.isValidName("a\u0085b"), "NEL is a space in Go");
    assertFalse(NoteKeys.isValidName("a\u00a0b"), "no-break space");
    assertFalse(NoteKeys.isValidName("a\tb"));
    assertTrue(NoteKeys.isValidName("example.com/log-1"));
  }

  static String b64(int type, int keyBytes) {
    byte[] typed = new byte[1 + keyBytes];
    typed[0] = (byte) type;
    return Base64Text.encode(typed);
  }

  static String vkeyMessage(String vkey) {
    return assertThrows(FormatException.class, () -> NoteKeys.parseVerifierKey(vkey), vkey).getMessage();
  }

  @Test
  void vkeyMaterialIsATypeByteAndAtMost2592KeyBytes() throws FormatException {
    assertEquals("vkey key material has 1 bytes", vkeyMessage("k+00000000+" + b64(5, 0)));
    NoteVerifier oneByte = NoteKeys.parseVerifierKey("k+00000000+" + b64(5, 1));
    assertFalse(oneByte.supported());
    NoteVerifier longest = NoteKeys.parseVerifierKey("k+00000000+" + b64(5, NoteKeys.PUBLIC_KEY_BYTES_MAX));
    assertEquals("k+00000000+" + b64(5, NoteKeys.PUBLIC_KEY_BYTES_MAX), longest.vkey());
    assertEquals("vkey key material has 2594 bytes", vkeyMessage("k+00000000+" + b64(5, NoteKeys.PUBLIC_KEY_BYTES_MAX + 1)));
  }

  @Test
  void vkeyOfAtMostVkeyCharsMax() {
    String material = "A".repeat(NoteKeys.VKEY_CHARS_MAX - "k+00000000+".length());
    String atMax = "k+00000000+" + material;
    assertEquals(NoteKeys.VKEY_CHARS_MAX, atMax.length());
    assertFalse(vkeyMessage(atMax).contains("longer than"), "at the bound the key is decoded");
    assertEquals("vkey is longer than " + NoteKeys.VKEY_CHARS_MAX + " characters", vkeyMessage(atMax + "A"));
  }

  @Test
  void eachKnownTypeHasItsKeyLengthAndDerivedId() throws FormatException {
    assertEquals("Ed25519 vkey must hold 32 key bytes, got 31", vkeyMessage("k+00000000+" + b64(1, 31)));
    assertEquals("Ed25519 vkey must hold 32 key bytes, got 31", vkeyMessage("k+00000000+" + b64(4, 31)));
    assertEquals("ML-DSA-44 vkey must hold 1312 key bytes, got 1311", vkeyMessage("k+00000000+" + b64(6, 1311)));
    assertEquals("vkey key ID 00000000 does not match name and key", vkeyMessage("k+00000000+" + b64(6, 1312)));
    byte[] mlDsa = new byte[1312];
    String id = NoteKeys.hexId(NoteKeys.keyId("k", 6, mlDsa));
    NoteVerifier recognised = NoteKeys.parseVerifierKey("k+" + id + "+" + b64(6, 1312));
    assertFalse(recognised.supported());
    assertEquals(6, recognised.type());
    String cosigner = WITNESS.verifier().vkey();
    String[] parts = cosigner.split("\\+", 3);
    String otherId = NoteKeys.hexId((int) Long.parseLong(parts[1], 16) ^ 1);
    assertEquals("vkey key ID " + otherId + " does not match name and key",
        vkeyMessage(parts[0] + "+" + otherId + "+" + parts[2]));
    assertInstanceOf(CosignatureV1.Verifier.class, NoteKeys.parseVerifierKey(cosigner));
    // A key of another type keeps its key ID as written: nothing defines how it is derived.
    assertEquals(0x12345678, NoteKeys.parseVerifierKey("k+12345678+" + b64(9, 32)).keyId());
    assertEquals(0x09af09af, NoteKeys.parseVerifierKey("k+09af09af+" + b64(9, 32)).keyId(), "0-9 and a-f are hex digits");
    for (String badId : List.of("0000000/", "0000000:", "0000000`", "0000000g", "0000000A")) {
      assertEquals("key ID must be 8 lower-case hex digits", vkeyMessage("k+" + badId + "+" + b64(9, 32)), badId);
    }
  }

  @Test
  void anEd25519VkeyParsesToANoteVerifierOfType1() throws FormatException {
    NoteVerifier parsed = NoteKeys.parseVerifierKey(LOG.verifier().vkey());
    assertInstanceOf(Ed25519Note.Verifier.class, parsed);
    assertTrue(parsed.supported());
    assertEquals(NoteKeys.TYPE_ED25519, parsed.type());
    assertEquals(NoteKeys.TYPE_COSIGNATURE_V1, NoteKeys.parseVerifierKey(WITNESS.verifier().vkey()).type());
    SignedNote note = SignedNote.sign(TEXT, List.of(LOG));
    assertEquals(1, note.open(VerifierSet.of(parsed)).value().verified().size(), "the parsed key verifies the log's note");
  }

  @Test
  void aKeyStartsWithItsNameBeforeTheFirstPlus() {
    assertEquals("vkey has an invalid key name", vkeyMessage("+00000000+" + b64(5, 1)));
    assertEquals("vkey must be name+keyid+key", vkeyMessage("k00000000" + b64(5, 1)));
  }

  @Test
  void skeysRoundTripAndEachMalformationIsNamed() throws FormatException {
    Ed25519Note.Signer noteSigner = NoteKeys.parseNoteSigner(LOG.skey());
    assertEquals(LOG.verifier().vkey(), noteSigner.verifier().vkey());
    assertEquals(LOG.skey(), noteSigner.skey());
    CosignatureV1.Signer parsed = NoteKeys.parseCosigner(WITNESS.skey());
    assertEquals(WITNESS.verifier().vkey(), parsed.verifier().vkey());
    assertEquals(WITNESS.skey(), parsed.skey());
    assertEquals("skey has type 0x01, expected 0x04",
        assertThrows(FormatException.class, () -> NoteKeys.parseCosigner(LOG.skey())).getMessage());
    assertEquals("skey must start with PRIVATE+KEY+",
        assertThrows(FormatException.class, () -> NoteKeys.parseNoteSigner(LOG.skey().substring(1))).getMessage());
    String[] parts = LOG.skey().split("\\+", 5);
    String shortSeed = "PRIVATE+KEY+" + parts[2] + "+" + parts[3] + "+" + b64(1, 31);
    assertEquals("skey must hold a type byte and a 32-byte Ed25519 seed",
        assertThrows(FormatException.class, () -> NoteKeys.parseNoteSigner(shortSeed)).getMessage());
    String otherId = NoteKeys.hexId((int) Long.parseLong(parts[3], 16) ^ 1);
    String wrongId = "PRIVATE+KEY+" + parts[2] + "+" + otherId + "+" + parts[4];
    assertEquals("skey key ID " + otherId + " does not match name and key",
        assertThrows(FormatException.class, () -> NoteKeys.parseNoteSigner(wrongId)).getMessage());
  }

  @Test
  void aVerifierSetListsItsVerifiers() {
    List<NoteVerifier> listed = VerifierSet.of(LOG.verifier(), WITNESS.verifier()).verifiers();
    assertEquals(2, listed.size());
    assertTrue(listed.stream().anyMatch(v -> v.vkey().equals(LOG.verifier().vkey())));
    assertTrue(listed.stream().anyMatch(v -> v.vkey().equals(WITNESS.verifier().vkey())));
  }

  @Test
  void aTextThatIsNoNoteTextIsRefusedBeforeAnySignerSignsIt() {
    List<String> signed = new ArrayList<>();
    NoteSigner recording = new NoteSigner() {
      @Override
      public String keyName() {
        return LOG.keyName();
      }

      @Override
      public int keyId() {
        return LOG.keyId();
      }

      @Override
      public byte[] sign(byte[] text) {
        signed.add(new String(text, StandardCharsets.UTF_8));
        return LOG.sign(text);
      }

      @Override
      public NoteVerifier verifier() {
        return LOG.verifier();
      }
    };
    assertEquals("note text must end with a newline", refusal(() -> SignedNote.sign("no newline", List.of(recording))));
    assertEquals("note text must end with a newline", refusal(() -> SignedNote.sign(null, List.of(recording))));
    assertEquals(List.of(), signed);
    SignedNote.sign(TEXT, List.of(recording));
    assertEquals(List.of(TEXT), signed);
  }

  @Test
  void aCheckpointsTextIsItsLinesEachEndingInANewline() {
    Checkpoint checkpoint = new Checkpoint("example.com/log", 3, Rfc6962.EMPTY_ROOT);
    assertEquals(TEXT, checkpoint.text());
    assertArrayEquals(TEXT.getBytes(StandardCharsets.UTF_8), checkpoint.textBytes());
  }

  @Test
  void signersPrintTheirPublicKeyOnly() {
    assertEquals("Ed25519Note.Signer(" + LOG.verifier().vkey() + ")", LOG.toString());
    assertEquals("CosignatureV1.Signer(" + WITNESS.verifier().vkey() + ")", WITNESS.toString());
    assertEquals(LOG.verifier().vkey(), LOG.verifier().toString());
    assertEquals("[" + LOG.verifier().vkey() + "]", VerifierSet.of(LOG.verifier()).toString());
  }

  @Test
  void aCosignerBoundToATimestampSignsNotesThatItsVerifierAccepts() {
    NoteSigner at = WITNESS.at(1234);
    assertEquals(WITNESS.keyName(), at.keyName());
    assertEquals(WITNESS.verifier().keyId(), at.keyId());
    assertEquals(WITNESS.verifier(), at.verifier());
    SignedNote note = SignedNote.sign(TEXT, List.of(LOG, at));
    OpenedNote opened = note.open(VerifierSet.of(LOG.verifier(), WITNESS.verifier())).value();
    assertEquals(2, opened.verified().size());
    assertEquals(1234, opened.verified().get(1).timestamp().getAsLong());
    byte[] text = TEXT.getBytes(StandardCharsets.UTF_8);
    assertEquals(0, WITNESS.verifier().verify(text, WITNESS.cosign(text, 0).signature()).orElseThrow().timestamp()
        .getAsLong(), "time 0 is a valid timestamp");
  }

  @Test
  void verifiersRefuseInvalidNames_andSignaturesOfTheWrongLength() {
    Ed25519.PublicKey key = LOG.verifier().publicKey();
    assertEquals("invalid note key name: a b", refusal(() -> new Ed25519Note.Verifier("a b", key)));
    assertEquals("invalid cosigner name: a+b", refusal(() -> new CosignatureV1.Verifier("a+b", key)));
    byte[] signature = SignedNote.sign(TEXT, List.of(LOG)).signatures().get(0).signature();
    byte[] text = TEXT.getBytes(StandardCharsets.UTF_8);
    assertTrue(LOG.verifier().verify(text, signature).isPresent());
    byte[] longer = java.util.Arrays.copyOf(signature, signature.length + 1);
    assertFalse(LOG.verifier().verify(text, longer).isPresent());
    byte[] cosig = WITNESS.cosign(text, 5).signature();
    assertFalse(WITNESS.verifier().verify(text, java.util.Arrays.copyOf(cosig, cosig.length + 1)).isPresent());
  }

  @Test
  void verifierSetsHoldAtMostKeysMax_eachNameAndIdOnce() throws FormatException {
    List<NoteVerifier> keys = new ArrayList<>();
    StringBuilder lines = new StringBuilder("# trusted\n\n");
    for (int i = 0; i < VerifierSet.KEYS_MAX; i++) {
      NoteVerifier v = NoteKeys.parseVerifierKey("k" + i + "+00000000+" + b64(5, 1));
      keys.add(v);
      lines.append("  ").append(v.vkey()).append('\n');
    }
    assertEquals(VerifierSet.KEYS_MAX, VerifierSet.of(keys).size());
    assertEquals(VerifierSet.KEYS_MAX, VerifierSet.parseVkeys(lines.toString()).size());
    List<NoteVerifier> oneMore = new ArrayList<>(keys);
    oneMore.add(LOG.verifier());
    assertThrows(IllegalArgumentException.class, () -> VerifierSet.of(oneMore));
    String more = lines + LOG.verifier().vkey() + "\n";
    assertEquals("more than " + VerifierSet.KEYS_MAX + " vkeys",
        assertThrows(FormatException.class, () -> VerifierSet.parseVkeys(more)).getMessage());
    String twice = LOG.verifier().vkey() + "\n" + LOG.verifier().vkey() + "\n";
    assertTrue(assertThrows(FormatException.class, () -> VerifierSet.parseVkeys(twice)).getMessage()
        .startsWith("two trusted keys share name and ID"));
  }

  @Test
  void decimalsAreDigitsOnly() throws FormatException {
    assertEquals(1909, Decimal.parse("1909", "n"));
    assertEquals("n must be decimal digits only", assertThrows(FormatException.class, () -> Decimal.parse("1/", "n")).getMessage());
    assertEquals("n must be decimal digits only", assertThrows(FormatException.class, () -> Decimal.parse("1:", "n")).getMessage());
  }

  // ---- Checkpoint

  @Test
  void aCheckpointHasAnOriginANonNegativeSizeARootAndAtMost16Extensions() {
    Hash root = Rfc6962.EMPTY_ROOT;
    assertEquals("origin must not be empty", refusal(() -> new Checkpoint("", 1, root)));
    assertEquals("tree size must not be negative: -1", refusal(() -> new Checkpoint("o", -1, root)));
    assertEquals(0, new Checkpoint("o", 0, root).size());
    assertEquals("root hash is required", refusal(() -> new Checkpoint("o", 1, null)));
    assertEquals(16, new Checkpoint("o", 1, root, Collections.nCopies(16, "x")).extensions().size());
    assertEquals("at most 16 extension lines", refusal(() -> new Checkpoint("o", 1, root, Collections.nCopies(17, "x"))));
    assertEquals("extension line contains a control character",
        refusal(() -> new Checkpoint("o", 1, root, List.of("a\u001fb"))));
    assertEquals("origin contains a control character", refusal(() -> new Checkpoint("\u0000", 1, root)));
    assertEquals("origin  ~", new Checkpoint("origin  ~", 1, root).origin());
  }

  @Test
  void checkpointLinesAreAtMost1024Bytes() throws FormatException {
    Hash root = Rfc6962.EMPTY_ROOT;
    assertEquals(1024, new Checkpoint("o".repeat(1024), 1, root).origin().length());
    assertEquals("origin is longer than 1024 bytes", refusal(() -> new Checkpoint("o".repeat(1025), 1, root)));
    assertEquals(1024, Checkpoint.parse("o\n1\n" + ROOT + "\n" + "e".repeat(1024) + "\n").extensions().get(0).length());
    assertEquals("checkpoint extension line is longer than 1024 bytes",
        assertThrows(FormatException.class, () -> Checkpoint.parse("o\n1\n" + ROOT + "\n" + "e".repeat(1025) + "\n"))
            .getMessage());
  }

  @Test
  void checkpointParsingAcceptsExactly16Extensions_andReportsTheOriginFirst() throws FormatException {
    assertEquals(16, Checkpoint.parse("o\n1\n" + ROOT + "\n" + "x\n".repeat(16)).extensions().size());
    FormatException e = assertThrows(FormatException.class, () -> Checkpoint.parse("\u0001\n1\n" + ROOT + "\n\u0001\n"));
    assertEquals("checkpoint origin contains a control character", e.getMessage());
    SignedNote note = SignedNote.sign(TEXT, List.of(LOG));
    assertEquals(3, Checkpoint.parse(note.open(VerifierSet.of(LOG.verifier())).value()).size());
  }

  @Test
  void theOriginOfANoteTextIsItsFirstLine() {
    assertEquals("abc", Checkpoint.originOf("abc"));
    assertEquals("", Checkpoint.originOf("\nabc\n"));
    assertEquals("a", Checkpoint.originOf("a\nb\n"));
  }

  @Test
  void aPolicyVerifiesNoteBytes_andKnowsItsOriginAndWitnessCount() {
    CheckpointPolicy policy = CheckpointPolicy.logOnly("example.com/log", LOG.verifier());
    assertEquals("example.com/log", policy.origin());
    assertEquals(0, policy.witnessesRequired());
    SignedNote note = SignedNote.sign(TEXT, List.of(LOG));
    Verdict<VerifiedCheckpoint> ok = policy.verify(note.toBytes());
    assertEquals(3, ok.value().checkpoint().size());
    assertEquals("malformed checkpoint note: note has no blank line before its signatures",
        policy.verify(TEXT.getBytes(StandardCharsets.UTF_8)).reasonOrEmpty());
    Ed25519Note.Signer other = new Ed25519Note.Signer("example.com/log", Ed25519.PrivateKey.fromSeed(seed(2)));
    assertEquals("no signature by a trusted key (1 unknown, 0 of unsupported type)",
        policy.verify(SignedNote.sign(TEXT, List.of(other))).reasonOrEmpty());
    String notACheckpoint = "example.com/log\nthree\n";
    assertEquals("note is not a checkpoint: checkpoint needs origin, size and root hash lines, got 2 lines",
        policy.verify(SignedNote.sign(notACheckpoint, List.of(LOG))).reasonOrEmpty());
    assertEquals(2, new CheckpointPolicy("o", VerifierSet.of(LOG.verifier()),
        VerifierSet.of(WITNESS.verifier(), new CosignatureV1.Signer("w2", Ed25519.PrivateKey.fromSeed(seed(4))).verifier()),
        2).witnessesRequired());
  }

  @Test
  void verdictsCarryTheirValueOrTheirReason() {
    Verdict<Integer> yes = Verdict.verified(5);
    assertEquals(5, yes.value());
    assertEquals(yes, yes.context("ignored"));
    assertEquals("", yes.reasonOrEmpty());
    assertEquals("not verified: because",
        assertThrows(IllegalStateException.class, () -> Verdict.<Integer>rejected("because").value()).getMessage());
  }
}
