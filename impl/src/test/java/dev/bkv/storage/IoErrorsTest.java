package dev.bkv.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Goal: a failed file operation is described by the file and a reason in words, never by a bare path or "Input length = 1". */
class IoErrorsTest {
  final Path file = Path.of("/srv/ops/operator/hsm/keys.bkv");

  @Test
  void namesTheFileAndTheReason() {
    // Permission denied is simulated here: the tests run as root, which reads a mode-000 file.
    assertEquals("cannot read /srv/ops/operator/hsm/keys.bkv: permission denied",
        IoErrors.describeRead(file, new AccessDeniedException(file.toString())));
    assertEquals("cannot write /srv/ops/operator/hsm/keys.bkv: permission denied",
        IoErrors.describeWrite(file, new AccessDeniedException(file.toString())));
    assertEquals("/srv/ops/operator/hsm/keys.bkv: no such file",
        IoErrors.describeRead(file, new NoSuchFileException(file.toString())));
    assertEquals("/srv/ops/operator/hsm/keys.bkv: not UTF-8 text", IoErrors.describeRead(file, new MalformedInputException(1)));
    assertEquals("/srv/ops/operator/hsm/keys.bkv: IOException", IoErrors.describeRead(file, new IOException()));
  }
}
