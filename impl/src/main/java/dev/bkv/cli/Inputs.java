package dev.bkv.cli;

import dev.bkv.evidence.OperatorWorkspace;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks of option values shared by the subcommands: each failure is one line naming the option and the value. */
final class Inputs {
  /** Highest TCP port. */
  static final int PORT_MAX = 65_535;
  /** Longest URL accepted for a witness. */
  static final int URL_CHARS_MAX = 2048;

  private Inputs() {}

  /** A small text file given on the command line, read bounded and decoded strictly (junk bytes are named, not replaced). */
  static String text(Path file, long bytesMax) throws IOException {
    byte[] bytes = OperatorWorkspace.readBytes(file, bytesMax);
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new IOException(file + ": not UTF-8 text");
    }
  }

  /**
   * A file the command will write at its end, checked before any long work starts: its folder
   * exists and is writable, and it is not itself a folder (which a rename would replace).
   */
  static Path writableFile(String option, Path file) {
    Path absolute = file.toAbsolutePath();
    Path folder = absolute.getParent();
    if (Files.isDirectory(absolute)) {
      throw new IllegalArgumentException(option + ": " + file + " is a directory");
    }
    if (folder == null || !Files.isDirectory(folder)) {
      throw new IllegalArgumentException(option + ": " + file + ": the folder " + folder + " does not exist");
    }
    if (!Files.isWritable(folder) || (Files.exists(absolute) && !Files.isWritable(absolute))) {
      throw new IllegalArgumentException(option + ": " + file + " cannot be written");
    }
    return file;
  }

  static long range(String option, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(option + " must be in [" + min + ", " + max + "], got " + value);
    }
    return value;
  }

  /** A witness base URL: http or https, with a host, no query or fragment. */
  static String witnessUrl(String option, String url) {
    String problem = "must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:7380";
    if (url.length() > URL_CHARS_MAX) {
      throw new IllegalArgumentException(option + " " + problem + "; got " + url.length() + " characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(option + " " + problem + "; got '" + url + "'");
    }
    boolean web = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
    if (!web || uri.getHost() == null || uri.getPort() > PORT_MAX || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(option + " " + problem + "; got '" + url + "'");
    }
    return url;
  }
}
