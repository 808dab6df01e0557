package dev.bkv.witness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.crypto.Ed25519;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.Ed25519Note;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit of the witness's bundle log: concurrent submitters share one fsync and one
 * checkpoint, each gets its own receipt only after its group is durable, a group that fails
 * between write and fsync acknowledges none of its members, the queue is bounded, and the
 * gate's epoch rule holds while an append waits for the disk. Groups are shaped exactly by
 * holding the writer at a crash point until the test's submitters have queued.
 */
@Timeout(60)
class GroupCommitTest {
  /** Longest a test waits for its threads to reach a state before failing. */
  private static final long WAIT_MILLIS = 10_000;

  @TempDir Path dir;

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private WitnessKeys keys;

  @AfterEach
  void stopThreads() {
    pool.shutdownNow();
  }

  private static byte[] bundle(int i) {
    return ("bkv validation bundle " + i + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private BundleLog open(CrashPoints crash) throws Exception {
    if (keys == null) {
      keys = WitnessFixtures.init(dir);
    }
    return BundleLog.open(dir, keys, crash);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(1);
    }
  }

  /**
   * Hooks the writer: at a group's first crash point it calls {@code atGroup} with the
   * group's number (0, 1, ...), and counts the groups forced.
   */
  private static final class Writer implements CrashPoints {
    final AtomicInteger groupsStarted = new AtomicInteger();
    final AtomicInteger groupsForced = new AtomicInteger();
    final CountDownLatch firstGroupStarted = new CountDownLatch(1);
    volatile GroupHook atGroup = group -> {};

    interface GroupHook {
      void reached(int group) throws IOException, InterruptedException;
    }

    @Override
    public void reached(Point point) throws IOException {
      if (point == Point.ENTRIES_UNFORCED) {
        int group = groupsStarted.getAndIncrement();
        firstGroupStarted.countDown();
        try {
          atGroup.reached(group);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      } else if (point == Point.ENTRY_WRITTEN) {
        groupsForced.incrementAndGet();
      }
    }
  }

  /** Starts {@code count} appends of bundles {@code from..from+count-1}, each on its own thread. */
  private List<Future<BundleReceipt>> appendAll(BundleLog log, int from, int count) {
    List<Future<BundleReceipt>> futures = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      byte[] bundle = bundle(i);
      futures.add(pool.submit(() -> log.append(bundle)));
    }
    return futures;
  }

  @Test
  void whenSixteenSubmittersAppendAtOnce_thenTheyShareTwoFsyncsAndEachGetsADistinctReceiptAfterIt() throws Exception {
    Writer writer = new Writer();
    AtomicReference<BundleLog> logRef = new AtomicReference<>();
    AtomicInteger acknowledged = new AtomicInteger();
    List<Integer> acknowledgedAtGroup = new ArrayList<>();
    writer.atGroup = group -> {
      acknowledgedAtGroup.add(acknowledged.get());
      if (group == 0) { // hold the first group until the other 15 have queued behind it
        await(() -> logRef.get().queued() == 15, "15 appends are queued");
      }
    };
    try (BundleLog log = open(writer)) {
      logRef.set(log);
      List<Future<BundleReceipt>> futures = new ArrayList<>();
      futures.add(pool.submit(() -> log.append(bundle(0))));
      assertTrue(writer.firstGroupStarted.await(WAIT_MILLIS, TimeUnit.MILLISECONDS));
      for (int i = 1; i < 16; i++) {
        byte[] bundle = bundle(i);
        futures.add(pool.submit(() -> {
          BundleReceipt r = log.append(bundle);
          acknowledged.incrementAndGet();
          return r;
        }));
      }
      Set<Long> indexes = new HashSet<>();
      CheckpointPolicy policy = CheckpointPolicy.logOnly(keys.origin(), keys.log().verifier());
      for (int i = 0; i < 16; i++) {
        BundleReceipt receipt = futures.get(i).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertTrue(indexes.add(receipt.index()), "index " + receipt.index() + " given twice");
        assertTrue(receipt.verify(bundle(i), keys.bundle().verifier(), policy).isVerified(), "receipt " + i);
        assertFalse(receipt.verify(bundle(i + 1), keys.bundle().verifier(), policy).isVerified(), "another bundle");
        assertArrayEquals(bundle(i), log.entry(receipt.index()), "receipt " + i + " names its own entry");
      }
      assertEquals(16, log.size());
      assertEquals(Set.copyOf(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L)), indexes);
      assertEquals(2, writer.groupsForced.get(), "one fsync for the first append, one for the 15 queued behind it");
      assertEquals(List.of(0, 0), acknowledgedAtGroup, "no receipt of the second group before its write and fsync");
      assertEquals(16, Checkpoint.parse(log.checkpoint().text()).size());
    }
  }

