package dev.bkv.storage;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.Aes256Gcm;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@link Sealer} by AES-256-GCM: a blob is {@code nonce (12) || ciphertext || tag (16)}.
 *
 * <p>Every seal draws a fresh random 96-bit nonce from the injected source (a
 * {@code SecureRandom} in production, a seeded {@code Random} in the simulator). A counter
 * would have to be stored durably before each seal, and a crash between sealing and that
 * store would reuse a nonce after restart, which breaks GCM outright; random nonces keep no
 * state. NIST SP 800-38D §8.3 allows 2^32 random-nonce seals per key, which the HSM counts.
 */
public final class AesGcmSealer implements Sealer {
  /** Bytes a sealed blob adds to its plaintext. */
  public static final int OVERHEAD_BYTES = Aes256Gcm.NONCE_BYTES + Aes256Gcm.TAG_BYTES;

  private final Aes256Gcm.Key key;
  private final Random random;

  public AesGcmSealer(byte[] key32, Random random) {
    this.key = new Aes256Gcm.Key(key32);
    this.random = random;
  }

  @Override
  public synchronized byte[] seal(byte[] associatedData, byte[] plaintext) {
    byte[] nonceBytes = new byte[Aes256Gcm.NONCE_BYTES];
    random.nextBytes(nonceBytes);
    Aes256Gcm.Nonce nonce = new Aes256Gcm.Nonce(nonceBytes);
    return Bytes.concat(nonceBytes, Aes256Gcm.seal(key, nonce, associatedData, plaintext));
  }

  @Override
  public byte[] unseal(byte[] associatedData, byte[] sealed) throws StorageException {
    if (sealed.length < OVERHEAD_BYTES) {
      throw new StorageException(StorageException.Kind.CORRUPT,
          "sealed blob of " + sealed.length + " bytes is shorter than nonce and tag (" + OVERHEAD_BYTES + ")");
    }
    Aes256Gcm.Nonce nonce = new Aes256Gcm.Nonce(Arrays.copyOf(sealed, Aes256Gcm.NONCE_BYTES));
    byte[] body = Arrays.copyOfRange(sealed, Aes256Gcm.NONCE_BYTES, sealed.length);
    return Aes256Gcm.open(key, nonce, associatedData, body)
        .orElseThrow(() -> new StorageException(StorageException.Kind.CORRUPT, "sealed blob does not authenticate"));
  }

  /**
   * The plaintext of a blob WITHOUT checking its tag, by the CTR mode inside GCM (the
   * keystream starts at counter block {@code nonce || 00000002}). Only the seeded
   * {@link StorageBug#TORN_WRITE_UNDETECTED} uses it, to show what a reader that skipped
   * authentication would accept; never reachable from outside this package.
   */
  byte[] unsealWithoutTagForBug(byte[] sealed) {
    if (sealed.length < OVERHEAD_BYTES) {
      return new byte[0];
    }
    byte[] counter = Arrays.copyOf(Arrays.copyOf(sealed, Aes256Gcm.NONCE_BYTES), 16); // nonce || 00000000
    counter[15] = 2;
    byte[] keyBytes = key.toBytes();
    try {
      Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding");
      ctr.init(Cipher.DECRYPT_MODE, new SecretKeySpec(keyBytes, "AES"), new IvParameterSpec(counter));
      return ctr.doFinal(sealed, Aes256Gcm.NONCE_BYTES, sealed.length - OVERHEAD_BYTES);
    } catch (GeneralSecurityException e) {
      throw new AssertionError("AES-CTR is always available", e);
    } finally {
      Arrays.fill(keyBytes, (byte) 0);
    }
  }
}
