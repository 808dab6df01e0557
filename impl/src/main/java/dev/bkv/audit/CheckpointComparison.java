package dev.bkv.audit;

import dev.bkv.base.Bytes;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.NodeSource;
import dev.bkv.tlog.Rfc6962;
import dev.bkv.tlog.Verdict;
import dev.bkv.tlog.VerifiedCheckpoint;
import java.io.IOException;
import java.util.List;

/**
 * What two parties learn when their checkpoints of one log meet (spec action
 * {@code Gossip(p, q)}; {@code AuditorCheck(p)} when one side is the auditor's log): the
 * views are consistent, or the log has shown a split view and here is the evidence, or the
 * data offered settles nothing. Pure and total: the caller supplies both checkpoints,
 * already verified against the log's policy, and what the larger tree holds at the
 * smaller size.
 */
public final class CheckpointComparison {
  private CheckpointComparison() {}

  /** The outcome of one comparison. */
  public sealed interface Outcome permits Consistent, SplitView, Unresolved {}

  /** The views agree; {@code larger} is the one that extends the other. */
  public record Consistent(VerifiedCheckpoint larger) implements Outcome {}

  /** The log signed two views that cannot both be true: the alarm of G6. */
  public record SplitView(SplitViewEvidence evidence) implements Outcome {}

  /** Nothing could be decided (for example the offered proof does not verify); says why. */
  public record Unresolved(String reason) implements Outcome {}

  /**
   * What the larger tree commits to at the smaller size: the root of its first
   * {@code smallerSize} leaves and a consistency proof from there to its root.
   */
  public record LargerTreePrefix(long smallerSize, Hash root, List<Hash> proof) {
    public LargerTreePrefix {
      proof = List.copyOf(proof);
    }

    /**
     * Reads the prefix from any source of the larger tree's nodes (tiles of the larger
     * checkpoint, or an in-memory tree). The result is checked by {@link #compare}, so the
     * source need not be trusted.
     */
    public static LargerTreePrefix of(NodeSource largerTree, long smallerSize) throws IOException {
      if (smallerSize == 0 || smallerSize == largerTree.size()) {
        return new LargerTreePrefix(smallerSize, largerTree.rootHash(smallerSize), List.of());
      }
      List<Hash> proof = ConsistencyProof.generate(largerTree, smallerSize, largerTree.size()).hashes();
      return new LargerTreePrefix(smallerSize, largerTree.rootHash(smallerSize), proof);
    }
  }

  /**
   * Compares two verified checkpoints of the same log. For different sizes, {@code prefix}
   * must describe the larger one at the smaller size.
   */
  public static Outcome compare(VerifiedCheckpoint a, VerifiedCheckpoint b, LargerTreePrefix prefix) {
    Checkpoint ca = a.checkpoint();
    Checkpoint cb = b.checkpoint();
    if (!ca.origin().equals(cb.origin())) {
      return new Unresolved("checkpoints of different logs: " + ca.origin() + " and " + cb.origin());
    }
    VerifiedCheckpoint smaller = ca.size() <= cb.size() ? a : b;
    VerifiedCheckpoint larger = smaller == a ? b : a;
    Checkpoint s = smaller.checkpoint();
    Checkpoint l = larger.checkpoint();
    if (s.size() == l.size()) {
      if (Bytes.constantTimeEquals(s.rootHash().toBytes(), l.rootHash().toBytes())) {
        return new Consistent(larger);
      }
      // Two roots for one size: the signatures alone convict the log.
      return new SplitView(new SplitViewEvidence(smaller.note().note(), larger.note().note(), List.of(), l.rootHash()));
    }
    if (prefix.smallerSize() != s.size()) {
      return new Unresolved("the prefix offered is for size " + prefix.smallerSize() + ", not " + s.size());
    }
    Verdict<Hash> committed = s.size() == 0
        ? (prefix.proof().isEmpty() && prefix.root().equals(Rfc6962.EMPTY_ROOT)
            ? Verdict.verified(l.rootHash())
            : Verdict.rejected("a tree's prefix of size 0 is the empty root, with no proof"))
        : new ConsistencyProof(s.size(), l.size(), prefix.proof()).verify(prefix.root(), l.rootHash());
    if (!committed.isVerified()) {
      return new Unresolved("the consistency data offered does not verify against the larger checkpoint: "
          + committed.reasonOrEmpty());
    }
    if (Bytes.constantTimeEquals(prefix.root().toBytes(), s.rootHash().toBytes())) {
      return new Consistent(larger);
    }
    return new SplitView(new SplitViewEvidence(smaller.note().note(), larger.note().note(), prefix.proof(), prefix.root()));
  }
}
