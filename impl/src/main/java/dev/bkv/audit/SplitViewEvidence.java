package dev.bkv.audit;

import dev.bkv.base.Bytes;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.Decimal;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.Rfc6962;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.Verdict;
import dev.bkv.tlog.VerifiedCheckpoint;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Proof that a log showed two parties views that cannot both be true (G6): two checkpoints
 * signed by the log key, and what the larger one commits to at the smaller size.
 *
 * <p>For equal sizes the two roots simply differ. Otherwise {@code smallerRootInLarger} is
 * the root of the first {@code smaller.size} leaves of the larger tree and {@code proof} a
 * consistency proof from it to the larger root: by collision resistance no other root of
 * that size has a valid proof to the larger root, so a root that differs from the smaller
 * checkpoint's root convicts the log. A consistency proof that simply fails to verify
 * proves nothing (anyone can send garbage), which is why the evidence carries a proof that
 * verifies and names the root it commits to.
 *
 * <pre>
 * bkv.dev/split-view@v1
 * smaller-root-in-larger &lt;base64 hash&gt;
 * proof &lt;count&gt;
 * &lt;base64 hash&gt;                 (count lines, RFC 9162 order)
 * note &lt;bytes&gt;
 * &lt;smaller (or first) signed checkpoint, exactly that many bytes&gt;
 * note &lt;bytes&gt;
 * &lt;larger (or second) signed checkpoint&gt;
 * </pre>
 */
public record SplitViewEvidence(SignedNote smaller, SignedNote larger, List<Hash> proof, Hash smallerRootInLarger) {
  public static final String HEADER = "bkv.dev/split-view@v1";
  /** Longest evidence file accepted, in bytes: two notes and a proof. */
  public static final int EVIDENCE_BYTES_MAX = 2 * SignedNote.NOTE_BYTES_MAX + 8 * 1024;

  public SplitViewEvidence {
    proof = List.copyOf(proof);
    if (proof.size() > ConsistencyProof.HASHES_MAX) {
      throw new IllegalArgumentException("consistency proof longer than " + ConsistencyProof.HASHES_MAX + " hashes");
    }
  }

  /**
   * Checks that this is evidence of a split view of the log {@code policy} describes: both
   * checkpoints satisfy the policy and they cannot both be true. Total and pure.
   */
  public Verdict<SplitViewEvidence> verify(CheckpointPolicy policy) {
    Verdict<VerifiedCheckpoint> first = policy.verify(smaller);
    if (!first.isVerified()) {
      return Verdict.rejected("first checkpoint: " + first.reasonOrEmpty());
    }
    Verdict<VerifiedCheckpoint> second = policy.verify(larger);
    if (!second.isVerified()) {
      return Verdict.rejected("second checkpoint: " + second.reasonOrEmpty());
    }
    Checkpoint s = first.value().checkpoint();
    Checkpoint l = second.value().checkpoint();
    if (s.size() > l.size()) {
      return Verdict.rejected("the first checkpoint must not be larger than the second");
    }
    if (s.size() == l.size()) {
      if (!proof.isEmpty()) {
        return Verdict.rejected("checkpoints of equal size need no consistency proof");
      }
      if (Bytes.constantTimeEquals(s.rootHash().toBytes(), l.rootHash().toBytes())) {
        return Verdict.rejected("equal sizes and equal roots: the checkpoints agree");
      }
      return Verdict.verified(this);
    }
    Verdict<Hash> committed = s.size() == 0
        ? (proof.isEmpty() && smallerRootInLarger.equals(Rfc6962.EMPTY_ROOT)
            ? Verdict.verified(l.rootHash())
            : Verdict.rejected("every tree commits to the empty root at size 0, with no proof"))
        : new ConsistencyProof(s.size(), l.size(), proof).verify(smallerRootInLarger, l.rootHash());
    if (!committed.isVerified()) {
      return Verdict.rejected("the proof does not show what the larger tree holds at size " + s.size() + ": "
          + committed.reasonOrEmpty());
    }
    if (Bytes.constantTimeEquals(smallerRootInLarger.toBytes(), s.rootHash().toBytes())) {
      return Verdict.rejected("the larger tree extends the smaller one: the checkpoints agree");
    }
    return Verdict.verified(this);
  }

