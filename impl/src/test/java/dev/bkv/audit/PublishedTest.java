package dev.bkv.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.FleetRun;
import dev.bkv.evidence.PublicFolder;
import dev.bkv.tlog.SignedNote;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a published folder: its fixed layout only, in name order, each file bounded and a
 * malformed or linked one an error naming it; and the two single files an audit is given
 * (a pinned bundle, the last audited checkpoint).
 */
class PublishedTest {
  static final BundleFixtures.Log LOG = new BundleFixtures.Log();
  static WitnessedBundle first;
  static WitnessedBundle second;
  static DeploymentEvidence evidence;

  @TempDir Path tmp;

  @BeforeAll
  static void fixtures() throws Exception {
    ValidationBundle one = BundleFixtures.bundle("fleet-1", 1, Optional.empty());
    first = BundleFixtures.witness(LOG, one);
    second = BundleFixtures.witness(LOG, BundleFixtures.bundle("fleet-1", 2, Optional.of(one.digest())));
    evidence = new FleetRun(3, 3).evidence();
  }

  Path folder() throws IOException {
    Path pub = tmp.resolve("public");
    Files.createDirectories(pub.resolve("bundles"));
    Files.createDirectories(pub.resolve("evidence"));
    Files.write(pub.resolve("bundles/2.witnessed"), second.toBytes());
    Files.write(pub.resolve("bundles/1.witnessed"), first.toBytes());
    Files.writeString(pub.resolve("bundles/README"), "not a bundle\n");
    Files.write(pub.resolve("evidence/fleet-1.txt"), evidence.toBytes());
    Files.writeString(pub.resolve("evidence/notes.md"), "not evidence\n");
    return pub;
  }

  @Test
  void theFolderIsReadInNameOrder_skippingOtherNames() throws Exception {
    Path pub = folder();
    List<Path> opened = new ArrayList<>();
    Published published = Published.load(pub, (file, max) -> {
      opened.add(file);
      return Published.Reader.FILES.read(file, max);
    });
    assertEquals(List.of(hex(first), hex(second)), published.witnessed().stream().map(PublishedTest::hex).toList());
    assertEquals(List.of(evidence), published.evidence());
    assertEquals(Optional.empty(), published.vendorRoot());
    assertEquals(List.of(pub.resolve("bundles/1.witnessed"), pub.resolve("bundles/2.witnessed"),
        pub.resolve("evidence/fleet-1.txt")), opened);

    Files.writeString(pub.resolve(PublicFolder.VENDOR_ROOT_FILE), "root\n");
    assertArrayEquals("root\n".getBytes(), Published.load(pub).vendorRoot().orElseThrow());
    assertEquals(List.of(), Published.load(Files.createDirectories(tmp.resolve("empty"))).witnessed());
  }

  static String hex(WitnessedBundle w) {
    return dev.bkv.base.Hex.encode(w.toBytes());
  }

  @Test
  void whatIsNotAPublishedFolderIsRefused() throws Exception {
    Path none = tmp.resolve("none");
    assertEquals(none + ": no such directory", assertThrows(IOException.class, () -> Published.load(none)).getMessage());
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertEquals(file + ": not a directory", assertThrows(IOException.class, () -> Published.load(file)).getMessage());
    Path workspace = Files.createDirectories(tmp.resolve("ops"));
    Files.writeString(workspace.resolve("namespace"), "n\n");
    assertEquals(workspace + " is an operator workspace, which holds HSM keys; give its published folder ("
        + workspace.resolve("public") + ") instead",
        assertThrows(IOException.class, () -> Published.load(workspace)).getMessage());
  }

  @Test
  void aMalformedFileIsAnErrorNamingIt() throws Exception {
    Path pub = folder();
    Path bad = pub.resolve("bundles/3.witnessed");
    Files.writeString(bad, "not a witnessed bundle\n");
    assertTrue(assertThrows(IOException.class, () -> Published.load(pub)).getMessage().startsWith(bad + ": "));
    Files.delete(bad);
    Path badEvidence = pub.resolve("evidence/fleet-2.txt");
    Files.writeString(badEvidence, "not evidence\n");
    assertTrue(assertThrows(IOException.class, () -> Published.load(pub)).getMessage().startsWith(badEvidence + ": "));
  }

