package dev.bkv.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.testsupport.ListeningChild;
import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.BundleFormatException;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.crypto.Ed25519;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.TileClient;
import dev.bkv.tlog.TilePath;
import dev.bkv.tlog.Verdict;
import dev.bkv.witness.BundleReceipt;
import dev.bkv.witness.BundleSubmission;
import dev.bkv.witness.Witness;
import dev.bkv.witness.WitnessKeys;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The witness as a separate process ({@code bkv witness serve}), killed with SIGKILL while
 * clients keep appending bundles, then restarted, several times. Afterwards every bundle
 * whose receipt reached a client is in the log at the receipt's index, no bundle is in the
 * log twice, the log is consistent with the largest checkpoint any client saw, and bundles
 * whose reply was lost are logged exactly once when retried.
 */
class WitnessKillTest {
  private static final int KILLS = 3;
  private static final int CLIENT_THREADS = 3;
  /** Appends acknowledged in a round before the kill, so it lands among in-flight appends. */
  private static final int ACKS_BEFORE_KILL = 25;
  private static final long START_TIMEOUT_SECONDS = 60;

  @TempDir Path dir;

  private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
  private final Set<String> unanswered = ConcurrentHashMap.newKeySet();
  private final AtomicReference<Checkpoint> largestSeen = new AtomicReference<>();

  @Test
  void whenTheWitnessIsKilledDuringAppends_thenNothingAcknowledgedIsLostOrDuplicated() throws Exception {
    WitnessKeys keys = Witness.init(dir, "witness.example/killed", "witness.example/killed/bundles", new SecureRandom());
    CheckpointPolicy policy = CheckpointPolicy.logOnly(keys.origin(), keys.log().verifier());
    HttpClient http = WitnessHttpClient.newHttpClient();
    List<Operator> operators = new ArrayList<>();
    for (int t = 0; t < CLIENT_THREADS; t++) {
      operators.add(new Operator("client-" + t + ".example/backup", t + 1, keys.origin()));
      Witness.knownOperators(dir).add(operators.get(t).key.verifier().vkey());
    }
    for (int round = 0; round < KILLS; round++) {
      Child child = Child.start(dir);
      try {
        int before = acknowledged.size();
        List<Thread> clients = new ArrayList<>();
        for (Operator operator : operators) {
          Thread client = new Thread(() -> appendUntilFailure(new WitnessHttpClient(http, child.baseUrl), operator, policy));
          client.start();
          clients.add(client);
        }
        while (acknowledged.size() < before + ACKS_BEFORE_KILL && clients.stream().anyMatch(Thread::isAlive)) {
          Thread.sleep(5);
        }
        child.kill();
        for (Thread client : clients) {
          client.join();
        }
      } finally {
        child.kill();
      }
    }
    System.out.printf("[witness-kill] %d kills, %d acknowledged bundles, %d replies lost in flight%n",
        KILLS, acknowledged.size(), unanswered.size());
    Child child = Child.start(dir);
    try {
      HttpTileFetcher tiles = new HttpTileFetcher(http, child.baseUrl);
      Checkpoint checkpoint = TileClient.fetchCheckpoint(tiles, policy).value().checkpoint();
      Map<String, Long> logged = readLog(new TileClient(tiles, checkpoint));
      assertEquals(checkpoint.size(), logged.size(), "no bundle is in the log twice");
      acknowledged.forEach((bundle, index) -> assertEquals(index, logged.get(bundle), "acknowledged: " + bundle));
      Checkpoint seen = largestSeen.get();
      assertTrue(new TileClient(tiles, checkpoint).consistencyProof(seen).isVerified(), "consistent with what clients saw");
      WitnessHttpClient client = new WitnessHttpClient(http, child.baseUrl);
      long size = checkpoint.size();
      for (Operator operator : operators) {
        if (operator.pending == null) {
          continue;
        }
        String bundle = new String(operator.pending, StandardCharsets.UTF_8);
        assertTrue(unanswered.contains(bundle));
        BundleReceipt receipt = BundleReceipt.parse(client.addBundle(operator.request()).body());
        if (logged.containsKey(bundle)) {
          assertEquals(logged.get(bundle), receipt.index(), "a retried bundle keeps the index it got before the kill");
        } else {
          assertEquals(size++, receipt.index(), "a lost bundle is appended once");
        }
      }
      Checkpoint after = TileClient.fetchCheckpoint(tiles, policy).value().checkpoint();
      assertEquals(size, after.size());
      assertEquals(size, readLog(new TileClient(tiles, after)).size(), "still no duplicates after the retries");
    } finally {
      child.kill();
    }
  }

