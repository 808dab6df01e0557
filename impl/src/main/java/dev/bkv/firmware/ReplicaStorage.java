package dev.bkv.firmware;

import dev.bkv.consensus.Entry;
import dev.bkv.consensus.LogHead;
import dev.bkv.consensus.LogWrite;
import dev.bkv.consensus.Nvram;
import dev.bkv.consensus.RecoveredLog;
import dev.bkv.consensus.Snapshot;
import dev.bkv.hsm.Hsm;
import dev.bkv.hsm.HsmException;
import dev.bkv.storage.Disk;
import dev.bkv.storage.LogImage;
import dev.bkv.storage.LogRecord;
import dev.bkv.storage.SealedLog;
import dev.bkv.storage.Sealer;
import dev.bkv.storage.SnapshotImage;
import dev.bkv.storage.StorageException;
import dev.bkv.storage.NvramImage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One fleet HSM's persistence, as the spec splits it: the consensus NVRAM record
 * ({@code currentTerm}, {@code votedFor}, {@code nvHead}, {@code catchUp}) in one NVRAM cell of
 * the HSM, replaced atomically, and the sealed log on the host's disk ({@link SealedLog},
 * sealed with the HSM's key and bound to the fleet and HSM). Converts between the core's
 * types and the storage layer's.
 */
public final class ReplicaStorage {
  /** The NVRAM cell of the consensus record; cell 0 belongs to the single-HSM journal, 1 is unused. */
  public static final int NVRAM_SLOT = 2;
  static final int NVRAM_BYTES = 8 + 4 + 8 + 8 + 8;

  /** Where the consensus record lives: the HSM's NVRAM, or (simulator) a cell it holds. */
  public interface NvramCell {
    NvramImage.Cell read() throws StorageException;

    void write(NvramImage.Cell cell) throws StorageException;

    /** A cell held in memory, for hosts that stand in for an HSM (benchmarks, tests). */
    static NvramCell inMemory() {
      return new NvramCell() {
        private NvramImage.Cell cell = NvramImage.empty().cell(NVRAM_SLOT);

        @Override
        public NvramImage.Cell read() {
          return cell;
        }

        @Override
        public void write(NvramImage.Cell next) {
          cell = next;
        }
      };
    }
  }

  private final NvramCell nvramCell;
  private final SealedLog log;

  private ReplicaStorage(NvramCell nvramCell, SealedLog log) {
    this.nvramCell = nvramCell;
    this.log = log;
  }

  /** Opens the storage of {@code hsm}: its NVRAM cell, and the sealed log on {@code disk} sealed with its key. */
  public static ReplicaStorage open(Hsm hsm, Disk disk, byte[] context) throws StorageException {
    return open(hsmCell(hsm), disk, hsmSealer(hsm), context);
  }

  public static ReplicaStorage open(NvramCell nvram, Disk disk, Sealer sealer, byte[] context) throws StorageException {
    return new ReplicaStorage(nvram, SealedLog.open(disk, sealer, context, SealedLog.Limits.DEFAULTS));
  }

  public Nvram readNvram() throws StorageException {
    NvramImage.Cell cell = nvramCell.read();
    if (cell.counter() == 0) {
      return Nvram.INITIAL;
    }
    byte[] value = cell.value();
    if (value.length != NVRAM_BYTES) {
      throw new StorageException(StorageException.Kind.CORRUPT,
          "NVRAM slot " + NVRAM_SLOT + " holds " + value.length + " bytes, not a consensus record");
    }
    ByteBuffer in = ByteBuffer.wrap(value);
    long term = in.getLong();
    int vote = in.getInt();
    long headTerm = in.getLong();
    long headIndex = in.getLong();
    long catchUp = in.getLong();
    try {
      return new Nvram(term, vote, new LogHead(headTerm, headIndex), catchUp);
    } catch (IllegalArgumentException e) {
      throw new StorageException(StorageException.Kind.CORRUPT, "NVRAM consensus record: " + e.getMessage());
    }
  }

  /**
   * Replaces the consensus record atomically; the cell's counter advances with every write.
   * Log records written unsynced are made durable first: NVRAM never gets ahead of the log.
   */
  public void writeNvram(Nvram nvram) throws StorageException {
    log.sync();
    NvramImage.Cell current = nvramCell.read();
    byte[] value = ByteBuffer.allocate(NVRAM_BYTES).putLong(nvram.currentTerm()).putInt(nvram.votedFor())
        .putLong(nvram.head().term()).putLong(nvram.head().index()).putLong(nvram.catchUp()).array();
    nvramCell.write(new NvramImage.Cell(current.counter() + 1, value));
  }

