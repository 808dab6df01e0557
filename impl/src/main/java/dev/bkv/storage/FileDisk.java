package dev.bkv.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@link Disk} over a real directory. Appends go through a {@link FileChannel} and
 * {@link #sync} forces it; a file created since the last sync also has its directory
 * forced, because on POSIX a new file's name is durable only once the directory is.
 * Whole-file replacement reuses {@link AtomicFile} (temporary file, fsync, rename,
 * directory fsync). Not thread-safe: one log owns one directory.
 */
public final class FileDisk implements Disk {
  private final Path dir;
  /** Files created by append whose directory entry has not been forced yet. */
  private final Set<String> createdUnsynced = new HashSet<>();

  public FileDisk(Path dir) throws StorageException {
    this.dir = dir.toAbsolutePath();
    try {
      Files.createDirectories(this.dir);
    } catch (IOException e) {
      throw new StorageException(StorageException.Kind.IO, IoErrors.describeWrite(this.dir, e), e);
    }
  }

  public Path dir() {
    return dir;
  }

  @Override
  public List<String> list() throws StorageException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!name.endsWith(".tmp") && Files.isRegularFile(entry)) {
          names.add(name); // .tmp: AtomicFile's half-written temporaries, never content
        }
      }
    } catch (IOException e) {
      throw new StorageException(StorageException.Kind.IO, IoErrors.describeRead(dir, e), e);
    }
    names.sort(null);
    return names;
  }

  @Override
  public Optional<byte[]> read(String name, long bytesMax) throws StorageException {
    return AtomicFile.read(path(name), bytesMax);
  }

  @Override
  public void append(String name, byte[] bytes) throws StorageException {
    Path file = path(name);
    try {
      boolean existed = Files.exists(file);
      try (FileChannel channel = FileChannel.open(file,
          StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        AtomicFile.writeFully(channel, bytes);
      }
      if (!existed) {
        createdUnsynced.add(name);
      }
    } catch (IOException e) {
      throw new StorageException(StorageException.Kind.IO, IoErrors.describeWrite(file, e), e);
    }
  }

  @Override
  public void sync(String name) throws StorageException {
    Path file = path(name);
    try {
      // fsync flushes the file's dirty pages whichever descriptor wrote them.
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      if (createdUnsynced.remove(name)) {
        AtomicFile.syncDirectory(dir);
      }
    } catch (IOException e) {
      throw new StorageException(StorageException.Kind.IO, IoErrors.describeWrite(file, e), e);
    }
  }

  @Override
  public void replaceAtomically(String name, byte[] bytes) throws StorageException {
    AtomicFile.write(path(name), bytes);
    createdUnsynced.remove(name);
  }

  @Override
  public void delete(String name) throws StorageException {
    Path file = path(name);
    try {
      if (Files.deleteIfExists(file)) {
        AtomicFile.syncDirectory(dir);
      }
      createdUnsynced.remove(name);
    } catch (IOException e) {
      throw new StorageException(StorageException.Kind.IO, IoErrors.describeWrite(file, e), e);
    }
  }

  @Override
  public void truncate(String name, long length) throws StorageException {
    Path file = path(name);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      long size = channel.size();
      if (length < size) {
        channel.truncate(length);
      } else if (length > size) {
        channel.write(java.nio.ByteBuffer.allocate(1), length - 1); // extends with zeros, as ftruncate does
      }
      channel.force(true);
      if (createdUnsynced.remove(name)) {
        AtomicFile.syncDirectory(dir);
      }
    } catch (NoSuchFileException e) {
      throw new StorageException(StorageException.Kind.IO, "cannot truncate " + file + ": no such file", e);
    } catch (IOException e) {
      throw new StorageException(StorageException.Kind.IO, IoErrors.describeWrite(file, e), e);
    }
  }

  private Path path(String name) {
    return dir.resolve(Disk.checkName(name));
  }
}
