package dev.bkv.storage;

import static dev.bkv.storage.SealedLogFormat.FRAME_FIXED_BYTES;
import static dev.bkv.storage.SealedLogFormat.SEGMENT_HEADER_BYTES;

import dev.bkv.base.Bytes;
import dev.bkv.storage.SealedLogFormat.Anchor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a replica sealed log back at open. Never throws for damage: it keeps the longest
 * intact, chained prefix and names the first thing it dropped. Only a failing disk throws.
 */
final class SealedLogReader {
  /** The record that holds an entry: where it starts and the hash it chains from. */
  record RecordRef(long seq, long offset, byte[] prevHash) {}

  /** What open found: the log, where the next record goes, and what to clean up before writing. */
  static final class Scan {
    Optional<SnapshotImage> snapshot = Optional.empty();
    Anchor anchor = Anchor.initial();
    final List<LogRecord> entries = new ArrayList<>();
    final List<RecordRef> refs = new ArrayList<>();
    long tailSeq = anchor.seq();
    long tailOffset = anchor.offset();
    byte[] tailHash = anchor.prevHash();
    /** False when the tail segment is absent or unusable and must be (re)created from its header. */
    boolean tailFileExists;
    /** Segment files as found, by sequence number: names and lengths. */
    final TreeMap<Long, Long> foundSegmentBytes = new TreeMap<>();
    long snapshotFileBytes;
    boolean snapshotUnreadable;
    String damage;

    long snapshotLastIndex() {
      return snapshot.map(SnapshotImage::lastIndex).orElse(0L);
    }

    long lastIndex() {
      return snapshotLastIndex() + entries.size();
    }

    LogImage image() {
      return new LogImage(snapshot, snapshotLastIndex() + 1, entries, Optional.ofNullable(damage));
    }
  }

  private final Disk disk;
  private final Sealer sealer;
  private final byte[] context;
  private final SealedLog.Limits limits;
  private final Set<StorageBug> bugs;
  private final Scan scan = new Scan();

  private SealedLogReader(Disk disk, Sealer sealer, byte[] context, SealedLog.Limits limits, Set<StorageBug> bugs) {
    this.disk = disk;
    this.sealer = sealer;
    this.context = context;
    this.limits = limits;
    this.bugs = bugs;
  }

  static Scan read(Disk disk, Sealer sealer, byte[] context, SealedLog.Limits limits, Set<StorageBug> bugs)
      throws StorageException {
    return new SealedLogReader(disk, sealer, context, limits, bugs).read();
  }

  private Scan read() throws StorageException {
    for (String name : disk.list()) {
      SealedLogFormat.segmentSeq(name).ifPresent(seq -> scan.foundSegmentBytes.put(seq, -1L));
    }
    if (!readSnapshot()) {
      scan.snapshotUnreadable = true;
      return scan; // without the anchor no segment can be trusted to continue it
    }
    Anchor anchor = scan.anchor;
    scan.tailSeq = anchor.seq();
    scan.tailOffset = anchor.offset();
    scan.tailHash = anchor.prevHash();
    long expected = anchor.seq();
    for (long seq : new ArrayList<>(scan.foundSegmentBytes.tailMap(anchor.seq(), true).keySet())) {
      if (seq != expected) {
        damage(SealedLogFormat.segmentName(expected) + " is missing while " + SealedLogFormat.segmentName(seq) + " exists");
        break;
      }
      if (seq - anchor.seq() + 1 > limits.segmentsMax()) {
        damage(SealedLogFormat.segmentName(seq) + " is past segmentsMax " + limits.segmentsMax() + " segments");
        break;
      }
      if (!readSegment(seq)) {
        break;
      }
      expected++;
    }
    if (!scan.tailFileExists && scan.damage == null && anchor.offset() != SEGMENT_HEADER_BYTES) {
      damage(SealedLogFormat.segmentName(anchor.seq()) + ", where the log resumes after the snapshot, is missing");
    }
    if (!scan.tailFileExists) {
      scan.tailOffset = SEGMENT_HEADER_BYTES; // recreated from its header by the first write
    }
    return scan;
  }

