package dev.bkv.storage;

import static dev.bkv.storage.SealedLogFormat.SEGMENT_HEADER_BYTES;

import dev.bkv.base.Bytes;
import dev.bkv.storage.SealedLogFormat.Anchor;
import dev.bkv.storage.SealedLogReader.RecordRef;
import dev.bkv.storage.SealedLogReader.Scan;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One replica's log on host disk: sealed, hash-chained, in segment files, with a sealed
 * snapshot file (layout in spec/FORMATS.md, "Replica sealed log").
 *
 * <p>Every {@link #write} appends ONE sealed record (a batch: group commit) and fsyncs
 * once. A record says "the log is entries 1..firstIndex-1 of the log so far, then these",
 * so a Raft truncation is just a record whose first index is below the end. Its
 * authenticated data names the hash of the record before it: a reader replays records in
 * order and stops at the first that is torn, does not authenticate under this log's
 * context, or does not chain, so a crash at any byte leaves the old log or the new one,
 * never a splice of a cut-off suffix and a newer record. Cut-off entries stay on disk until
 * compaction drops their segment.
 *
 * <p>The snapshot file, replaced atomically, holds the snapshot and the anchor: the
 * segment, byte offset and predecessor hash of the first record still needed. Compaction
 * writes it, then deletes segments before the anchor's, so a crash between the two leaves
 * only files the reader ignores.
 *
 * <p>Damage found at open is never an exception: {@link #image()} holds the longest intact
 * prefix and a sentence saying what was dropped. Open changes nothing on disk; the first
 * write, compaction or snapshot install first removes what the reader dropped. After a
 * {@link StorageException} from the disk during a change this object refuses further
 * changes: reopen, as after a crash. Not thread-safe.
 */
public final class SealedLog {
  /** Bounds on the log's files; each default is also the largest allowed value. */
  public record Limits(long segmentBytesMax, int entriesPerWriteMax, int segmentsMax, long totalBytesMax) {
    /** A new segment file starts when a record would take the current one past this. */
    public static final long SEGMENT_BYTES_MAX = 64L * 1024 * 1024;
    /** Entries one write seals together; 256 full payloads (16 MiB) fit one segment and one GCM call. */
    public static final int ENTRIES_PER_WRITE_MAX = 256;
    /** Live segment files; the consensus layer compacts long before. */
    public static final int SEGMENTS_MAX = 1024;
    /** Bytes of the live segments plus the snapshot file. */
    public static final long TOTAL_BYTES_MAX = 4L * 1024 * 1024 * 1024;
    /** The smallest segment limit: a header and one small record. */
    public static final long SEGMENT_BYTES_MIN = 256;
    public static final Limits DEFAULTS = new Limits(SEGMENT_BYTES_MAX, ENTRIES_PER_WRITE_MAX, SEGMENTS_MAX, TOTAL_BYTES_MAX);

    public Limits {
      if (segmentBytesMax < SEGMENT_BYTES_MIN || segmentBytesMax > SEGMENT_BYTES_MAX) {
        throw new IllegalArgumentException("segmentBytesMax " + segmentBytesMax + " outside ["
            + SEGMENT_BYTES_MIN + ", SEGMENT_BYTES_MAX " + SEGMENT_BYTES_MAX + "]");
      }
      if (entriesPerWriteMax < 1 || entriesPerWriteMax > ENTRIES_PER_WRITE_MAX) {
        throw new IllegalArgumentException("entriesPerWriteMax " + entriesPerWriteMax + " outside [1, ENTRIES_PER_WRITE_MAX " + ENTRIES_PER_WRITE_MAX + "]");
      }
      if (segmentsMax < 1 || segmentsMax > SEGMENTS_MAX) {
        throw new IllegalArgumentException("segmentsMax " + segmentsMax + " outside [1, SEGMENTS_MAX " + SEGMENTS_MAX + "]");
      }
      if (totalBytesMax < segmentBytesMax || totalBytesMax > TOTAL_BYTES_MAX) {
        throw new IllegalArgumentException("totalBytesMax " + totalBytesMax + " outside [segmentBytesMax, TOTAL_BYTES_MAX " + TOTAL_BYTES_MAX + "]");
      }
    }
  }

  private final Disk disk;
  private final Sealer sealer;
  private final byte[] context;
  private final Limits limits;
  private final LogImage image;
  private Optional<SnapshotImage> snapshot;
  private Anchor anchor;
  /** Terms and holding records of entries snapshotLastIndex+1..lastIndex. */
  private final List<Long> terms = new ArrayList<>();
  private final List<RecordRef> refs = new ArrayList<>();
  private long tailSeq;
  private long tailOffset;
  private byte[] tailHash;
  private boolean tailFileExists;
  /** Segment files on disk by sequence number, with their lengths (as found until the first change repairs them). */
  private final TreeMap<Long, Long> segmentBytes;
  private long snapshotFileBytes;
  private boolean snapshotUnreadable;
  private boolean repairPending = true;
  private boolean broken;
  private long writes;
  private long syncs;
  /** Segment files written since the last sync, in the order first written. */
  private final Set<String> unsynced = new LinkedHashSet<>();

  private SealedLog(Disk disk, Sealer sealer, byte[] context, Limits limits, Scan scan) {
    this.disk = disk;
    this.sealer = sealer;
    this.context = context;
    this.limits = limits;
    this.image = scan.image();
    this.snapshot = scan.snapshot;
    this.anchor = scan.anchor;
    for (LogRecord entry : scan.entries) {
      terms.add(entry.term());
    }
    refs.addAll(scan.refs);
    this.tailSeq = scan.tailSeq;
    this.tailOffset = scan.tailOffset;
    this.tailHash = scan.tailHash;
    this.tailFileExists = scan.tailFileExists;
    this.segmentBytes = scan.foundSegmentBytes;
    this.snapshotFileBytes = scan.snapshotFileBytes;
    this.snapshotUnreadable = scan.snapshotUnreadable;
  }

  /**
   * Reads the log from {@code disk}. {@code context} (the fleet id and HSM id) is bound into
   * every record and the snapshot, so nothing sealed for another HSM or fleet opens here.
   */
  public static SealedLog open(Disk disk, Sealer sealer, byte[] context, Limits limits) throws StorageException {
    return openWithBugs(disk, sealer, context, limits, EnumSet.noneOf(StorageBug.class));
  }

  /** As {@link #open}, with seeded defects switched on; reachable from tests only. */
  static SealedLog openWithBugs(Disk disk, Sealer sealer, byte[] context, Limits limits, Set<StorageBug> bugs)
      throws StorageException {
    if (context.length > SealedLogFormat.CONTEXT_BYTES_MAX) {
      throw new IllegalArgumentException("context of " + context.length + " bytes exceeds CONTEXT_BYTES_MAX " + SealedLogFormat.CONTEXT_BYTES_MAX);
    }
    if (bugs.contains(StorageBug.TORN_WRITE_UNDETECTED) && !(sealer instanceof AesGcmSealer)) {
      throw new IllegalArgumentException("the torn-write defect needs an AesGcmSealer to decrypt without the tag");
    }
    byte[] ownContext = context.clone();
    Scan scan = SealedLogReader.read(disk, sealer, ownContext, limits, Set.copyOf(bugs));
    return new SealedLog(disk, sealer, ownContext, limits, scan);
  }

  /** What was read at open. */
  public LogImage image() {
    return image;
  }

  public long lastIndex() {
    return snapshotLastIndex() + terms.size();
  }

  public long lastTerm() {
    return terms.isEmpty() ? snapshot.map(SnapshotImage::lastTerm).orElse(0L) : terms.get(terms.size() - 1);
  }

  /** Records appended since open. */
  public long writes() {
    return writes;
  }

  /** Calls that made data durable since open: one per segment file a sync forced, one per snapshot file replaced. */
  public long syncs() {
    return syncs;
  }

  /**
   * Makes the log entries 1..keepThrough of the current log followed by {@code entries}
   * (indexes keepThrough+1..), durably: one sealed record, one fsync. Nothing to cut and
   * nothing to add writes nothing.
   */
  public void write(long keepThrough, List<LogRecord> entries) throws StorageException {
    writeUnsynced(keepThrough, entries);
    sync();
  }

  /**
   * As {@link #write}, without the fsync: the record is durable only once {@link #sync}
   * returns (group commit: several records, one fsync). Records reach the disk in the order
   * written, so a crash before the sync leaves the log as after some earlier write. Every
   * other change ({@link #compact}, {@link #installSnapshot}) syncs them first.
   */
  public void writeUnsynced(long keepThrough, List<LogRecord> entries) throws StorageException {
    checkUsable();
    if (entries.size() > limits.entriesPerWriteMax()) {
      throw new IllegalArgumentException("write of " + entries.size() + " entries exceeds entriesPerWriteMax " + limits.entriesPerWriteMax());
    }
    if (keepThrough < snapshotLastIndex() || keepThrough > lastIndex()) {
      throw new IllegalArgumentException("keepThrough " + keepThrough + " outside [" + snapshotLastIndex()
          + " (the snapshot), " + lastIndex() + " (the last entry)]");
    }
    if (entries.isEmpty() && keepThrough == lastIndex()) {
      return;
    }
    long firstIndex = keepThrough + 1;
    byte[] prevHash = tailHash;
    byte[] plaintext = SealedLogFormat.recordPlaintext(entries);
    byte[] sealed;
    try {
      sealed = sealer.seal(SealedLogFormat.recordAad(context, firstIndex, entries.size(), prevHash), plaintext);
    } finally {
      Bytes.zeroize(plaintext); // commands in the clear, an Expose's backup key among them
    }
    byte[] frame = SealedLogFormat.frame(firstIndex, entries.size(), prevHash, sealed);
    if (SEGMENT_HEADER_BYTES + frame.length > limits.segmentBytesMax()) {
      throw new IllegalArgumentException("record of " + frame.length + " bytes does not fit in segmentBytesMax " + limits.segmentBytesMax());
    }
    repair(); // leaves tailHash as it is: the record above chains correctly
    boolean roll = tailFileExists && tailOffset + frame.length > limits.segmentBytesMax();
    long seq = roll ? tailSeq + 1 : tailSeq;
    boolean newFile = roll || !tailFileExists;
    if (newFile && seq - anchor.seq() + 1 > limits.segmentsMax()) {
      throw new StorageException(StorageException.Kind.TOO_LARGE, SealedLogFormat.segmentName(seq)
          + " would exceed segmentsMax " + limits.segmentsMax() + " segments; compact first");
    }
    long added = frame.length + (newFile ? SEGMENT_HEADER_BYTES : 0);
    if (totalBytes() + added > limits.totalBytesMax()) {
      throw new StorageException(StorageException.Kind.TOO_LARGE, "a record of " + frame.length
          + " bytes would take the log past totalBytesMax " + limits.totalBytesMax() + "; compact first");
    }
    if (newFile) {
      // Unsynced records reach the disk before a new segment exists: a power cut can then tear
      // only the last segment's tail (a torn record in an older segment reads as CORRUPT).
      sync();
    }
    String name = SealedLogFormat.segmentName(seq);
    long recordOffset = newFile ? SEGMENT_HEADER_BYTES : tailOffset;
    changing(() -> disk.append(name, newFile ? Bytes.concat(SealedLogFormat.segmentHeader(seq), frame) : frame));
    unsynced.add(name);
    writes++;
    tailSeq = seq;
    tailOffset = recordOffset + frame.length;
    tailHash = SealedLogFormat.chainHash(frame, 0, frame.length);
    tailFileExists = true;
    segmentBytes.put(seq, tailOffset);
    int keep = (int) (keepThrough - snapshotLastIndex());
    terms.subList(keep, terms.size()).clear();
    refs.subList(keep, refs.size()).clear();
    RecordRef ref = new RecordRef(seq, recordOffset, prevHash);
    for (LogRecord entry : entries) {
      terms.add(entry.term());
      refs.add(ref);
    }
  }

  /** Makes every record written since the last sync durable: one fsync per segment file they went to. */
  public void sync() throws StorageException {
    if (unsynced.isEmpty()) {
      return;
    }
    checkUsable();
    for (String name : unsynced) {
      changing(() -> disk.sync(name));
      syncs++;
    }
    unsynced.clear();
  }

  /**
   * The snapshot replaces entries 1..snapshot.lastIndex; later entries stay. Segment files
   * holding only replaced entries are deleted. Its last term must be that of the entry it ends at.
   */
  public void compact(SnapshotImage newSnapshot) throws StorageException {
    checkUsable();
    sync(); // the records before it reach the disk first
    long last = newSnapshot.lastIndex();
    if (last < snapshotLastIndex() || last > lastIndex()) {
      throw new IllegalArgumentException("compaction to index " + last + " outside [" + snapshotLastIndex()
          + " (the snapshot), " + lastIndex() + " (the last entry)]; installSnapshot replaces the log");
    }
    if (newSnapshot.lastTerm() != termAt(last)) {
      throw new IllegalArgumentException("snapshot lastTerm " + newSnapshot.lastTerm() + " is not the term "
          + termAt(last) + " of entry " + last);
    }
    repair();
    Anchor newAnchor;
    if (last < lastIndex()) {
      RecordRef next = refs.get((int) (last - snapshotLastIndex()));
      newAnchor = new Anchor(next.seq(), next.offset(), next.prevHash());
    } else {
      newAnchor = new Anchor(tailSeq, tailOffset, tailHash);
    }
    int dropped = (int) (last - snapshotLastIndex());
    replaceSnapshot(newSnapshot, newAnchor);
    terms.subList(0, dropped).clear();
    refs.subList(0, dropped).clear();
  }

  /** The log becomes {@code newSnapshot} and nothing after it. */
  public void installSnapshot(SnapshotImage newSnapshot) throws StorageException {
    checkUsable();
    sync(); // the records before it reach the disk first
    repair();
    replaceSnapshot(newSnapshot, new Anchor(tailSeq, tailOffset, tailHash));
    terms.clear();
    refs.clear();
  }

  /** Writes the snapshot file (the commit point), then deletes the segments before the anchor's. */
  private void replaceSnapshot(SnapshotImage newSnapshot, Anchor newAnchor) throws StorageException {
    byte[] plaintext = SealedLogFormat.snapshotPlaintext(newSnapshot, newAnchor);
    byte[] file;
    try {
      file = SealedLogFormat.snapshotFile(sealer.seal(SealedLogFormat.snapshotAad(context), plaintext));
    } finally {
      Bytes.zeroize(plaintext); // the vault state in the clear, backup keys among it
    }
    long kept = 0;
    for (Map.Entry<Long, Long> segment : segmentBytes.tailMap(newAnchor.seq(), true).entrySet()) {
      kept += segment.getValue();
    }
    if (file.length + kept > limits.totalBytesMax()) {
      throw new StorageException(StorageException.Kind.TOO_LARGE, "a snapshot file of " + file.length
          + " bytes would take the log past totalBytesMax " + limits.totalBytesMax());
    }
    changing(() -> disk.replaceAtomically(SealedLogFormat.SNAPSHOT_NAME, file));
    syncs++;
    snapshotFileBytes = file.length;
    snapshot = Optional.of(newSnapshot);
    anchor = newAnchor;
    deleteSegmentsBefore(newAnchor.seq());
  }

  /**
   * Removes what the reader dropped, so the next record follows the intact prefix: a
   * damaged snapshot and every segment, or segments past the tail, a torn or damaged tail,
   * and segments left before the anchor by a crash during compaction. Changes nothing
   * that the reader used, so a crash during it reads back the same log.
   */
  private void repair() throws StorageException {
    if (!repairPending) {
      return;
    }
    if (snapshotUnreadable) {
      for (long seq : new ArrayList<>(segmentBytes.descendingKeySet())) {
        deleteSegment(seq);
      }
      changing(() -> disk.delete(SealedLogFormat.SNAPSHOT_NAME));
      snapshotUnreadable = false;
      snapshotFileBytes = 0;
    } else {
      for (long seq : new ArrayList<>(segmentBytes.descendingKeySet())) {
        if (seq > tailSeq || (seq == tailSeq && !tailFileExists)) {
          deleteSegment(seq);
        }
      }
      Long found = segmentBytes.get(tailSeq);
      if (tailFileExists && found != null && found != tailOffset) {
        changing(() -> disk.truncate(SealedLogFormat.segmentName(tailSeq), tailOffset));
        segmentBytes.put(tailSeq, tailOffset);
      }
      if (!tailFileExists && anchor.seq() == tailSeq && anchor.offset() != SEGMENT_HEADER_BYTES) {
        // The segment the snapshot points into is gone: point it at the fresh segment's first record.
        replaceSnapshot(snapshot.orElseThrow(), new Anchor(anchor.seq(), SEGMENT_HEADER_BYTES, anchor.prevHash()));
      }
      deleteSegmentsBefore(anchor.seq());
    }
    repairPending = false;
  }

  private void deleteSegmentsBefore(long seq) throws StorageException {
    for (long old : new ArrayList<>(segmentBytes.headMap(seq, false).keySet())) {
      deleteSegment(old);
    }
  }

  private void deleteSegment(long seq) throws StorageException {
    changing(() -> disk.delete(SealedLogFormat.segmentName(seq)));
    segmentBytes.remove(seq);
  }

  private long snapshotLastIndex() {
    return snapshot.map(SnapshotImage::lastIndex).orElse(0L);
  }

  private long termAt(long index) {
    return index == snapshotLastIndex() ? snapshot.map(SnapshotImage::lastTerm).orElse(0L)
        : terms.get((int) (index - snapshotLastIndex() - 1));
  }

  private long totalBytes() {
    long total = snapshotFileBytes;
    for (long bytes : segmentBytes.values()) {
      total += bytes;
    }
    return total;
  }

  private interface DiskChange {
    void run() throws StorageException;
  }

  /** Runs a disk change; if the disk fails, memory may no longer match it, so refuse further changes. */
  private void changing(DiskChange change) throws StorageException {
    try {
      change.run();
    } catch (StorageException | RuntimeException e) {
      broken = true;
      throw e;
    }
  }

  private void checkUsable() {
    if (broken) {
      throw new IllegalStateException("a disk operation of this log failed; reopen it");
    }
  }
}