  /** Sets up one committed group of one, then a group of 7 that crashes between write and fsync. */
  private List<Future<BundleReceipt>> crashSecondGroupBeforeFsync(BundleLog log, AtomicReference<BundleLog> logRef,
      Writer writer) throws Exception {
    logRef.set(log);
    log.append(bundle(0));
    log.append(bundle(1));
    Future<BundleReceipt> first = pool.submit(() -> log.append(bundle(2)));
    await(() -> writer.groupsStarted.get() == 3, "the third group started");
    List<Future<BundleReceipt>> crashed = appendAll(log, 3, 7);
    assertEquals(2, first.get(WAIT_MILLIS, TimeUnit.MILLISECONDS).index());
    return crashed;
  }

  @Test
  void whenPowerIsCutBetweenAGroupsWriteAndItsFsync_thenNoneOfItIsAcknowledgedAndNoneOfItIsLogged() throws Exception {
    Writer writer = new Writer();
    AtomicReference<BundleLog> logRef = new AtomicReference<>();
    Path entries = dir.resolve("log/entries");
    AtomicLong durableBytes = new AtomicLong();
    writer.atGroup = group -> {
      if (group == 2) {
        await(() -> logRef.get().queued() == 7, "7 appends are queued");
        durableBytes.set(Files.size(entries));
      } else if (group == 3) {
        // A power cut loses what was written and never forced: cut the file back to the durable end.
        try (FileChannel channel = FileChannel.open(entries, StandardOpenOption.WRITE)) {
          channel.truncate(durableBytes.get());
        }
        throw new IOException("simulated power cut before the fsync");
      }
    };
    try (BundleLog log = open(writer)) {
      for (Future<BundleReceipt> f : crashSecondGroupBeforeFsync(log, logRef, writer)) {
        Exception e = assertThrows(Exception.class, () -> f.get(WAIT_MILLIS, TimeUnit.MILLISECONDS));
        assertInstanceOf(IOException.class, e.getCause(), "a submitter of the failed group gets an error, not a receipt");
      }
      assertEquals(3, writer.groupsForced.get(), "the failed group was never forced");
      IOException stopped = assertThrows(IOException.class, () -> log.append(bundle(11)));
      assertTrue(stopped.getMessage().contains("restart"), stopped.getMessage());
    }
    try (BundleLog log = open(CrashPoints.NONE)) {
      assertEquals(3, log.size(), "what no fsync made durable is not in the log");
      for (int i = 3; i < 10; i++) {
        assertEquals(i, log.append(bundle(i)).index(), "retried bundle " + i + " logged once");
      }
    }
  }

  @Test
  void whenTheProcessDiesBetweenAGroupsWriteAndItsFsync_thenRestartCoversTheWholeGroupAndRetriesFindIt() throws Exception {
    Writer writer = new Writer();
    AtomicReference<BundleLog> logRef = new AtomicReference<>();
    writer.atGroup = group -> {
      if (group == 2) {
        await(() -> logRef.get().queued() == 7, "7 appends are queued");
      } else if (group == 3) {
        throw new IOException("simulated crash before the fsync"); // the page cache keeps the records
      }
    };
    try (BundleLog log = open(writer)) {
      for (Future<BundleReceipt> f : crashSecondGroupBeforeFsync(log, logRef, writer)) {
        assertThrows(Exception.class, () -> f.get(WAIT_MILLIS, TimeUnit.MILLISECONDS));
      }
    }
    try (BundleLog log = open(CrashPoints.NONE)) {
      assertEquals(10, log.size(), "the 7 intact records past the checkpoint are covered, not dropped");
      Set<Long> indexes = new HashSet<>();
      for (int i = 3; i < 10; i++) {
        long index = log.append(bundle(i)).index(); // the group's queue order was the threads' arrival order
        assertTrue(index >= 3 && index < 10 && indexes.add(index), "retried bundle " + i + " finds its own index, " + index);
        assertArrayEquals(bundle(i), log.entry(index));
      }
      assertEquals(10, log.size(), "no retried record logged twice");
    }
  }

