package dev.bkv.site;

import dev.bkv.audit.AuditWorld;
import dev.bkv.audit.LogReaderTest;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.NoteSigner;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.TilePath;
import dev.bkv.tlog.Tiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A witness's log of two fleet epochs (3 HSMs, then a rotation to 5), with their evidence
 * published, read through a fetcher that can serve a tampered entry or another checkpoint in
 * place of the witness's own: the material of a transparency page, honest or not.
 */
final class SiteWorld implements AutoCloseable {
  /** The page is made an hour into the bundles' validity. */
  static final long MADE_AT = AuditWorld.NOT_BEFORE + 3600;

  final AuditWorld world;
  final LogReaderTest.ServiceFetcher fetcher;
  final List<ValidationBundle> bundles = new ArrayList<>();

  SiteWorld(Path dir) throws Exception {
    world = new AuditWorld(dir);
    AuditWorld.Fleet one = world.fleet("fleet-1", 3);
    AuditWorld.Fleet two = world.fleet("fleet-2", 5);
    bundles.add(AuditWorld.bundle(one, one, 1, Optional.empty()));
    bundles.add(AuditWorld.bundle(two, two, 2, Optional.of(bundles.get(0).digest())));
    for (ValidationBundle b : bundles) {
      world.publish(b);
    }
    fetcher = new LogReaderTest.ServiceFetcher(world.witness.service());
  }

  TransparencySite.Inputs inputs() {
    return new TransparencySite.Inputs(fetcher, world.witness.keys().log().verifier(),
        world.witness.keys().bundle().verifier(), world.witness.keys().vkeys(), world.witnessed, world.evidence,
        Optional.of(world.base.vendor.root()), MADE_AT);
  }

  private static final String ENTRIES = TilePath.entryBundle(0, 2).format();

  /** The log serves entry {@code index} with {@code from} replaced by {@code to} (same length), its hash tiles untouched. */
  void tamperEntry(int index, String from, String to) throws IOException, FormatException {
    List<byte[]> entries = new ArrayList<>(Tiles.decodeEntryBundle(fetcher.fetch(ENTRIES, Tiles.BUNDLE_BYTES_MAX), 2));
    String text = new String(entries.get(index), StandardCharsets.UTF_8);
    if (!text.contains(from)) {
      throw new IllegalArgumentException("entry " + index + " has no " + from);
    }
    entries.set(index, text.replace(from, to).getBytes(StandardCharsets.UTF_8));
    fetcher.overrides.put(ENTRIES, Tiles.encodeEntryBundle(entries));
  }

  /**
   * The log serves a checkpoint of the same size with another root, signed by the witness's
   * own log key: a fork the witness signed, which its tiles do not hash to.
   */
  void forkCheckpoint() throws FormatException {
    Checkpoint real = currentCheckpoint();
    byte[] other = real.rootHash().toBytes();
    other[0] ^= 1;
    serveCheckpoint(new Checkpoint(real.origin(), real.size(), new Hash(other)), List.of(world.witness.keys().log()));
  }

  /** The log serves its checkpoint cosigned by the witness's cosigner key as well (cosignature/v1). */
  void cosignCheckpoint() throws FormatException {
    serveCheckpoint(currentCheckpoint(), List.of(world.witness.keys().log(), world.witness.keys().cosigner().at(MADE_AT)));
  }

  /** The log serves its checkpoint with one bit of the log key's signature flipped. */
  void breakCheckpointSignature() {
    byte[] note = world.witness.log().checkpoint().toBytes();
    String text = new String(note, StandardCharsets.UTF_8);
    int last = text.lastIndexOf(' ') + 1; // the signature line's base64 starts here
    byte[] sig = java.util.Base64.getDecoder().decode(text.substring(last).strip());
    sig[10] ^= 1;
    String broken = text.substring(0, last) + java.util.Base64.getEncoder().encodeToString(sig) + "\n";
    fetcher.overrides.put("checkpoint", broken.getBytes(StandardCharsets.UTF_8));
  }

  private Checkpoint currentCheckpoint() throws FormatException {
    return Checkpoint.parse(world.witness.log().checkpoint().text());
  }

  private void serveCheckpoint(Checkpoint checkpoint, List<? extends NoteSigner> signers) {
    fetcher.overrides.put("checkpoint", SignedNote.sign(checkpoint.text(), signers).toBytes());
  }

  /** The hex HSM ids of a bundle's members. */
  static List<String> hsmIds(ValidationBundle bundle) {
    return bundle.members().stream().map(m -> m.hsmId().toHex()).toList();
  }

  @Override
  public void close() throws Exception {
    world.close();
  }
}