  @Test
  void linksAreRefused_whereverTheyAre() throws Exception {
    Path pub = folder();
    Path secret = Files.writeString(tmp.resolve("secret"), "key\n");
    Path root = pub.resolve(PublicFolder.VENDOR_ROOT_FILE);
    Files.createSymbolicLink(root, secret);
    assertEquals(root + " is not a plain file (a published folder holds no links or special files)",
        assertThrows(IOException.class, () -> Published.load(pub)).getMessage());
    Files.delete(root);

    Path link = pub.resolve("bundles/3.witnessed");
    Files.createSymbolicLink(link, pub.resolve("bundles/1.witnessed"));
    assertEquals(link + " is not a plain file (a published folder holds no links or special files)",
        assertThrows(IOException.class, () -> Published.load(pub)).getMessage());
    Files.delete(link);

    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Path evidenceDir = pub.resolve("evidence");
    Files.move(evidenceDir, elsewhere.resolve("evidence"));
    Files.createSymbolicLink(evidenceDir, elsewhere.resolve("evidence"));
    assertEquals(evidenceDir + " is not a plain directory (a published folder holds no links)",
        assertThrows(IOException.class, () -> Published.load(pub)).getMessage());
  }

  @Test
  void aPinnedBundleIsAPlainOrAWitnessedBundle_ofBoundedSize() throws Exception {
    Path plain = Files.write(tmp.resolve("1.bundle"), first.bundle().toBytes());
    Path witnessed = Files.write(tmp.resolve("1.witnessed"), first.toBytes());
    assertEquals(first.bundle(), Published.pinned(plain));
    assertEquals(first.bundle(), Published.pinned(witnessed));

    Path oneLine = Files.writeString(tmp.resolve("one-line"), WitnessedBundle.HEADER);
    assertTrue(assertThrows(IOException.class, () -> Published.pinned(oneLine)).getMessage().startsWith(oneLine + ": "));
    long max = Math.max(WitnessedBundle.WITNESSED_BYTES_MAX, DeploymentEvidence.EVIDENCE_BYTES_MAX);
    Path big = tmp.resolve("big");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(max);
    }
    String atLimit = assertThrows(IOException.class, () -> Published.pinned(big)).getMessage();
    assertFalse(atLimit.contains("too large"), atLimit);
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(max + 1);
    }
    assertEquals(big + " is too large for a bundle", assertThrows(IOException.class, () -> Published.pinned(big)).getMessage());
  }

  @Test
  void theLastAuditedCheckpointIsStoredAndReadBack() throws Exception {
    Path file = tmp.resolve("audited");
    assertEquals(Optional.empty(), Published.lastAudited(file));
    SignedNote checkpoint = LOG.checkpoint(2, List.of());
    Published.storeAudited(file, checkpoint);
    assertArrayEquals(checkpoint.toBytes(), Published.lastAudited(file).orElseThrow().toBytes());
    Files.writeString(file, "not a note\n");
    assertTrue(assertThrows(IOException.class, () -> Published.lastAudited(file)).getMessage().startsWith(file + ": "));
  }

  @Test
  void aFolderOfExactlyTheFileLimitIsRead_andOneFileMoreIsRefusedBeforeAnyIsParsed() throws Exception {
    Path pub = folder();
    Path bundles = pub.resolve("bundles");
    // The two real bundles sort first (1, 2), then empty files up to the limit: the first empty one is refused as malformed.
    for (int i = 2; i < Auditor.PUBLISHED_FILES_MAX; i++) {
      Files.createFile(bundles.resolve(String.format("x%05d.witnessed", i)));
    }
    String atLimit = assertThrows(IOException.class, () -> Published.load(pub)).getMessage();
    assertTrue(atLimit.startsWith(bundles.resolve("x00002.witnessed") + ": "), atLimit);
    Files.createFile(bundles.resolve("y.witnessed"));
    assertEquals(bundles + " holds more than " + Auditor.PUBLISHED_FILES_MAX + " published files",
        assertThrows(IOException.class, () -> Published.load(pub)).getMessage());
  }
}
