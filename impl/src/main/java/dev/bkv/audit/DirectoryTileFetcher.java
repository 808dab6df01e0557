package dev.bkv.audit;

import dev.bkv.tlog.TileFetcher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a tiled log mirrored into a directory ({@code DIR/checkpoint}, {@code DIR/tile/...}),
 * as a static file server would serve it. Paths are the C2SP relative paths; anything that
 * would leave the directory is refused.
 */
public final class DirectoryTileFetcher implements TileFetcher {
  private final Path root;

  public DirectoryTileFetcher(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  @Override
  public byte[] fetch(String path, int bytesMax) throws IOException {
    Path file = root.resolve(path).normalize();
    if (!file.startsWith(root) || path.contains("..")) {
      throw new IOException("log path escapes the log directory: " + path);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(bytesMax + 1);
      if (bytes.length > bytesMax) {
        throw new IOException(path + " is longer than " + bytesMax + " bytes");
      }
      return bytes;
    } catch (NoSuchFileException e) {
      throw new IOException("no " + path + " in " + root);
    }
  }
}
