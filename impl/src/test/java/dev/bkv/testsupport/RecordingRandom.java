package dev.bkv.testsupport;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A SecureRandom that keeps a copy of every draw long enough to be a key, seed or nonce, so a
 * test can look for what the code under test generated (in its output, say).
 */
public final class RecordingRandom extends SecureRandom {
  /** Shorter draws (an int, a jitter) are not recorded. */
  public static final int DRAW_BYTES_MIN = 16;

  private final List<byte[]> draws = Collections.synchronizedList(new ArrayList<>());

  @Override
  public void nextBytes(byte[] bytes) {
    super.nextBytes(bytes);
    if (bytes.length >= DRAW_BYTES_MIN) {
      draws.add(bytes.clone());
    }
  }

  /** Copies of the recorded draws, oldest first. */
  public List<byte[]> draws() {
    synchronized (draws) {
      return draws.stream().map(byte[]::clone).toList();
    }
  }

  /** The draws as secrets to search for, named by their order. */
  public List<SecretLeaks.Secret> asSecrets(String what) {
    List<byte[]> all = draws();
    List<SecretLeaks.Secret> secrets = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      secrets.add(new SecretLeaks.Secret(what + " draw " + i, all.get(i)));
    }
    return secrets;
  }
}
