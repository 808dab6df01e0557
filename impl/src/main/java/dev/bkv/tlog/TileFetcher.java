package dev.bkv.tlog;

import java.io.IOException;

/**
 * Fetches a resource of a tiled log by its path relative to the log's prefix
 * ({@code checkpoint}, {@code tile/0/000}, {@code tile/entries/000.p/5}). Implementations
 * bound what they read to {@code bytesMax}; the HTTP one lives in {@code dev.bkv.net}.
 */
@FunctionalInterface
public interface TileFetcher {
  /** @throws IOException when the resource is missing, too long, or cannot be read */
  byte[] fetch(String path, int bytesMax) throws IOException;
}