  @Test
  void whenIntactRecordsAndATornRestFollowTheCheckpoint_thenTheRecordsAreCoveredAndTheRestSetAside() throws Exception {
    try (BundleLog log = open(CrashPoints.NONE)) {
      log.append(bundle(0));
      log.append(bundle(1));
    }
    Path entries = dir.resolve("log/entries");
    long committed = Files.size(entries);
    byte[] second = BundleLogTest.record(bundle(2));
    byte[] third = BundleLogTest.record(bundle(3));
    byte[] torn = java.util.Arrays.copyOf(BundleLogTest.record(bundle(4)), 9);
    ByteBuffer tail = ByteBuffer.allocate(second.length + third.length + torn.length).put(second).put(third).put(torn).flip();
    try (FileChannel channel = FileChannel.open(entries, StandardOpenOption.WRITE)) {
      channel.write(tail, committed);
    }
    try (BundleLog log = open(CrashPoints.NONE)) {
      assertEquals(4, log.size());
      assertArrayEquals(bundle(3), log.entry(3));
      assertEquals(4, log.append(bundle(4)).index(), "the torn bundle, retried, takes the next index");
    }
    try (Stream<Path> files = Files.list(dir.resolve("log"))) {
      List<Path> aside = files.filter(p -> p.getFileName().toString().startsWith("entries.unacknowledged-4-")).toList();
      assertEquals(1, aside.size(), "the torn rest is set aside under the size it would have taken");
      assertArrayEquals(torn, Files.readAllBytes(aside.get(0)));
    }
  }

  @Test
  void whenTheQueueIsFull_thenTheNextAppendIsRefusedAndTheQueuedOnesCommitInGroupsOfAtMostTheLimit() throws Exception {
    Writer writer = new Writer();
    try (BundleLog log = open(writer)) {
      List<GroupCommit.Pending> queued = new ArrayList<>();
      for (int i = 0; i < BundleLog.PENDING_MAX; i++) {
        queued.add(log.enqueue(bundle(i)));
      }
      assertSame(queued.get(5), log.enqueue(bundle(5)), "a retry racing its first attempt waits for the same record");
      BundleLog.Busy busy = assertThrows(BundleLog.Busy.class, () -> log.enqueue(bundle(BundleLog.PENDING_MAX)));
      assertTrue(busy.getMessage().contains(BundleLog.PENDING_MAX + " appends waiting"), busy.getMessage());
      assertEquals(BundleLog.PENDING_MAX - 1, log.await(queued.get(BundleLog.PENDING_MAX - 1)).index());
      assertEquals(BundleLog.PENDING_MAX, log.size());
      assertEquals(BundleLog.PENDING_MAX / GroupCommit.GROUP_ENTRIES_MAX, writer.groupsForced.get(),
          "full groups of GROUP_ENTRIES_MAX");
      assertEquals(0, log.await(queued.get(0)).index(), "an earlier submitter finds its group done");
      assertEquals(BundleLog.PENDING_MAX, log.append(bundle(BundleLog.PENDING_MAX)).index(), "room again once written");
    }
  }

  // The gate: the epoch rule while an append waits for the disk.

  private static Ed25519Note.Signer operator() {
    byte[] seed = new byte[32];
    seed[0] = 1;
    return new Ed25519Note.Signer(BundleFixtures.NAMESPACE, Ed25519.PrivateKey.fromSeed(seed));
  }

  @Test
  void whenTwoSubmissionsOfTheSameEpochRaceWhileTheFirstWaitsForTheDisk_thenOnlyTheFirstIsLogged() throws Exception {
    Writer writer = new Writer();
    CountDownLatch secondAnswered = new CountDownLatch(1);
    writer.atGroup = group -> {
      if (group == 0 && !secondAnswered.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        throw new IOException("the racing submissions were not answered while the first waited");
      }
    };
    WitnessFixtures.init(dir);
    try (Witness w = Witness.open(dir, () -> 1_767_225_600L, writer)) {
      Ed25519Note.Signer operator = operator();
      w.operators().add(operator.verifier().vkey());
      byte[] first = BundleFixtures.bundle("fleet-1", 1, java.util.Optional.empty()).toBytes();
      byte[] rival = BundleFixtures.bundle("fleet-2", 1, java.util.Optional.empty()).toBytes();
      Future<BundleGate.Outcome> pending = pool.submit(() -> w.gate().submit(BundleSubmission.sign(first, w.keys().origin(), operator)));
      await(() -> writer.groupsStarted.get() == 1, "the first submission's group is being written");

      BundleGate.Outcome racing = w.gate().submit(BundleSubmission.sign(rival, w.keys().origin(), operator));
      secondAnswered.countDown();
      assertInstanceOf(BundleGate.Refused.class, racing, "the same epoch again, while the first is not yet durable");
      assertEquals(409, ((BundleGate.Refused) racing).status());
      assertTrue(((BundleGate.Refused) racing).reason().contains("expected 2"), ((BundleGate.Refused) racing).reason());
      BundleGate.Logged logged = assertInstanceOf(BundleGate.Logged.class, pending.get(WAIT_MILLIS, TimeUnit.MILLISECONDS));
      assertEquals(0, logged.receipt().index());
      assertEquals(1, w.log().size());
      assertFalse(w.log().contains(rival));
    }
  }
}