  /** The log as read at open: what a restart hands the core. */
  public RecoveredLog recovered() {
    return recovered(log.image());
  }

  /** What the reader found wrong and dropped at open (a torn tail, a bad record), if anything. */
  public Optional<String> damage() {
    return log.image().damage();
  }

  /** Performs the core's sealed-log write durably (one fsync). */
  public void perform(LogWrite write) throws StorageException {
    perform(log, write);
  }

  /**
   * Performs the core's sealed-log write, an append without its fsync: durable at the next
   * {@link #syncLog} or NVRAM write (group commit). Compaction and snapshot installs are
   * durable at once, after the appends before them.
   */
  public void performUnsynced(LogWrite write) throws StorageException {
    if (write instanceof LogWrite.Append) {
      LogWrite.Append append = (LogWrite.Append) write;
      log.writeUnsynced(append.keepThrough(), records(append));
    } else {
      perform(log, write);
    }
  }

  /** Makes every log record written unsynced durable. */
  public void syncLog() throws StorageException {
    log.sync();
  }

  /** The core's view of a sealed log's image. */
  public static RecoveredLog recovered(LogImage image) {
    Optional<Snapshot> snapshot = image.snapshot().map(s -> new Snapshot(s.lastIndex(), s.lastTerm(), s.state()));
    List<Entry> entries = new ArrayList<>(image.entries().size());
    for (LogRecord record : image.entries()) {
      entries.add(new Entry(record.term(), record.payload()));
    }
    return new RecoveredLog(snapshot, entries);
  }

  /** Performs one of the core's writes on a sealed log. */
  public static void perform(SealedLog log, LogWrite write) throws StorageException {
    if (write instanceof LogWrite.Append) {
      LogWrite.Append append = (LogWrite.Append) write;
      log.write(append.keepThrough(), records(append));
    } else if (write instanceof LogWrite.InstallSnapshot) {
      log.installSnapshot(image(((LogWrite.InstallSnapshot) write).snapshot()));
    } else if (write instanceof LogWrite.Compact) {
      log.compact(image(((LogWrite.Compact) write).snapshot()));
    } else {
      throw new AssertionError(write);
    }
  }

  public long syncs() {
    return log.syncs();
  }

  private static List<LogRecord> records(LogWrite.Append append) {
    List<LogRecord> records = new ArrayList<>(append.entries().size());
    for (Entry entry : append.entries()) {
      records.add(new LogRecord(entry.term(), entry.payload()));
    }
    return records;
  }

  private static SnapshotImage image(Snapshot snapshot) {
    return new SnapshotImage(snapshot.lastIndex(), snapshot.lastTerm(), snapshot.state());
  }

  private static NvramCell hsmCell(Hsm hsm) {
    return new NvramCell() {
      @Override
      public NvramImage.Cell read() throws StorageException {
        try {
          return hsm.readNvram(NVRAM_SLOT);
        } catch (HsmException e) {
          throw new StorageException(StorageException.Kind.IO, "HSM NVRAM read: " + e.getMessage());
        }
      }

      @Override
      public void write(NvramImage.Cell cell) throws StorageException {
        try {
          hsm.writeNvram(NVRAM_SLOT, cell);
        } catch (HsmException e) {
          throw new StorageException(StorageException.Kind.IO, "HSM NVRAM write: " + e.getMessage());
        }
      }
    };
  }

  /** Seals with the HSM's sealing key (AES-256-GCM, a fresh random nonce per seal, inside the HSM). */
  private static Sealer hsmSealer(Hsm hsm) {
    return new Sealer() {
      @Override
      public byte[] seal(byte[] associatedData, byte[] plaintext) throws StorageException {
        try {
          return hsm.seal(associatedData, plaintext);
        } catch (HsmException e) {
          throw new StorageException(StorageException.Kind.IO, "HSM seal: " + e.getMessage());
        }
      }

      @Override
      public byte[] unseal(byte[] associatedData, byte[] sealed) throws StorageException {
        try {
          return hsm.unseal(associatedData, sealed);
        } catch (HsmException e) {
          throw new StorageException(StorageException.Kind.CORRUPT, "sealed record does not open: " + e.getMessage());
        }
      }
    };
  }
}
