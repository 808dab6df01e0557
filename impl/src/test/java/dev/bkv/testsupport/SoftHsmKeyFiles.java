package dev.bkv.testsupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bkv.testsupport.SecretLeaks.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The keys in the SoftHsm key files under a folder: what a test that looks for leaked
 * secrets learns from the HSM state a run created, including the fleet secrets an HSM
 * imported in a key ceremony.
 */
public final class SoftHsmKeyFiles {
  public static final String NAME = "keys.bkv";
  /** Magic (8), identity key (32), sealing key (32), oprf_seed (32), OPAQUE private key (32), fake client key (33), SHA-256 (32). */
  private static final byte[] MAGIC = "BKVSHSM1".getBytes(StandardCharsets.US_ASCII);
  private static final int FILE_BYTES = 8 + 32 + 32 + 32 + 32 + 33 + 32;
  private static final String[] PARTS = {"identity key", "sealing key", "oprf_seed", "OPAQUE server private key"};

  private SoftHsmKeyFiles() {}

  /** Every key file under {@code root}. */
  public static List<Path> find(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> p.getFileName().toString().equals(NAME) && Files.isRegularFile(p)).sorted().toList();
    }
  }

  /** The four secrets of each key file under {@code root}, after checking each is one. */
  public static List<Secret> secrets(Path root) throws IOException {
    List<Secret> secrets = new ArrayList<>();
    for (Path file : find(root)) {
      byte[] bytes = Files.readAllBytes(file);
      assertEquals(FILE_BYTES, bytes.length, file.toString());
      assertArrayEquals(MAGIC, Arrays.copyOf(bytes, MAGIC.length), file.toString());
      for (int i = 0; i < PARTS.length; i++) {
        int at = MAGIC.length + 32 * i;
        secrets.add(new Secret(PARTS[i] + " of " + root.relativize(file), Arrays.copyOfRange(bytes, at, at + 32)));
      }
    }
    return secrets;
  }
}
