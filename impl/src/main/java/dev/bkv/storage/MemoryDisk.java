package dev.bkv.storage;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link Disk} in memory for the deterministic simulator. It draws no randomness: every
 * fault is a method the simulator calls with choices from its own seeded source, so a run
 * replays exactly from its seed. Each file is a list of chunks with a durable length:
 * the bytes before it survive a power loss, the unsynced tail after it does not.
 *
 * <p>Faults: {@link #crash} (lost fsync), {@link #crashTorn} (a write torn mid-sector),
 * {@link #flipBit} (media or host corruption), {@link #copy}/{@link #restore} (the host
 * hands back an older or newer copy of every file: rollback). Not thread-safe.
 */
public final class MemoryDisk implements Disk {
  /** Bounds one file as a real file system would; the log's own limits are far below. */
  public static final int FILE_BYTES_MAX = Integer.MAX_VALUE - 8;

  /** The first chunk of a file that grows by appends; each later chunk is as large as all before it. */
  static final int CHUNK_BYTES_MIN = 4 * 1024;
  /** The largest chunk: a 64 MiB log segment is 64 of them plus the small first ones. */
  static final int CHUNK_BYTES_MAX = 1024 * 1024;

  /**
   * One file as a list of chunks that are never copied to grow: a log segment grows to 64 MiB
   * by small appends, and a doubling array copied the segment over and over (a tenth of a
   * large batch's time in the fleet benchmark).
   */
  private static final class File {
    private final List<byte[]> chunks = new ArrayList<>();
    private long capacity;
    int length;
    /** Bytes [0, durableLength) survive a crash. */
    int durableLength;
    /** False for a file created by append and never synced: a crash removes it. */
    boolean durable;

    File(byte[] content, boolean durable) {
      if (content.length > 0) {
        chunks.add(content);
        capacity = content.length;
      }
      this.length = content.length;
      this.durableLength = durable ? content.length : 0;
      this.durable = durable;
    }

    void append(byte[] bytes) {
      long needed = (long) length + bytes.length;
      if (needed > FILE_BYTES_MAX) {
        throw new IllegalArgumentException("file would exceed FILE_BYTES_MAX " + FILE_BYTES_MAX);
      }
      while (capacity < needed) {
        int size = (int) Math.min(FILE_BYTES_MAX - capacity, Math.max(CHUNK_BYTES_MIN, Math.min(CHUNK_BYTES_MAX, capacity)));
        chunks.add(new byte[size]);
        capacity += size;
      }
      int written = 0;
      long chunkStart = 0;
      for (byte[] chunk : chunks) {
        long chunkEnd = chunkStart + chunk.length;
        if (written == bytes.length) {
          break;
        }
        if (length < chunkEnd) {
          int offset = (int) (length - chunkStart);
          int n = Math.min(chunk.length - offset, bytes.length - written);
          System.arraycopy(bytes, written, chunk, offset, n);
          written += n;
          length += n;
        }
        chunkStart = chunkEnd;
      }
    }

    /** Cuts the file to {@code newLength} bytes, no longer than it is, freeing chunks past the end. */
    void shorten(int newLength) {
      length = newLength;
      while (!chunks.isEmpty() && capacity - chunks.get(chunks.size() - 1).length >= Math.max(1, newLength)) {
        capacity -= chunks.remove(chunks.size() - 1).length;
      }
    }

    void flip(long bitOffset) {
      long byteOffset = bitOffset >>> 3;
      for (byte[] chunk : chunks) {
        if (byteOffset < chunk.length) {
          chunk[(int) byteOffset] ^= (byte) (1 << (bitOffset & 7));
          return;
        }
        byteOffset -= chunk.length;
      }
      throw new AssertionError("bit " + bitOffset + " inside the file's length is inside its chunks");
    }

    byte[] content() {
      byte[] out = new byte[length];
      int copied = 0;
      for (byte[] chunk : chunks) {
        if (copied == length) {
          break;
        }
        int n = Math.min(chunk.length, length - copied);
        System.arraycopy(chunk, 0, out, copied, n);
        copied += n;
      }
      return out;
    }
  }

  /** Every file's current content, as the host could copy it at one instant. */
  public static final class Image {
    private final Map<String, byte[]> files;

    private Image(Map<String, byte[]> files) {
      this.files = files;
    }

    public List<String> names() {
      return List.copyOf(files.keySet());
    }
  }

  private final TreeMap<String, File> files = new TreeMap<>();

  @Override
  public List<String> list() {
    return new ArrayList<>(files.keySet());
  }

  @Override
  public Optional<byte[]> read(String name, long bytesMax) throws StorageException {
    File file = files.get(Disk.checkName(name));
    if (file == null) {
      return Optional.empty();
    }
    if (file.length > bytesMax) {
      throw new StorageException(StorageException.Kind.TOO_LARGE, name + " is " + file.length + " bytes, more than " + bytesMax);
    }
    return Optional.of(file.content());
  }

  @Override
  public void append(String name, byte[] bytes) {
    files.computeIfAbsent(Disk.checkName(name), n -> new File(new byte[0], false)).append(bytes);
  }

  @Override
  public void sync(String name) throws StorageException {
    File file = existing(name, "sync");
    file.durableLength = file.length;
    file.durable = true;
  }

  @Override
  public void replaceAtomically(String name, byte[] bytes) {
    files.put(Disk.checkName(name), new File(bytes.clone(), true));
  }

  @Override
  public void delete(String name) {
    files.remove(Disk.checkName(name));
  }

  @Override
  public void truncate(String name, long length) throws StorageException {
    File file = existing(name, "truncate");
    if (length < 0 || length > FILE_BYTES_MAX) {
      throw new IllegalArgumentException("cannot truncate " + name + " to " + length + " bytes");
    }
    if (length <= file.length) {
      file.shorten((int) length);
    } else {
      file.append(new byte[(int) (length - file.length)]);
    }
    file.durableLength = file.length;
    file.durable = true;
  }

  /** Power loss: every unsynced tail is lost, and files never synced disappear. */
  public void crash() {
    Iterator<File> it = files.values().iterator();
    while (it.hasNext()) {
      File file = it.next();
      if (!file.durable) {
        it.remove();
      } else {
        file.shorten(file.durableLength);
      }
    }
  }

  /**
   * Power loss during a write to {@code name}: of its unsynced tail only the first
   * {@code keepBytes} reached the platter, followed by {@code garbage} (a torn sector);
   * every other file loses its unsynced tail.
   */
  public void crashTorn(String name, int keepBytes, byte[] garbage) throws StorageException {
    File file = existing(name, "tear");
    int tailBytes = file.length - file.durableLength;
    if (keepBytes < 0 || keepBytes > tailBytes) {
      throw new IllegalArgumentException("keepBytes " + keepBytes + " outside the unsynced tail of "
          + tailBytes + " bytes of " + name);
    }
    file.shorten(file.durableLength + keepBytes);
    file.append(garbage);
    file.durableLength = file.length;
    file.durable = true;
    crash();
  }

  /** Flips one bit of the file's current content (durable or not). */
  public void flipBit(String name, long bitOffset) throws StorageException {
    File file = existing(name, "flip a bit of");
    if (bitOffset < 0 || bitOffset >= 8L * file.length) {
      throw new IllegalArgumentException("bit " + bitOffset + " is outside " + name + " (" + file.length + " bytes)");
    }
    file.flip(bitOffset);
  }

  /** Bytes of the unsynced tail of {@code name}: what a crash would lose. */
  public int unsyncedBytes(String name) throws StorageException {
    File file = existing(name, "measure");
    return file.length - file.durableLength;
  }

  /** The host copies every file as it stands now. */
  public Image copy() {
    Map<String, byte[]> copied = new TreeMap<>();
    for (Map.Entry<String, File> e : files.entrySet()) {
      copied.put(e.getKey(), e.getValue().content());
    }
    return new Image(copied);
  }

  /** The host replaces every file with the copy, durably (rollback, or roll-forward). */
  public void restore(Image image) {
    files.clear();
    for (Map.Entry<String, byte[]> e : image.files.entrySet()) {
      files.put(e.getKey(), new File(e.getValue().clone(), true));
    }
  }

  /** The bytes of all files, synced or not. */
  public long bytesStored() {
    long total = 0;
    for (File file : files.values()) {
      total += file.length;
    }
    return total;
  }

  private File existing(String name, String action) throws StorageException {
    File file = files.get(Disk.checkName(name));
    if (file == null) {
      throw new StorageException(StorageException.Kind.IO, "cannot " + action + " " + name + ": no such file");
    }
    return file;
  }
}
