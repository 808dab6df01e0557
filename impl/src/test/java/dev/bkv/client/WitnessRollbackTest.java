package dev.bkv.client;

import static dev.bkv.testsupport.TestFiles.copyTree;
import static dev.bkv.testsupport.TestFiles.deleteTree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.audit.CheckpointComparison;
import dev.bkv.bundle.BundleCheck;
import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.BundleVerdict;
import dev.bkv.bundle.OperatorCountersignature;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.TileFetcher;
import dev.bkv.tlog.VerifierSet;
import dev.bkv.witness.BundleReceipt;
import dev.bkv.witness.Witness;
import dev.bkv.witness.WitnessFixtures;
import dev.bkv.witness.WitnessKeys;
import dev.bkv.witness.WitnessService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A witness whose WHOLE directory is rolled back cannot see it from inside (its files agree
 * with each other), but a client that saw a larger checkpoint rejects what the rolled-back
 * witness signs next: a smaller checkpoint as a rollback, a larger one as a fork (G6).
 */
class WitnessRollbackTest {
  static final long NOW = BundleFixtures.NOT_BEFORE + 1000;
  /** Entries in the witness log when its directory is copied. */
  static final int COPIED_SIZE = 3;
  /** Entries appended after the copy, the last of them the bundle the client accepts. */
  static final int APPENDED_AFTER_COPY = 3;

  @TempDir Path temp;

  @Test
  void whenTheWitnessDirectoryIsRestoredFromAnOlderCopy_thenAClientThatSawMoreRejectsItsCheckpoints() throws Exception {
    Path live = temp.resolve("witness");
    Path copy = temp.resolve("copy");
    WitnessKeys keys = WitnessFixtures.init(live);
    TrustAnchors anchors = new TrustAnchors(BundleFixtures.NAMESPACE, keys.bundle().verifier(),
        BundleFixtures.operatorKey().publicKey(), keys.origin(), keys.log().verifier(), VerifierSet.of(), 0);
    try (Witness witness = Witness.open(live)) {
      for (int i = 0; i < COPIED_SIZE; i++) {
        witness.log().append(("other bundle " + i).getBytes(StandardCharsets.UTF_8));
      }
    }
    copyTree(live, copy);

    ValidationBundle epoch1 = BundleFixtures.bundle("fleet-a", 1, Optional.empty());
    FleetTrust client = FleetTrust.open(temp.resolve("client"), anchors);
    try (Witness witness = Witness.open(live)) {
      for (int i = 1; i < APPENDED_AFTER_COPY; i++) {
        witness.log().append(("later bundle " + i).getBytes(StandardCharsets.UTF_8));
      }
      assertTrue(client.offer(witnessed(witness, epoch1), tiles(witness), NOW).accepted());
    }
    assertEquals(COPIED_SIZE + APPENDED_AFTER_COPY, client.storedSize());

    deleteTree(live);
    copyTree(copy, live);
    ValidationBundle epoch2 = BundleFixtures.bundle("fleet-b", 2, Optional.of(epoch1.digest()));
    try (Witness rolledBack = Witness.open(live)) {
      assertEquals(COPIED_SIZE, rolledBack.log().size(), "the copy is self-consistent: the witness starts");
      byte[] smaller = witnessed(rolledBack, epoch2);
      assertEquals(COPIED_SIZE + 1, checkpointSize(smaller));
      BundleVerdict.Rejected rollback = assertInstanceOf(BundleVerdict.Rejected.class, client.offer(smaller, tiles(rolledBack), NOW));
      assertEquals(BundleCheck.CONSISTENCY, rollback.check());
      assertTrue(rollback.reason().contains("rollback"), rollback.reason());

      // Grown past what the client saw, on a different history: the proof cannot verify,
      // and gossip turns the two signed checkpoints into split-view evidence.
      for (int i = 0; i < APPENDED_AFTER_COPY; i++) {
        rolledBack.log().append(("forked bundle " + i).getBytes(StandardCharsets.UTF_8));
      }
      byte[] larger = witnessed(rolledBack, epoch2); // already logged: same index, current checkpoint
      assertTrue(checkpointSize(larger) > client.storedSize());
      BundleVerdict.Rejected fork = assertInstanceOf(BundleVerdict.Rejected.class, client.offer(larger, tiles(rolledBack), NOW));
      assertEquals(BundleCheck.CONSISTENCY, fork.check());
      CheckpointComparison.SplitView split = assertInstanceOf(CheckpointComparison.SplitView.class,
          client.meet(rolledBack.log().checkpoint(), tiles(rolledBack), tiles(rolledBack)));
      assertTrue(split.evidence().verify(anchors.checkpointPolicy()).isVerified());
    }
    assertEquals(1, client.fleet().orElseThrow().epoch(), "the client still trusts what it saw before the rollback");
  }

  /** Logs {@code bundle} in the witness and returns it as a client receives it, countersigned by the operator. */
  static byte[] witnessed(Witness witness, ValidationBundle bundle) throws Exception {
    BundleReceipt receipt = witness.log().append(bundle.toBytes());
    var countersignature = BundleFixtures.operatorKey().sign(OperatorCountersignature.message(receipt.bundleSignature()));
    return WitnessedBundle.of(bundle, receipt.bundleSignature(), receipt.proof(), countersignature).toBytes();
  }

  static long checkpointSize(byte[] witnessed) throws Exception {
    return Checkpoint.parse(WitnessedBundle.parse(witnessed).proof().checkpoint().text()).size();
  }

  /** The witness's tiles, through the same service the HTTP server answers with. */
  static TileFetcher tiles(Witness witness) {
    WitnessService service = witness.service();
    return (path, bytesMax) -> {
      WitnessService.Reply reply = service.handle("GET", "/" + path, new byte[0]);
      if (reply.status() != 200 || reply.body().length > bytesMax) {
        throw new IOException(reply.status() + " " + path);
      }
      return reply.body();
    };
  }
}
