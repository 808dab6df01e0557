package dev.bkv.storage;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * One line for a failed file operation, naming the file and the reason: the JDK's own
 * messages are often just the path ("/x/keys.bkv"), or "Input length = 1" for text that is
 * not UTF-8, which tells a user nothing.
 */
public final class IoErrors {
  private IoErrors() {}

  /** What went wrong reading {@code file}. */
  public static String describeRead(Path file, IOException e) {
    if (e instanceof AccessDeniedException) {
      return "cannot read " + file + ": permission denied";
    }
    return describe(file, e);
  }

  /** What went wrong writing {@code file}. */
  public static String describeWrite(Path file, IOException e) {
    if (e instanceof AccessDeniedException) {
      return "cannot write " + file + ": permission denied";
    }
    return "cannot write " + file + ": " + reason(e);
  }

  private static String describe(Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return file + ": no such file";
    }
    if (e instanceof NotDirectoryException) {
      return file + ": not a directory";
    }
    if (e instanceof CharacterCodingException) {
      return file + ": not UTF-8 text";
    }
    return file + ": " + reason(e);
  }

  /** The reason alone: the file system's own reason when it gives one, else the message, else the kind. */
  public static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason().toLowerCase(java.util.Locale.ROOT);
    }
    if (e instanceof CharacterCodingException) {
      return "not UTF-8 text";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
