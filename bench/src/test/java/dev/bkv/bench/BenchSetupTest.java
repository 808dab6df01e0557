package dev.bkv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleVerdict;
import dev.bkv.tlog.TilePath;
import dev.bkv.tlog.Verdict;
import dev.bkv.witness.WitnessService;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The transparency-log and bundle benchmarks run outside JMH: every set-up completes (so its
 * own accept and reject checks held) and every benchmark method returns the success outcome
 * it is meant to time; the witness directories are gone after tear-down.
 */
class BenchSetupTest {
  private final TlogBench tlog = new TlogBench();
  private final BundleBench bundle = new BundleBench();

  @Test
  void whenProofStatesAreSetUp_thenBothProofsVerifyAtEverySize() throws Exception {
    for (int log2Size : new int[] {10, 20, 30}) {
      TlogBench.Proofs proofs = new TlogBench.Proofs();
      proofs.log2Size = log2Size;
      proofs.setUp();
      assertTrue(tlog.verifyInclusion(proofs).isVerified());
      assertTrue(tlog.verifyConsistency(proofs).isVerified());
    }
  }

  @Test
  void whenCheckpointStatesAreSetUp_thenTheNoteSatisfiesTheKOfNPolicy() {
    for (int k : new int[] {0, 1, 3}) {
      TlogBench.Checkpoints checkpoints = new TlogBench.Checkpoints();
      checkpoints.cosignatures = k;
      checkpoints.setUp();
      Verdict<?> verdict = tlog.verifyCheckpoint(checkpoints);
      assertTrue(verdict.isVerified());
    }
  }

  @Test
  void whenACheckpointStateAsksForMoreCosignersThanTrusted_thenSetUpFails() {
    TlogBench.Checkpoints checkpoints = new TlogBench.Checkpoints();
    checkpoints.cosignatures = BenchFixtures.COSIGNERS + 1;
    assertThrows(IllegalArgumentException.class, checkpoints::setUp);
  }

  @Test
  void whenTheInMemoryTreeAppends_thenItGrowsByOneAndTheRootChanges() {
    TlogBench.Appends appends = new TlogBench.Appends();
    appends.setUp();
    var before = appends.tree.root();
    var after = tlog.appendInMemory(appends);
    assertEquals(TlogBench.APPEND_PREFILL_ENTRIES + 1, appends.tree.size());
    assertFalse(before.equals(after));
  }

  @Test
  void whenTheOtaStateIsSetUp_thenBothModesAccept() throws Exception {
    BundleBench.Ota ota = new BundleBench.Ota();
    ota.setUp();
    BundleVerdict.Accepted accepted = (BundleVerdict.Accepted) bundle.verifyOta(ota);
    assertEquals(2, accepted.epoch());
    assertEquals(BundleBench.OTA_COSIGNATURES, accepted.checkpoint().orElseThrow().cosignatures().size());
    assertEquals(BundleBench.OTA_LOG_ENTRIES, accepted.checkpoint().orElseThrow().checkpoint().size());
    assertTrue(bundle.verifyPinned(ota).accepted());
  }

  @Test
  void whenTheWitnessAppendsDurably_thenEachBundleGetsTheNextIndexAndTheDirectoryIsRemoved() throws Exception {
    BundleBench.DurableLog durable = new BundleBench.DurableLog();
    durable.setUp();
    Path dir = durable.log.dir;
    try {
      WitnessService.Reply receipt = bundle.appendDurable(durable);
      assertTrue(receipt.bodyText().contains("\nindex 1\n"), receipt.bodyText());
      bundle.appendDurable(durable);
      assertEquals(3, durable.log.witness.log().size());
    } finally {
      durable.tearDown();
    }
    assertFalse(Files.exists(dir));
  }

  @Test
  void whenTilesAreServed_thenFullPartialAndEntryBundleHaveTheirSizes() throws Exception {
    BundleBench.TiledLog tiled = new BundleBench.TiledLog();
    tiled.setUp();
    Path dir = tiled.log.dir;
    try {
      assertEquals("/tile/0/010", tiled.fullTile);
      assertEquals("/tile/0/011.p/184", tiled.partialTile);
      assertEquals(TilePath.FULL_WIDTH * 32, bundle.serveFullTile(tiled).body().length);
      assertEquals(184 * 32, bundle.servePartialTile(tiled).body().length);
      assertEquals(200, bundle.serveEntryBundle(tiled).status());
      assertThrows(IllegalStateException.class, () -> tiled.serve("/tile/0/012"));
    } finally {
      tiled.tearDown();
    }
    assertFalse(Files.exists(dir));
  }
}
