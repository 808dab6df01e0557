package dev.bkv.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.crypto.Ed25519;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.NoteSignature;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.TileClient;
import dev.bkv.tlog.Verdict;
import dev.bkv.tlog.VerifiedCheckpoint;
import dev.bkv.tlog.VerifierSet;
import dev.bkv.witness.BundleReceipt;
import dev.bkv.witness.BundleSubmission;
import dev.bkv.witness.Witness;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two witnesses on loopback: bundles an operator signs and posts to witness A over HTTP come back with receipts
 * that verify; A's log is read back as C2SP tiles and every entry is checked against its
 * checkpoint; witness B cosigns A's checkpoints through add-checkpoint (learning the size it
 * last saw from a 409), and a client policy requiring B's cosignature then accepts A's
 * checkpoint and rejects one B did not cosign.
 */
class WitnessHttpTest {
  /** Just over one full tile, so a full and a partial tile and entry bundle are read back. */
  private static final int BUNDLES = 260;

  @TempDir Path temp;

  @Test
  void whenAWitnessLogIsCosignedByAnother_thenClientsCanVerifyBundlesAgainstBoth() throws Exception {
    AtomicLong clock = new AtomicLong(1_750_000_000L);
    Witness.init(temp.resolve("a"), "witness-a.example", "witness-a.example/bundles", new SecureRandom());
    Witness.init(temp.resolve("b"), "witness-b.example", "witness-b.example/bundles", new SecureRandom());
    try (Witness a = Witness.open(temp.resolve("a"), clock::get, dev.bkv.witness.CrashPoints.NONE);
        Witness b = Witness.open(temp.resolve("b"), clock::get, dev.bkv.witness.CrashPoints.NONE);
        WitnessHttpServer serverA = WitnessHttpServer.start(new InetSocketAddress("127.0.0.1", 0), a.service());
        WitnessHttpServer serverB = WitnessHttpServer.start(new InetSocketAddress("127.0.0.1", 0), b.service())) {
      HttpClient http = WitnessHttpClient.newHttpClient();
      WitnessHttpClient clientA = new WitnessHttpClient(http, serverA.baseUrl());
      WitnessHttpClient clientB = new WitnessHttpClient(http, serverB.baseUrl());
      b.checkpoints().knownLogs().addKey(a.keys().origin(), a.keys().log().verifier().vkey());
      a.operators().add(OPERATOR.verifier().vkey());
      Epochs epochs = new Epochs(a.keys().origin(), clock);

      List<byte[]> bundles = new ArrayList<>();
      for (int i = 0; i < BUNDLES; i++) {
        byte[] bundle = epochs.next();
        bundles.add(bundle);
        WitnessHttpClient.Reply reply = clientA.addBundle(epochs.request(bundle));
        assertEquals(200, reply.status(), reply.bodyText());
        BundleReceipt receipt = BundleReceipt.parse(reply.body());
        assertEquals(i, receipt.index());
        assertTrue(receipt.verify(bundle, a.keys().bundle().verifier(), logOnly(a)).isVerified());
      }

      // B cosigns A's log: the first request from old 0 is trusted on first use.
      assertEquals(200, clientB.addCheckpoint(a.log().addCheckpointRequest(0).getBytes(StandardCharsets.UTF_8)).status());
      assertEquals(200, clientA.addBundle(epochs.request(epochs.next())).status());
      WitnessHttpClient.Reply conflict = clientB.addCheckpoint(a.log().addCheckpointRequest(0).getBytes(StandardCharsets.UTF_8));
      assertEquals(409, conflict.status());
      long known = Long.parseLong(conflict.bodyText().strip());
      assertEquals(BUNDLES, known);
      WitnessHttpClient.Reply cosigned = clientB.addCheckpoint(a.log().addCheckpointRequest(known).getBytes(StandardCharsets.UTF_8));
      assertEquals(200, cosigned.status(), cosigned.bodyText());
      List<NoteSignature> lines = new ArrayList<>();
      for (String line : cosigned.bodyText().split("\n")) {
        lines.add(SignedNote.parseSignatureLine(line));
      }
      VerifierSet witnessB = VerifierSet.of(b.keys().cosigner().verifier());
      assertEquals(1, a.log().attachCosignatures(lines, witnessB));

      CheckpointPolicy policy = new CheckpointPolicy(a.keys().origin(), VerifierSet.of(a.keys().log().verifier()), witnessB, 1);
      HttpTileFetcher tiles = new HttpTileFetcher(http, serverA.baseUrl());
      Verdict<VerifiedCheckpoint> fetched = TileClient.fetchCheckpoint(tiles, policy);
      assertTrue(fetched.isVerified(), fetched.reasonOrEmpty());
      Checkpoint checkpoint = fetched.value().checkpoint();
      assertEquals(BUNDLES + 1, checkpoint.size());
      TileClient client = new TileClient(tiles, checkpoint);
      assertTrue(client.checkRoot().isVerified());
      List<byte[]> read = new ArrayList<>(client.entryBundle(0).value());
      read.addAll(client.entryBundle(1).value());
      for (int i = 0; i < BUNDLES; i++) {
        assertArrayEquals(bundles.get(i), read.get(i));
      }

      // A new bundle makes a new checkpoint B has not cosigned: the 1-of-1 policy rejects it.
      assertEquals(200, clientA.addBundle(epochs.request(epochs.next())).status());
      assertTrue(!TileClient.fetchCheckpoint(tiles, policy).isVerified());
      Checkpoint older = checkpoint;
      Checkpoint newer = TileClient.fetchCheckpoint(tiles, logOnly(a)).value().checkpoint();
      assertTrue(new TileClient(tiles, newer).consistencyProof(older).isVerified(), "the log only grew");
    }
  }

  /** The operator's submission key, registered with witness A. */
  private static final Ed25519Note.Signer OPERATOR =
      new Ed25519Note.Signer(BundleFixtures.NAMESPACE, Ed25519.PrivateKey.fromSeed(new byte[32]));

  /** One operator's bundles, epoch after epoch, each chained to the one before, and their signed requests. */
  private static final class Epochs {
    private final String origin;
    private final AtomicLong clock;
    private final List<MemberKeys> members = BundleFixtures.members("fleet-1", 3, 3);
    private Optional<Sha256Digest> previous = Optional.empty();
    private long epoch;

    Epochs(String origin, AtomicLong clock) {
      this.origin = origin;
      this.clock = clock;
    }

    byte[] next() throws Exception {
      ValidationBundle bundle = ValidationBundle.of(BundleFixtures.NAMESPACE, "fleet-1", ++epoch, BundleFixtures.NOT_BEFORE,
          BundleFixtures.NOT_AFTER, members, BundleFixtures.evidenceDigest("fleet-1"), previous);
      previous = Optional.of(bundle.digest());
      return bundle.toBytes();
    }

    /** The signed request; a minute passes first, so the operator's rate limit never binds here. */
    byte[] request(byte[] bundle) {
      clock.addAndGet(60);
      return BundleSubmission.sign(bundle, origin, OPERATOR);
    }
  }

  private static CheckpointPolicy logOnly(Witness w) {
    return CheckpointPolicy.logOnly(w.keys().origin(), w.keys().log().verifier());
  }
}