  public byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringBuilder head = new StringBuilder(HEADER).append('\n');
    head.append("smaller-root-in-larger ").append(smallerRootInLarger.toBase64()).append('\n');
    head.append("proof ").append(proof.size()).append('\n');
    for (Hash h : proof) {
      head.append(h.toBase64()).append('\n');
    }
    out.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
    for (SignedNote note : List.of(smaller, larger)) {
      byte[] bytes = note.toBytes();
      out.writeBytes(("note " + bytes.length + "\n").getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(bytes);
    }
    return out.toByteArray();
  }

  /** Decodes evidence; says what is malformed. Whether it convicts the log is {@link #verify}'s job. */
  public static SplitViewEvidence parse(byte[] bytes) throws FormatException {
    if (bytes.length > EVIDENCE_BYTES_MAX) {
      throw new FormatException("split-view evidence is longer than " + EVIDENCE_BYTES_MAX + " bytes");
    }
    Cursor in = new Cursor(bytes);
    if (!in.line().equals(HEADER)) {
      throw new FormatException("split-view evidence must start with " + HEADER);
    }
    Hash root = Hash.fromBase64(in.field("smaller-root-in-larger"));
    long count = Decimal.parse(in.field("proof"), "proof length");
    if (count > ConsistencyProof.HASHES_MAX) {
      throw new FormatException("proof has more than " + ConsistencyProof.HASHES_MAX + " hashes");
    }
    List<Hash> hashes = new ArrayList<>();
    for (long i = 0; i < count; i++) {
      hashes.add(Hash.fromBase64(in.line()));
    }
    SignedNote first = SignedNote.parse(in.block(in.field("note")));
    SignedNote second = SignedNote.parse(in.block(in.field("note")));
    if (!in.atEnd()) {
      throw new FormatException("split-view evidence has bytes after its second note");
    }
    return new SplitViewEvidence(first, second, hashes, root);
  }

  /** A short description for reports: sizes and roots of both views. */
  public String describe() {
    return "split view of " + Checkpoint.originOf(smaller.text()) + ": size " + sizeLine(smaller) + " root "
        + rootLine(smaller) + " vs size " + sizeLine(larger) + " root " + rootLine(larger)
        + " (which holds " + smallerRootInLarger.toBase64() + " at the smaller size)";
  }

  private static String sizeLine(SignedNote note) {
    return note.text().split("\n", -1)[1];
  }

  private static String rootLine(SignedNote note) {
    return note.text().split("\n", -1)[2];
  }

  /** Reads lines and length-prefixed blocks from the evidence bytes. */
  private static final class Cursor {
    private final byte[] bytes;
    private int at;

    Cursor(byte[] bytes) {
      this.bytes = bytes;
    }

    String line() throws FormatException {
      for (int i = at; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          String line = new String(bytes, at, i - at, StandardCharsets.US_ASCII);
          at = i + 1;
          return line;
        }
      }
      throw new FormatException("split-view evidence ends inside a line");
    }

    String field(String name) throws FormatException {
      String line = line();
      if (!line.startsWith(name + " ")) {
        throw new FormatException("expected a '" + name + " ...' line");
      }
      return line.substring(name.length() + 1);
    }

    byte[] block(String length) throws FormatException {
      long n = Decimal.parse(length, "note length");
      if (n > bytes.length - at) {
        throw new FormatException("note length " + n + " runs past the end");
      }
      byte[] out = Arrays.copyOfRange(bytes, at, at + (int) n);
      at += (int) n;
      return out;
    }

    boolean atEnd() {
      return at == bytes.length;
    }
  }
}
