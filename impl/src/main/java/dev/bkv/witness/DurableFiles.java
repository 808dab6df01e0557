package dev.bkv.witness;

import dev.bkv.base.Folders;
import dev.bkv.tlog.FormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Durable file updates on a plain directory: a file is replaced by writing a temporary
 * sibling, forcing it to disk, renaming it over the target atomically, then forcing the
 * directory so the rename itself survives a power cut. A crash at any point leaves either
 * the old file or the new one, never a mix; a leftover temporary is deleted by the owner's
 * recovery.
 */
final class DurableFiles {
  static final String TEMP_SUFFIX = ".tmp";

  private DurableFiles() {}

  /** Replaces {@code file} with {@code bytes}; {@code crash} may stop it between steps (tests). */
  static void replace(Path file, byte[] bytes, CrashPoints crash) throws IOException {
    write(file, bytes, false, crash);
  }

  static void replace(Path file, byte[] bytes) throws IOException {
    write(file, bytes, false, CrashPoints.NONE);
  }

  /** {@link #replace} for a private key: readable by the owner only, from the first byte. */
  static void replaceSecret(Path file, byte[] bytes) throws IOException {
    write(file, bytes, true, CrashPoints.NONE);
  }

  private static void write(Path file, byte[] bytes, boolean secret, CrashPoints crash) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
    Files.deleteIfExists(temp);
    if (secret) {
      try {
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException noPosix) {
        Files.createFile(temp);
      }
    }
    try (FileChannel channel =
        FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
    crash.reached(CrashPoints.Point.TEMP_WRITTEN);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    crash.reached(CrashPoints.Point.RENAMED);
    syncDirectory(file.getParent());
  }

  /** Forces a directory's entries (creations, renames) to disk. */
  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /** Deletes a temporary left by a crash during {@link #replace}; the target is intact. */
  static void removeLeftoverTemp(Path file) throws IOException {
    Files.deleteIfExists(file.resolveSibling(file.getFileName() + TEMP_SUFFIX));
  }

  /** {@code bytes} as UTF-8, strictly: junk bytes are an error naming {@code file}, never replaced or "Input length = 1". */
  static String utf8(Path file, byte[] bytes) throws FormatException {
    try {
      return java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new FormatException(file + ": not UTF-8 text");
    }
  }
}