  /**
   * Appends the operator's bundles, epoch after epoch, until the witness dies. A bundle whose
   * reply was lost stays pending and is sent first next time, unchanged, as {@code bkv fleet
   * publish} does: the witness either finds it logged or logs it as the next epoch.
   */
  private void appendUntilFailure(WitnessHttpClient client, Operator operator, CheckpointPolicy policy) {
    while (true) {
      String bundle = new String(operator.pendingOrNext(), StandardCharsets.UTF_8);
      unanswered.add(bundle);
      try {
        WitnessHttpClient.Reply reply = client.addBundle(operator.request());
        assertEquals(200, reply.status(), reply.bodyText());
        BundleReceipt receipt = BundleReceipt.parse(reply.body());
        Verdict<?> verdict = receipt.proof().verifyEntry(bytes(bundle), policy);
        assertTrue(verdict.isVerified(), verdict.reasonOrEmpty());
        Checkpoint checkpoint = Checkpoint.parse(receipt.proof().checkpoint().text());
        largestSeen.accumulateAndGet(checkpoint, (a, b) -> a == null || b.size() > a.size() ? b : a);
        acknowledged.put(bundle, receipt.index());
        unanswered.remove(bundle);
        operator.acknowledged();
      } catch (IOException killed) {
        return; // the witness died mid-request: this bundle's fate is unknown
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }

  /** Every entry of the log, read from its entry bundles (each checked against the checkpoint). */
  private static Map<String, Long> readLog(TileClient client) throws IOException {
    Map<String, Long> logged = new HashMap<>();
    long bundles = (client.size() + TilePath.FULL_WIDTH - 1) / TilePath.FULL_WIDTH;
    for (long n = 0; n < bundles; n++) {
      Verdict<List<byte[]>> entries = client.entryBundle(n);
      assertTrue(entries.isVerified(), entries.reasonOrEmpty());
      for (int i = 0; i < entries.value().size(); i++) {
        Long previous = logged.put(new String(entries.value().get(i), StandardCharsets.UTF_8), n * TilePath.FULL_WIDTH + i);
        assertEquals(null, previous, "duplicate entry at " + (n * TilePath.FULL_WIDTH + i));
      }
    }
    return logged;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** A registered operator publishing its own namespace's chain of real bundles. */
  private static final class Operator {
    final Ed25519Note.Signer key;
    private final String namespace;
    private final String witnessOrigin;
    private final List<MemberKeys> members = BundleFixtures.members("fleet-1", 3, 3);
    private Optional<Sha256Digest> previous = Optional.empty();
    private long epoch;
    /** The bundle sent last whose receipt has not arrived, or null. */
    byte[] pending;

    Operator(String namespace, int seed, String witnessOrigin) {
      byte[] bytes = new byte[32];
      bytes[0] = (byte) seed;
      this.key = new Ed25519Note.Signer(namespace, Ed25519.PrivateKey.fromSeed(bytes));
      this.namespace = namespace;
      this.witnessOrigin = witnessOrigin;
    }

    byte[] pendingOrNext() {
      if (pending == null) {
        try {
          pending = ValidationBundle.of(namespace, "fleet-1", epoch + 1, BundleFixtures.NOT_BEFORE,
              BundleFixtures.NOT_AFTER, members, BundleFixtures.evidenceDigest("fleet-1"), previous).toBytes();
        } catch (BundleFormatException e) {
          throw new AssertionError(e);
        }
      }
      return pending;
    }

    byte[] request() {
      return BundleSubmission.sign(pending, witnessOrigin, key);
    }

    void acknowledged() {
      epoch++;
      previous = Optional.of(Sha256Digest.of(pending));
      pending = null;
    }
  }

  /** A {@code bkv witness serve} child JVM on a free loopback port. */
  private static final class Child {
    final Process process;
    final String baseUrl;

    private Child(ListeningChild child) {
      this.process = child.process;
      this.baseUrl = child.url;
    }

    static Child start(Path dir) throws Exception {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      return new Child(ListeningChild.start(
          List.of(java, "-cp", System.getProperty("java.class.path"), "dev.bkv.cli.Main",
              "witness", "serve", "--dir", dir.toString(), "--port", "0"),
          Duration.ofSeconds(START_TIMEOUT_SECONDS)));
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    void kill() throws InterruptedException {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
      process.waitFor();
    }
  }
}
