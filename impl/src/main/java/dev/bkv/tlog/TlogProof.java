package dev.bkv.tlog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A C2SP tlog-proof (c2sp.org/tlog-proof@v1): an offline proof that an entry is in a log,
 * made of the entry's index, its inclusion proof and the (cosigned) checkpoint.
 *
 * <pre>
 * c2sp.org/tlog-proof@v1
 * extra &lt;base64&gt;            (optional, unauthenticated)
 * index &lt;decimal&gt;
 * &lt;base64 hash&gt;             (zero or more, leaf to root)
 *
 * &lt;checkpoint signed note&gt;
 * </pre>
 */
public record TlogProof(Optional<byte[]> extra, long index, List<Hash> proof, SignedNote checkpoint) {
  public static final String HEADER = "c2sp.org/tlog-proof@v1";
  /** Longest extra data accepted, in bytes. */
  public static final int EXTRA_BYTES_MAX = 4096;
  /** Longest proof file accepted, in bytes. */
  public static final int PROOF_BYTES_MAX = SignedNote.NOTE_BYTES_MAX + 2 * EXTRA_BYTES_MAX + 4096;

  public TlogProof {
    extra = extra.map(byte[]::clone);
    proof = List.copyOf(proof);
    if (index < 0) {
      throw new IllegalArgumentException("entry index must not be negative: " + index);
    }
    if (proof.size() > InclusionProof.HASHES_MAX) {
      throw new IllegalArgumentException("inclusion proof longer than " + InclusionProof.HASHES_MAX + " hashes");
    }
    if (extra.isPresent() && (extra.get().length == 0 || extra.get().length > EXTRA_BYTES_MAX)) {
      throw new IllegalArgumentException("extra data must be 1 to " + EXTRA_BYTES_MAX + " bytes");
    }
  }

  @Override
  public Optional<byte[]> extra() {
    return extra.map(byte[]::clone);
  }

  /** The origin line of the embedded checkpoint, before anything is verified. */
  public String checkpointOrigin() {
    return Checkpoint.originOf(checkpoint.text());
  }

  public String format() {
    StringBuilder out = new StringBuilder(HEADER).append('\n');
    extra.ifPresent(e -> out.append("extra ").append(Base64Text.encode(e)).append('\n'));
    out.append("index ").append(index).append('\n');
    for (Hash h : proof) {
      out.append(h.toBase64()).append('\n');
    }
    return out.append('\n').append(checkpoint.format()).toString();
  }

  public byte[] toBytes() {
    return format().getBytes(StandardCharsets.UTF_8);
  }

  public static TlogProof parse(byte[] bytes) throws FormatException {
    if (bytes.length > PROOF_BYTES_MAX) {
      throw new FormatException("tlog-proof is " + bytes.length + " bytes, more than " + PROOF_BYTES_MAX);
    }
    int blank = indexOfBlankLine(bytes);
    if (blank < 0) {
      throw new FormatException("tlog-proof has no blank line before its checkpoint");
    }
    for (int i = 0; i < blank; i++) {
      int b = bytes[i] & 0xff;
      if ((b < 0x20 && b != '\n') || b >= 0x7f) {
        throw new FormatException("tlog-proof header lines must be printable ASCII");
      }
    }
    String[] lines = new String(bytes, 0, blank, StandardCharsets.US_ASCII).split("\n", -1);
    int at = 0;
    if (!lines[at++].equals(HEADER)) {
      throw new FormatException("tlog-proof must start with " + HEADER);
    }
    Optional<byte[]> extra = Optional.empty();
    if (at < lines.length && lines[at].startsWith("extra ")) {
      byte[] data = Base64Text.decodeCanonical(lines[at++].substring("extra ".length()), "extra data");
      if (data.length > EXTRA_BYTES_MAX) {
        throw new FormatException("extra data is longer than " + EXTRA_BYTES_MAX + " bytes");
      }
      extra = Optional.of(data);
    }
    if (at >= lines.length || !lines[at].startsWith("index ")) {
      throw new FormatException("tlog-proof needs an index line");
    }
    long index = Decimal.parse(lines[at++].substring("index ".length()), "entry index");
    if (lines.length - at > InclusionProof.HASHES_MAX) {
      throw new FormatException("inclusion proof has more than " + InclusionProof.HASHES_MAX + " hashes");
    }
    List<Hash> proof = new ArrayList<>();
    while (at < lines.length) {
      proof.add(Hash.fromBase64(lines[at++]));
    }
    byte[] noteBytes = Arrays.copyOfRange(bytes, blank + 2, bytes.length);
    return new TlogProof(extra, index, proof, SignedNote.parse(noteBytes));
  }

  private static int indexOfBlankLine(byte[] bytes) {
    for (int i = 0; i + 1 < bytes.length; i++) {
      if (bytes[i] == '\n' && bytes[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /**
   * Verifies that the entry with leaf hash {@code leafHash} is at {@link #index} in a
   * checkpoint that satisfies {@code policy}. The extra data plays no part.
   */
  public Verdict<VerifiedCheckpoint> verify(Hash leafHash, CheckpointPolicy policy) {
    Verdict<VerifiedCheckpoint> checkpointVerdict = policy.verify(checkpoint);
    if (!(checkpointVerdict instanceof Verdict.Verified<VerifiedCheckpoint> ok)) {
      return checkpointVerdict;
    }
    Checkpoint c = ok.value().checkpoint();
    Verdict<Hash> inclusion = new InclusionProof(index, c.size(), proof).verify(leafHash, c.rootHash());
    if (!inclusion.isVerified()) {
      return Verdict.rejected(inclusion.reasonOrEmpty());
    }
    return checkpointVerdict;
  }

  /** {@link #verify(Hash, CheckpointPolicy)} for the entry's bytes. */
  public Verdict<VerifiedCheckpoint> verifyEntry(byte[] entry, CheckpointPolicy policy) {
    return verify(Rfc6962.leafHash(entry), policy);
  }

  /** Parses then verifies; malformed input is a rejection like any other. */
  public static Verdict<VerifiedCheckpoint> verify(byte[] proofBytes, byte[] entry, CheckpointPolicy policy) {
    try {
      return parse(proofBytes).verifyEntry(entry, policy);
    } catch (FormatException e) {
      return Verdict.rejected("malformed tlog-proof: " + e.getMessage());
    }
  }
}
