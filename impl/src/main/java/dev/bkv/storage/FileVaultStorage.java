package dev.bkv.storage;

import dev.bkv.base.Check;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link VaultStorage} in a directory of the host's disk (formats in spec/FORMATS.md, "Vault
 * and HSM"):
 * <ul>
 *   <li>{@code snapshot.bkv}: {@code "BKVSNAP1" || u64 version || u32 length || sealed},
 *       replaced atomically ({@link AtomicFile});
 *   <li>{@code log-<first version, 20 digits>.seg}: {@code "BKVLOG01" || u64 first_version}
 *       then entries {@code u32 length || sealed}, appended and fsynced one by one.
 * </ul>
 * A crash during an append leaves a torn tail, which {@link #load} reports and the next
 * append overwrites. A crash while a snapshot is replaced leaves old segments behind, which
 * {@link #load} recognises as covered by the snapshot and removes. Anything else that does
 * not parse is {@link StorageException.Kind#CORRUPT}.
 */
public final class FileVaultStorage implements VaultStorage {
  static final byte[] SNAPSHOT_MAGIC = "BKVSNAP1".getBytes(StandardCharsets.US_ASCII);
  static final byte[] SEGMENT_MAGIC = "BKVLOG01".getBytes(StandardCharsets.US_ASCII);
  static final String SNAPSHOT_FILE = "snapshot.bkv";
  static final int SNAPSHOT_HEADER_BYTES = 8 + 8 + 4;
  static final int SEGMENT_HEADER_BYTES = 8 + 8;
  static final int ENTRY_HEADER_BYTES = 4;
  /** A segment is closed once it reaches this size; the firmware snapshots long before. */
  public static final long SEGMENT_BYTES_MAX = 64L * 1024 * 1024;
  /** Segment files considered in one directory; more means something is badly wrong. */
  public static final int SEGMENTS_MAX = 1024;
  private static final Pattern SEGMENT_NAME = Pattern.compile("log-(\\d{20})\\.seg");

  /** Where one entry sits, for truncation. */
  private record Located(long version, Path segment, long offset) {}

  /** One segment file: it holds versions {@code first .. last} ({@code last = first - 1} when empty). */
  private record Segment(Path path, long first, long last) {}

  private final Path dir;
  private final long segmentBytesMax;
  private boolean loaded;
  private long lastVersion;
  private Path currentSegment;
  private long currentSegmentBytes;
  private final List<Located> index = new ArrayList<>();
  private final List<Segment> segments = new ArrayList<>();

  private FileVaultStorage(Path dir, long segmentBytesMax) {
    this.dir = dir;
    this.segmentBytesMax = segmentBytesMax;
  }

  /** Opens (creating if needed) the directory; call {@link #load} before appending. */
  public static FileVaultStorage open(Path dir) throws StorageException {
    return open(dir, SEGMENT_BYTES_MAX);
  }

  /** As {@link #open(Path)}, closing segments at {@code segmentBytesMax} (tests use small segments). */
  static FileVaultStorage open(Path dir, long segmentBytesMax) throws StorageException {
    Check.that(segmentBytesMax > SEGMENT_HEADER_BYTES && segmentBytesMax <= SEGMENT_BYTES_MAX, "segment size in range");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StorageException(StorageException.Kind.IO, "creating " + dir + ": " + e.getMessage(), e);
    }
    return new FileVaultStorage(dir, segmentBytesMax);
  }

  @Override
  public synchronized Contents load() throws StorageException {
    Optional<VersionedBlob> snapshot = readSnapshot();
    long snapshotVersion = snapshot.map(VersionedBlob::version).orElse(0L);
    List<Path> paths = listSegments();
    List<VersionedBlob> log = new ArrayList<>();
    index.clear();
    segments.clear();
    currentSegment = null;
    currentSegmentBytes = 0;
    long tornTail = 0;
    for (int i = 0; i < paths.size(); i++) {
      Path path = paths.get(i);
      boolean newest = i == paths.size() - 1;
      byte[] bytes = AtomicFile.read(path, SEGMENT_BYTES_MAX).orElseThrow(
          () -> new StorageException(StorageException.Kind.IO, path + " disappeared while loading"));
      if (newest && tornWhileCreated(path, bytes)) {
        // A crash while the segment was being created, before its header was durable.
        tornTail = bytes.length;
        deleteTornSegment(path);
        break;
      }
      long first = parseSegmentHeader(path, bytes);
      if (!segments.isEmpty() && first != segments.get(segments.size() - 1).last() + 1) {
        throw new StorageException(StorageException.Kind.CORRUPT, path + " starts at version " + first
            + " but the previous segment ends at " + segments.get(segments.size() - 1).last());
      }
      long offset = SEGMENT_HEADER_BYTES;
      long version = first;
      while (offset < bytes.length) {
        long length = frameLength(bytes, offset);
        if (length < 0) {
          if (!newest) {
            throw new StorageException(StorageException.Kind.CORRUPT,
                path + " has a malformed entry at offset " + offset + " and is not the newest segment");
          }
          // A crash during an append: nothing after this point was ever acknowledged.
          tornTail = bytes.length - offset;
          break;
        }
        if (version > snapshotVersion) {
          int from = (int) offset + ENTRY_HEADER_BYTES;
          log.add(new VersionedBlob(version, Arrays.copyOfRange(bytes, from, from + (int) length)));
          index.add(new Located(version, path, offset));
        }
        offset += ENTRY_HEADER_BYTES + length;
        version++;
      }
      segments.add(new Segment(path, first, version - 1));
      if (newest && first > snapshotVersion) {
        currentSegment = path;
        currentSegmentBytes = offset;
      }
    }
    if (!log.isEmpty() && log.get(0).version() != snapshotVersion + 1) {
      throw new StorageException(StorageException.Kind.CORRUPT,
          "log resumes at version " + log.get(0).version() + " after a snapshot at " + snapshotVersion);
    }
    lastVersion = log.isEmpty() ? snapshotVersion : log.get(log.size() - 1).version();
    // A crash between writing a snapshot and removing the segments it covers leaves them here.
    deleteSegments(s -> s.first() <= snapshotVersion && s.last() <= snapshotVersion);
    loaded = true;
    return new Contents(snapshot, log, tornTail);
  }

  @Override
  public synchronized void append(long version, byte[] sealed) throws StorageException {
    Check.that(loaded, "load() before append()");
    Check.that(version == lastVersion + 1, "appended version follows the last one");
    Check.that(sealed.length > 0 && sealed.length <= LOG_ENTRY_BYTES_MAX, "sealed entry within LOG_ENTRY_BYTES_MAX");
    long frameBytes = ENTRY_HEADER_BYTES + (long) sealed.length;
    try {
      if (currentSegment == null || currentSegmentBytes + frameBytes > segmentBytesMax) {
        startSegment(version);
      }
      ByteBuffer frame = ByteBuffer.allocate((int) frameBytes).putInt(sealed.length).put(sealed);
      try (FileChannel channel = FileChannel.open(currentSegment, StandardOpenOption.WRITE)) {
        // Overwrites a torn tail, if the last crash left one.
        channel.truncate(currentSegmentBytes);
        channel.position(currentSegmentBytes);
        AtomicFile.writeFully(channel, frame.array());
        channel.force(true);
      }
    } catch (IOException e) {
      throw new StorageException(StorageException.Kind.IO, "appending version " + version + ": " + e.getMessage(), e);
    }
    index.add(new Located(version, currentSegment, currentSegmentBytes));
    currentSegmentBytes += frameBytes;
    lastVersion = version;
  }

  @Override
  public synchronized void truncateAfter(long version) throws StorageException {
    Check.that(loaded, "load() before truncateAfter()");
    currentSegment = null;
    deleteSegments(s -> s.first() > version + 1);
    for (Located entry : index) {
      if (entry.version() == version + 1 && Files.exists(entry.segment())) {
        try (FileChannel channel = FileChannel.open(entry.segment(), StandardOpenOption.WRITE)) {
          channel.truncate(entry.offset());
          channel.force(true);
        } catch (IOException e) {
          throw new StorageException(StorageException.Kind.IO, "truncating " + entry.segment() + ": " + e.getMessage(), e);
        }
      }
    }
    load();
    Check.that(lastVersion <= version, "truncateAfter leaves no entry after the version");
  }

  @Override
  public synchronized void writeSnapshot(long version, byte[] sealed) throws StorageException {
    Check.that(loaded, "load() before writeSnapshot()");
    Check.that(version == lastVersion, "snapshot taken at the last appended version");
    Check.that(sealed.length <= SEALED_BLOB_BYTES_MAX, "sealed snapshot within SEALED_BLOB_BYTES_MAX");
    ByteBuffer file = ByteBuffer.allocate(SNAPSHOT_HEADER_BYTES + sealed.length)
        .put(SNAPSHOT_MAGIC).putLong(version).putInt(sealed.length).put(sealed);
    AtomicFile.write(dir.resolve(SNAPSHOT_FILE), file.array());
    // The snapshot is durable, so every segment now holds only covered entries.
    currentSegment = null;
    currentSegmentBytes = 0;
    index.clear();
    deleteSegments(s -> true);
  }

  private Optional<VersionedBlob> readSnapshot() throws StorageException {
    Path file = dir.resolve(SNAPSHOT_FILE);
    Optional<byte[]> read = AtomicFile.read(file, SNAPSHOT_HEADER_BYTES + (long) SEALED_BLOB_BYTES_MAX);
    if (read.isEmpty()) {
      return Optional.empty();
    }
    byte[] bytes = read.get();
    if (bytes.length < SNAPSHOT_HEADER_BYTES) {
      throw new StorageException(StorageException.Kind.CORRUPT, file + " is truncated (" + bytes.length + " bytes)");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    byte[] magic = new byte[SNAPSHOT_MAGIC.length];
    in.get(magic);
    if (!Arrays.equals(magic, SNAPSHOT_MAGIC)) {
      throw new StorageException(StorageException.Kind.CORRUPT, file + " does not start with BKVSNAP1");
    }
    long version = in.getLong();
    long length = Integer.toUnsignedLong(in.getInt());
    if (version < 1) {
      throw new StorageException(StorageException.Kind.CORRUPT, file + " claims version " + version);
    }
    if (length != in.remaining()) {
      throw new StorageException(StorageException.Kind.CORRUPT,
          file + " declares " + length + " sealed bytes but holds " + in.remaining());
    }
    return Optional.of(new VersionedBlob(version, Arrays.copyOfRange(bytes, SNAPSHOT_HEADER_BYTES, bytes.length)));
  }

  private List<Path> listSegments() throws StorageException {
    List<Path> segments = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "log-*.seg")) {
      for (Path path : stream) {
        if (SEGMENT_NAME.matcher(path.getFileName().toString()).matches()) {
          segments.add(path);
          if (segments.size() > SEGMENTS_MAX) {
            throw new StorageException(StorageException.Kind.TOO_LARGE, dir + " holds more than " + SEGMENTS_MAX + " segments");
          }
        }
      }
    } catch (IOException e) {
      throw new StorageException(StorageException.Kind.IO, "listing " + dir + ": " + e.getMessage(), e);
    }
    // Zero-padded names sort in version order.
    segments.sort(null);
    return segments;
  }

  private static long parseSegmentHeader(Path segment, byte[] bytes) throws StorageException {
    if (bytes.length < SEGMENT_HEADER_BYTES
        || !Arrays.equals(Arrays.copyOf(bytes, SEGMENT_MAGIC.length), SEGMENT_MAGIC)) {
      throw new StorageException(StorageException.Kind.CORRUPT, segment + " does not start with a BKVLOG01 header");
    }
    long first = ByteBuffer.wrap(bytes, SEGMENT_MAGIC.length, 8).getLong();
    Matcher name = SEGMENT_NAME.matcher(segment.getFileName().toString());
    Check.that(name.matches(), "listed segments match the name pattern");
    if (first < 1 || !name.group(1).equals(String.format("%020d", first))) {
      throw new StorageException(StorageException.Kind.CORRUPT, segment + " header says first version " + first);
    }
    return first;
  }

  /**
   * Whether {@code bytes} are a proper prefix of the header a segment of this name starts
   * with: the magic, or the magic and part of the first version, as a crash before the header
   * was durable leaves them.
   */
  private static boolean tornWhileCreated(Path segment, byte[] bytes) {
    if (bytes.length >= SEGMENT_HEADER_BYTES) {
      return false;
    }
    Matcher name = SEGMENT_NAME.matcher(segment.getFileName().toString());
    Check.that(name.matches(), "listed segments match the name pattern");
    BigInteger first = new BigInteger(name.group(1));
    if (first.bitLength() > Long.SIZE - 1) {
      return false; // no u64 header names this segment; a 20-digit name can exceed a long
    }
    return Arrays.equals(bytes, Arrays.copyOf(segmentHeader(first.longValue()), bytes.length));
  }

  private static byte[] segmentHeader(long firstVersion) {
    return ByteBuffer.allocate(SEGMENT_HEADER_BYTES).put(SEGMENT_MAGIC).putLong(firstVersion).array();
  }

  /** The sealed length of the entry at {@code offset}, or -1 when no whole entry starts there. */
  private static long frameLength(byte[] bytes, long offset) {
    if (bytes.length - offset < ENTRY_HEADER_BYTES) {
      return -1;
    }
    long length = Integer.toUnsignedLong(ByteBuffer.wrap(bytes, (int) offset, ENTRY_HEADER_BYTES).getInt());
    if (length == 0 || length > LOG_ENTRY_BYTES_MAX || length > bytes.length - offset - ENTRY_HEADER_BYTES) {
      return -1;
    }
    return length;
  }

  private void startSegment(long firstVersion) throws IOException {
    Path segment = dir.resolve(String.format("log-%020d.seg", firstVersion));
    try (FileChannel channel = FileChannel.open(segment,
        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      AtomicFile.writeFully(channel, segmentHeader(firstVersion));
      channel.force(true);
    }
    AtomicFile.syncDirectory(dir);
    // Only first() matters for segments opened since the last load (see deleteSegments callers).
    segments.add(new Segment(segment, firstVersion, firstVersion - 1));
    currentSegment = segment;
    currentSegmentBytes = SEGMENT_HEADER_BYTES;
  }

  private void deleteTornSegment(Path path) throws StorageException {
    try {
      Files.delete(path);
      AtomicFile.syncDirectory(dir);
    } catch (IOException e) {
      throw new StorageException(StorageException.Kind.IO, "removing the torn segment " + path + ": " + e.getMessage(), e);
    }
  }

  private void deleteSegments(java.util.function.Predicate<Segment> which) throws StorageException {
    boolean removed = false;
    try {
      for (java.util.Iterator<Segment> it = segments.iterator(); it.hasNext(); ) {
        Segment segment = it.next();
        if (which.test(segment) && !segment.path().equals(currentSegment)) {
          Files.deleteIfExists(segment.path());
          it.remove();
          removed = true;
        }
      }
      if (removed) {
        AtomicFile.syncDirectory(dir);
      }
    } catch (IOException e) {
      throw new StorageException(StorageException.Kind.IO, "removing log segments: " + e.getMessage(), e);
    }
  }
}
