package dev.bkv.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Whole-file writes that are all or nothing: write a temporary file beside the target,
 * fsync it, rename it over the target (atomic on POSIX file systems), then fsync the
 * directory so the rename itself survives a power cut. A reader sees the old or the new
 * content, never a mix.
 */
public final class AtomicFile {
  private static final String TEMP_SUFFIX = ".tmp";

  private AtomicFile() {}

  public static void write(Path target, byte[] content) throws StorageException {
    write(target, content, false);
  }

  /** As {@link #write}, for a private key: the file is created readable by its owner only (mode 0600). */
  public static void writeSecret(Path target, byte[] content) throws StorageException {
    write(target, content, true);
  }

  private static void write(Path target, byte[] content, boolean secret) throws StorageException {
    Path dir = target.toAbsolutePath().getParent();
    Path temp = dir.resolve(target.getFileName() + TEMP_SUFFIX);
    try {
      if (secret) {
        Files.deleteIfExists(temp);
        try {
          Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException noPosix) {
          Files.createFile(temp); // a file system without POSIX modes: its own ACLs apply
        }
      }
      try (FileChannel channel = FileChannel.open(temp,
          StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        writeFully(channel, content);
        channel.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(dir);
    } catch (IOException e) {
      throw new StorageException(StorageException.Kind.IO, IoErrors.describeWrite(target, e), e);
    }
  }

  /** The file's content, or empty when it does not exist; larger than {@code bytesMax} is refused unread. */
  public static Optional<byte[]> read(Path file, long bytesMax) throws StorageException {
    try {
      long size = Files.size(file);
      if (size > bytesMax) {
        throw new StorageException(StorageException.Kind.TOO_LARGE,
            file + " is " + size + " bytes, more than " + bytesMax);
      }
      return Optional.of(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StorageException(StorageException.Kind.IO, IoErrors.describeRead(file, e), e);
    }
  }

  static void writeFully(FileChannel channel, byte[] content) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(content);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  /** Makes a rename or a file creation in {@code dir} durable (POSIX requires an fsync of the directory). */
  static void syncDirectory(Path dir) throws IOException {
    if (System.getProperty("os.name", "").startsWith("Windows")) {
      return; // Windows cannot open a directory as a channel; NTFS journals renames itself.
    }
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
