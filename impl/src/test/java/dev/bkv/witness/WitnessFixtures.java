package dev.bkv.witness;

import dev.bkv.crypto.Ed25519;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.MerkleTree;
import dev.bkv.tlog.SignedNote;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Test fixtures: a witness in a temporary directory, and a small log whose checkpoints it cosigns. */
public final class WitnessFixtures {
  public static final String NAME = "witness.example/w1";

  private WitnessFixtures() {}

  /** A fresh witness directory with keys from a fixed seed (fast and repeatable). */
  public static WitnessKeys init(Path dir) throws Exception {
    SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(42);
    return Witness.init(dir, NAME, WitnessKeys.defaultOrigin(NAME), random);
  }

  public static Witness open(Path dir, AtomicLong clock) throws Exception {
    return Witness.open(dir, clock::get, CrashPoints.NONE);
  }

  /** A log another party runs, which the witness is asked to cosign. */
  public static final class OtherLog {
    public final String origin;
    public final Ed25519Note.Signer key;
    public final MerkleTree tree = new MerkleTree();

    public OtherLog(String origin, int seed) {
      this.origin = origin;
      byte[] bytes = new byte[32];
      bytes[0] = (byte) seed;
      this.key = new Ed25519Note.Signer(origin, Ed25519.PrivateKey.fromSeed(bytes));
    }

    public void grow(int entries) {
      for (int i = 0; i < entries; i++) {
        tree.appendEntry(("entry " + tree.size()).getBytes(StandardCharsets.UTF_8));
      }
    }

    public SignedNote checkpoint(long size) {
      return SignedNote.sign(new Checkpoint(origin, size, tree.rootHash(size)).text(), List.of(key));
    }

    /** An add-checkpoint body from {@code oldSize} to the tree's current size. */
    public byte[] request(long oldSize) throws Exception {
      List<Hash> proof = oldSize == 0 ? List.of() : ConsistencyProof.generate(tree, oldSize, tree.size()).hashes();
      return new AddCheckpointRequest(oldSize, proof, checkpoint(tree.size())).format().getBytes(StandardCharsets.UTF_8);
    }
  }
}
