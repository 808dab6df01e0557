package dev.bkv.bench;

import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.InclusionProof;
import dev.bkv.tlog.MerkleTree;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.Verdict;
import dev.bkv.tlog.VerifiedCheckpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The transparency-log costs a client and the witness pay: RFC 9162 inclusion and
 * consistency proof verification at 2^10, 2^20 and 2^30 leaves, checkpoint verification
 * under the client's k-of-n cosigning policy, and the witness's in-memory append.
 *
 * <p>Every input is checked in set-up (valid input verifies, a flipped byte does not), and
 * every invocation checks it verified, so no figure can be the cost of a rejection.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TlogBench {
  /**
   * The old tree of a consistency proof is this many leaves smaller than the new one: not a
   * power of two, so the old tree is not one complete subtree and the proof has its full
   * length (log2 size + 1 hashes).
   */
  static final long CONSISTENCY_GAP_LEAVES = 3;
  /** The tree size the measured checkpoint states (its cost does not depend on it). */
  static final long CHECKPOINT_TREE_SIZE = 1L << 20;
  /** Entries in the in-memory tree at the start of each iteration: a witness log of a few thousand bundles. */
  static final int APPEND_PREFILL_ENTRIES = 4096;

  /** Proofs in a tree of 2^log2Size leaves (see {@link SyntheticTree}). */
  @State(Scope.Benchmark)
  public static class Proofs {
    @Param({"10", "20", "30"})
    public int log2Size;

    Hash leafHash;
    Hash root;
    InclusionProof inclusion;
    Hash oldRoot;
    ConsistencyProof consistency;

    @Setup
    public void setUp() throws IOException {
      long size = 1L << log2Size;
      long leaf = inclusionLeaf(log2Size);
      long oldSize = consistencyOldSize(log2Size);
      SyntheticTree tree = new SyntheticTree(log2Size, leaf, oldSize - 1);
      leafHash = tree.node(0, leaf);
      root = tree.rootHash(size);
      inclusion = InclusionProof.generate(tree, leaf, size);
      oldRoot = tree.rootHash(oldSize);
      consistency = ConsistencyProof.generate(tree, oldSize, size);

      requireVerified(inclusion.verify(leafHash, root), "inclusion proof");
      requireRejected(withFlippedByte(inclusion).verify(leafHash, root), "inclusion proof with a flipped byte");
      requireVerified(consistency.verify(oldRoot, root), "consistency proof");
      requireRejected(withFlippedByte(consistency).verify(oldRoot, root), "consistency proof with a flipped byte");
      if (inclusion.hashes().size() != log2Size || consistency.hashes().size() != log2Size + 1) {
        throw new IllegalStateException("benchmark set-up: proofs in a tree of 2^" + log2Size + " leaves should have "
            + log2Size + " and " + (log2Size + 1) + " hashes, got " + inclusion.hashes().size() + " and "
            + consistency.hashes().size());
      }
    }
  }

  /** A checkpoint note as received, and the client's policy: the log key and k of 3 cosigners. */
  @State(Scope.Benchmark)
  public static class Checkpoints {
    /** k: cosignatures the policy requires; the note carries exactly that many. */
    @Param({"0", "1", "3"})
    public int cosignatures;

    CheckpointPolicy policy;
    byte[] note;

    @Setup
    public void setUp() {
      policy = BenchFixtures.trustAnchors(cosignatures).checkpointPolicy();
      Hash root = new Hash(BenchFixtures.seed("checkpoint root"));
      Checkpoint checkpoint = new Checkpoint(BenchFixtures.LOG_ORIGIN, CHECKPOINT_TREE_SIZE, root);
      SignedNote signed = BenchFixtures.signedCheckpoint(checkpoint, cosignatures, BenchFixtures.NOW_SECONDS);
      note = signed.toBytes();

      requireVerified(policy.verify(note), "checkpoint with " + cosignatures + " cosignatures");
      Checkpoint otherSize = new Checkpoint(BenchFixtures.LOG_ORIGIN, CHECKPOINT_TREE_SIZE + 1, root);
      requireRejected(policy.verify(new SignedNote(otherSize.text(), signed.signatures()).toBytes()),
          "checkpoint whose size was changed after signing");
      if (cosignatures > 0) {
        SignedNote tooFew = BenchFixtures.signedCheckpoint(checkpoint, cosignatures - 1, BenchFixtures.NOW_SECONDS);
        requireRejected(policy.verify(tooFew.toBytes()), "checkpoint with one cosignature too few");
      }
    }
  }

  /** A fresh in-memory tree per iteration, so an iteration's appends start from the same size. */
  @State(Scope.Benchmark)
  public static class Appends {
    MerkleTree tree;
    byte[] entry;

    @Setup(Level.Iteration)
    public void setUp() {
      entry = BenchFixtures.bundle("fleet-a", 1, Optional.empty()).toBytes();
      tree = new MerkleTree();
      for (int i = 0; i < APPEND_PREFILL_ENTRIES; i++) {
        tree.appendEntry(entry);
      }
    }
  }

  /** RFC 9162 section 2.1.3.2 for the last leaf: log2Size node hashes. */
  @Benchmark
  public Verdict<Hash> verifyInclusion(Proofs proofs) {
    return requireVerified(proofs.inclusion.verify(proofs.leafHash, proofs.root), "inclusion proof");
  }

  /** RFC 9162 section 2.1.4.2 from size 2^L - 3 to 2^L: both roots recomputed. */
  @Benchmark
  public Verdict<Hash> verifyConsistency(Proofs proofs) {
    return requireVerified(proofs.consistency.verify(proofs.oldRoot, proofs.root), "consistency proof");
  }

  /** Parse the note, open it with the log key and the cosigners' keys, check origin and k. */
  @Benchmark
  public Verdict<VerifiedCheckpoint> verifyCheckpoint(Checkpoints checkpoints) {
    return requireVerified(checkpoints.policy.verify(checkpoints.note), "checkpoint");
  }

  /**
   * What the witness's tree does per logged bundle: hash the entry (a 5-HSM bundle, about
   * 1.4 KB), fold the subtrees it completes, and compute the new root for the checkpoint.
   */
  @Benchmark
  public Hash appendInMemory(Appends appends) {
    appends.tree.appendEntry(appends.entry);
    return appends.tree.root();
  }

  /** The leaf whose inclusion is measured: the last, as in the receipt for the newest entry. */
  static long inclusionLeaf(int log2Size) {
    return (1L << log2Size) - 1;
  }

  static long consistencyOldSize(int log2Size) {
    return (1L << log2Size) - CONSISTENCY_GAP_LEAVES;
  }

  /** Node hashes the inclusion verifier computes: one per proof hash. */
  static int inclusionNodeHashes(int log2Size) {
    return InclusionProof.expectedLength(inclusionLeaf(log2Size), 1L << log2Size);
  }

  /**
   * Node hashes the consistency verifier computes from {@code oldSize} to {@code newSize}:
   * the new root takes one per path element after the first, the old root one per complete
   * subtree of the old tree after the first (bitCount(oldSize) - 1). The path is the proof,
   * with the old root in front when the old size is a power of two.
   */
  static int consistencyNodeHashes(long oldSize, long newSize) {
    int path = ConsistencyProof.expectedLength(oldSize, newSize) + (Long.bitCount(oldSize) == 1 ? 1 : 0);
    return (path - 1) + (Long.bitCount(oldSize) - 1);
  }

  static int consistencyNodeHashes(int log2Size) {
    return consistencyNodeHashes(consistencyOldSize(log2Size), 1L << log2Size);
  }

  static InclusionProof withFlippedByte(InclusionProof proof) {
    return new InclusionProof(proof.leafIndex(), proof.treeSize(), flipFirstByte(proof.hashes()));
  }

  static ConsistencyProof withFlippedByte(ConsistencyProof proof) {
    return new ConsistencyProof(proof.oldSize(), proof.newSize(), flipFirstByte(proof.hashes()));
  }

  private static List<Hash> flipFirstByte(List<Hash> hashes) {
    List<Hash> flipped = new ArrayList<>(hashes);
    byte[] first = flipped.get(0).toBytes();
    first[0] ^= 0x01;
    flipped.set(0, new Hash(first));
    return flipped;
  }

  static <T> Verdict<T> requireVerified(Verdict<T> verdict, String what) {
    if (!verdict.isVerified()) {
      throw new IllegalStateException("benchmark input must verify: " + what + ": " + verdict.reasonOrEmpty());
    }
    return verdict;
  }

  static <T> void requireRejected(Verdict<T> verdict, String what) {
    if (verdict.isVerified()) {
      throw new IllegalStateException("benchmark set-up: " + what + " must be rejected, and verified");
    }
  }
}
