package dev.bkv.bench;

import dev.bkv.witness.BundleLog;
import dev.bkv.witness.BundleReceipt;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The witness log's durable append under concurrency: appends per second with 1, 16 and 64
 * submitters sharing group commits ({@link BundleLog#append}, the layer that forces the
 * disk; the HTTP gate's signature check in front of it is not included), and the raw rate of
 * the one thing a group commit waits on, a small write plus {@code force} on the same file
 * system ({@code bkv.bench.dir}, default {@code java.io.tmpdir}), measured in the same run.
 * Secondary counters ({@code groups}, group commits, and {@code appends}, per iteration) let
 * the report derive fsyncs per append: each group forces the entries file, the checkpoint's
 * temporary file and the directory ({@link #FSYNCS_PER_GROUP}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class WitnessGroupCommitBench {
  /** Forces per group commit: entries file, checkpoint temporary, log directory (after the rename). */
  public static final int FSYNCS_PER_GROUP = 3;
  /** Bytes of the raw fsync benchmark's record: about a length prefix and a leaf hash. */
  static final int FSYNC_RECORD_BYTES = 64;
  /** The raw fsync file wraps around at this size, so a long run does not fill the disk. */
  static final long FSYNC_FILE_BYTES_MAX = 64L << 20;

  /** One witness log per benchmark, shared by its submitter threads; every append is a new bundle. */
  @State(Scope.Benchmark)
  public static class Log {
    WitnessLogFixture witness;
    BundleLog log;
    final AtomicLong sequence = new AtomicLong();
    /** The highest group count any thread has seen, so each group is counted once across threads. */
    final AtomicLong groupsSeen = new AtomicLong();

    @Setup
    public void setUp() throws IOException {
      witness = WitnessLogFixture.create();
      log = witness.witness.log();
      byte[] first = witness.entry(sequence.getAndIncrement());
      BundleReceipt receipt = log.append(first);
      if (receipt.index() != 0 || log.append(first).index() != 0 || log.size() != 1) {
        throw new IllegalStateException("benchmark set-up: a repeated bundle must keep its index");
      }
      groupsSeen.set(log.groupCommits());
    }

    @TearDown
    public void tearDown() throws IOException {
      witness.close();
    }
  }

  /**
   * Per-thread counts for one iteration, which JMH sums over threads: this thread's appends,
   * and the group commits it was first to see (so each group counts once).
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Groups {
    public long groups;
    public long appends;

    @Setup(Level.Iteration)
    public void reset() {
      groups = 0;
      appends = 0;
    }
  }

  private static BundleReceipt appendNew(Log state, Groups counter) throws IOException {
    long sequence = state.sequence.getAndIncrement();
    BundleReceipt receipt = state.log.append(state.witness.entry(sequence));
    if (receipt.index() < 0 || receipt.index() >= state.log.size()) {
      throw new IllegalStateException("receipt index " + receipt.index() + " outside the log");
    }
    long now = state.log.groupCommits();
    long before = state.groupsSeen.getAndAccumulate(now, Math::max);
    counter.groups += Math.max(0, now - before);
    counter.appends++;
    return receipt;
  }

  @Benchmark
  @Threads(1)
  public BundleReceipt submitters01(Log state, Groups counter) throws IOException {
    return appendNew(state, counter);
  }

  @Benchmark
  @Threads(16)
  public BundleReceipt submitters16(Log state, Groups counter) throws IOException {
    return appendNew(state, counter);
  }

  @Benchmark
  @Threads(64)
  public BundleReceipt submitters64(Log state, Groups counter) throws IOException {
    return appendNew(state, counter);
  }

  /** A file in the benchmark directory that takes small forced writes. */
  @State(Scope.Benchmark)
  public static class RawFile {
    Path dir;
    FileChannel channel;
    final ByteBuffer record = ByteBuffer.allocate(FSYNC_RECORD_BYTES);
    long position;

    @Setup
    public void setUp() throws IOException {
      Path base = Path.of(System.getProperty("bkv.bench.dir", System.getProperty("java.io.tmpdir")));
      dir = Files.createTempDirectory(base, "bkv-bench-fsync");
      channel = FileChannel.open(dir.resolve("records"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      Arrays.fill(record.array(), (byte) 0x5a);
    }

    @TearDown
    public void tearDown() throws IOException {
      channel.close();
      Files.deleteIfExists(dir.resolve("records"));
      Files.deleteIfExists(dir);
    }
  }

  /** One small record written at the end of a file and forced: the floor under every group commit. */
  @Benchmark
  @Threads(1)
  public long rawFsync(RawFile file) throws IOException {
    file.record.clear();
    while (file.record.hasRemaining()) {
      file.position += file.channel.write(file.record, file.position);
    }
    file.channel.force(true);
    if (file.position >= FSYNC_FILE_BYTES_MAX) {
      file.position = 0;
    }
    return file.position;
  }
}