  /** False when a snapshot file exists but cannot be used; the scan's damage says why. */
  private boolean readSnapshot() throws StorageException {
    Optional<byte[]> file;
    try {
      file = disk.read(SealedLogFormat.SNAPSHOT_NAME, SealedLogFormat.SNAPSHOT_FILE_BYTES_MAX);
    } catch (StorageException e) {
      if (e.kind() != StorageException.Kind.TOO_LARGE) {
        throw e;
      }
      damage(SealedLogFormat.SNAPSHOT_NAME + " is larger than " + SealedLogFormat.SNAPSHOT_FILE_BYTES_MAX + " bytes");
      return false;
    }
    if (file.isEmpty()) {
      return true;
    }
    byte[] bytes = file.get();
    scan.snapshotFileBytes = bytes.length;
    byte[] magic = SealedLogFormat.SNAPSHOT_MAGIC;
    if (bytes.length < magic.length || !Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length)) {
      damage(SealedLogFormat.SNAPSHOT_NAME + " does not start with " + new String(magic, java.nio.charset.StandardCharsets.US_ASCII));
      return false;
    }
    byte[] plaintext;
    try {
      plaintext = sealer.unseal(SealedLogFormat.snapshotAad(context), Arrays.copyOfRange(bytes, magic.length, bytes.length));
    } catch (StorageException e) {
      damage(SealedLogFormat.SNAPSHOT_NAME + " does not authenticate (altered, or sealed for another HSM or fleet)");
      return false;
    }
    if (plaintext.length < SealedLogFormat.SNAPSHOT_FIXED_BYTES
        || plaintext.length - SealedLogFormat.SNAPSHOT_FIXED_BYTES > SnapshotImage.STATE_BYTES_MAX) {
      damage(SealedLogFormat.SNAPSHOT_NAME + " authenticates but holds " + plaintext.length + " bytes, not a snapshot");
      return false;
    }
    ByteBuffer in = ByteBuffer.wrap(plaintext);
    long lastIndex = in.getLong();
    long lastTerm = in.getLong();
    long anchorSeq = in.getLong();
    long anchorOffset = in.getLong();
    byte[] anchorHash = new byte[SealedLogFormat.HASH_BYTES];
    in.get(anchorHash);
    if (lastIndex < 0 || lastTerm < 0 || anchorSeq < 1 || anchorOffset < SEGMENT_HEADER_BYTES) {
      damage(SealedLogFormat.SNAPSHOT_NAME + " authenticates but its fields are out of range");
      return false;
    }
    byte[] state = Arrays.copyOfRange(plaintext, SealedLogFormat.SNAPSHOT_FIXED_BYTES, plaintext.length);
    scan.snapshot = Optional.of(new SnapshotImage(lastIndex, lastTerm, state)); // which keeps its own copy
    Bytes.zeroize(state, plaintext);
    scan.anchor = new Anchor(anchorSeq, anchorOffset, anchorHash);
    return true;
  }

  /** Reads one segment's records into the scan; false when it found damage and the log ends here. */
  private boolean readSegment(long seq) throws StorageException {
    String name = SealedLogFormat.segmentName(seq);
    Optional<byte[]> file;
    try {
      file = disk.read(name, limits.segmentBytesMax());
    } catch (StorageException e) {
      if (e.kind() != StorageException.Kind.TOO_LARGE) {
        throw e;
      }
      damage(name + " is larger than segmentBytesMax " + limits.segmentBytesMax());
      return false;
    }
    if (file.isEmpty()) {
      damage(name + " vanished while being read");
      return false;
    }
    byte[] bytes = file.get();
    scan.foundSegmentBytes.put(seq, (long) bytes.length);
    byte[] header = SealedLogFormat.segmentHeader(seq);
    if (bytes.length < header.length || !Arrays.equals(bytes, 0, header.length, header, 0, header.length)) {
      boolean torn = bytes.length < header.length && Arrays.equals(bytes, 0, bytes.length, header, 0, bytes.length);
      damage(name + (torn ? " has a torn header (" + bytes.length + " of " + header.length + " bytes)" : " has a damaged header"));
      return false;
    }
    long start = seq == scan.anchor.seq() ? scan.anchor.offset() : SEGMENT_HEADER_BYTES;
    if (bytes.length < start) {
      damage(name + " ends at byte " + bytes.length + ", before the snapshot's anchor at byte " + start);
      return false;
    }
    scan.tailSeq = seq;
    scan.tailOffset = start;
    scan.tailFileExists = true;
    int offset = (int) start;
    while (offset < bytes.length) {
      int frameBytes = readRecord(name, seq, bytes, offset);
      if (frameBytes < 0) {
        return false;
      }
      scan.tailHash = SealedLogFormat.chainHash(bytes, offset, frameBytes);
      offset += frameBytes;
      scan.tailOffset = offset;
    }
    return true;
  }

  /** Applies the record at {@code offset}; its frame length, or -1 when it is damaged (recorded in the scan). */
  private int readRecord(String name, long seq, byte[] bytes, int offset) {
    int remaining = bytes.length - offset;
    if (remaining < 4) {
      damage(name + " has a torn record at byte " + offset + " (" + remaining + " bytes, not even its length)");
      return -1;
    }
    ByteBuffer in = ByteBuffer.wrap(bytes, offset, remaining);
    long bodyBytes = Integer.toUnsignedLong(in.getInt());
    if (bodyBytes < FRAME_FIXED_BYTES - 4 || bodyBytes > limits.segmentBytesMax()) {
      damage(name + " has a record at byte " + offset + " with an impossible length of " + bodyBytes + " bytes");
      return -1;
    }
    if (remaining - 4 < bodyBytes) {
      damage(name + " has a torn record at byte " + offset + " (" + remaining + " of " + (4 + bodyBytes) + " bytes)");
      return -1;
    }
    long firstIndex = in.getLong();
    int count = in.getInt();
    byte[] prevHash = new byte[SealedLogFormat.HASH_BYTES];
    in.get(prevHash);
    int frameBytes = (int) (4 + bodyBytes);
    byte[] sealed = Arrays.copyOfRange(bytes, offset + FRAME_FIXED_BYTES, offset + frameBytes);
    if (!Arrays.equals(prevHash, scan.tailHash)) {
      damage(name + " has a record at byte " + offset + " that does not chain to the record before it");
      return -1;
    }
    byte[] plaintext;
    try {
      plaintext = sealer.unseal(SealedLogFormat.recordAad(context, firstIndex, count, prevHash), sealed);
    } catch (StorageException e) {
      if (!bugs.contains(StorageBug.TORN_WRITE_UNDETECTED)) {
        damage(name + " has a record at byte " + offset + " that does not authenticate (torn, altered, or sealed for another HSM or fleet)");
        return -1;
      }
      plaintext = ((AesGcmSealer) sealer).unsealWithoutTagForBug(sealed); // the seeded defect: use it anyway
    }
    List<LogRecord> entries = count < 0 ? null : SealedLogFormat.parsePlaintext(plaintext, count);
    Bytes.zeroize(plaintext); // the records keep their own copies
    if (entries == null) {
      damage(name + " has a record at byte " + offset + " that authenticates but does not decode");
      return -1;
    }
    if (firstIndex < 1 || firstIndex - 1 > scan.lastIndex()) {
      damage(name + " has a record at byte " + offset + " starting at index " + firstIndex
          + ", not within 1.." + (scan.lastIndex() + 1));
      return -1;
    }
    apply(new RecordRef(seq, offset, prevHash), firstIndex, entries);
    return frameBytes;
  }

  /** A record replaces everything from its first index on; entries the snapshot covers are skipped. */
  private void apply(RecordRef ref, long firstIndex, List<LogRecord> entries) {
    long snapshotLastIndex = scan.snapshotLastIndex();
    int keep = (int) (Math.max(firstIndex - 1, snapshotLastIndex) - snapshotLastIndex);
    scan.entries.subList(keep, scan.entries.size()).clear();
    scan.refs.subList(keep, scan.refs.size()).clear();
    for (int i = 0; i < entries.size(); i++) {
      if (firstIndex + i > snapshotLastIndex) {
        scan.entries.add(entries.get(i));
        scan.refs.add(ref);
      }
    }
  }

  private void damage(String what) {
    if (scan.damage == null) {
      scan.damage = what + "; the log read back ends before it";
    }
  }
}
