package dev.bkv.storage;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A file that stands for an HSM's internal NVRAM (SoftHsm): an {@link NvramImage} replaced
 * atomically on every write, so a crash leaves the old image or the new one.
 */
public final class NvramFile {
  private final Path path;

  public NvramFile(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  /** The stored image, or a fresh one when the file does not exist yet. */
  public NvramImage read() throws StorageException {
    Optional<byte[]> bytes = AtomicFile.read(path, NvramImage.ENCODED_BYTES_MAX);
    if (bytes.isEmpty()) {
      return NvramImage.empty();
    }
    return NvramImage.decode(bytes.get());
  }

  public void write(NvramImage image) throws StorageException {
    AtomicFile.write(path, image.encode());
  }
}
