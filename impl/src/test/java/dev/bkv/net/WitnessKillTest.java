package dev.bkv.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.testsupport.ListeningChild;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.TileClient;
import dev.bkv.tlog.TilePath;
import dev.bkv.tlog.Verdict;
import dev.bkv.witness.BundleReceipt;
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
    for (int round = 0; round < KILLS; round++) {
      Child child = Child.start(dir);
      try {
        int before = acknowledged.size();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < CLIENT_THREADS; t++) {
          String prefix = "round " + round + " client " + t + " bundle ";
          Thread client = new Thread(() -> appendUntilFailure(new WitnessHttpClient(http, child.baseUrl), prefix, policy));
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
      for (String bundle : unanswered) {
        BundleReceipt receipt = BundleReceipt.parse(client.addBundle(bytes(bundle)).body());
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

  private void appendUntilFailure(WitnessHttpClient client, String prefix, CheckpointPolicy policy) {
    for (int seq = 0; ; seq++) {
      String bundle = prefix + seq;
      unanswered.add(bundle);
      try {
        WitnessHttpClient.Reply reply = client.addBundle(bytes(bundle));
        assertEquals(200, reply.status(), reply.bodyText());
        BundleReceipt receipt = BundleReceipt.parse(reply.body());
        Verdict<?> verdict = receipt.proof().verifyEntry(bytes(bundle), policy);
        assertTrue(verdict.isVerified(), verdict.reasonOrEmpty());
        Checkpoint checkpoint = Checkpoint.parse(receipt.proof().checkpoint().text());
        largestSeen.accumulateAndGet(checkpoint, (a, b) -> a == null || b.size() > a.size() ? b : a);
        acknowledged.put(bundle, receipt.index());
        unanswered.remove(bundle);
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
