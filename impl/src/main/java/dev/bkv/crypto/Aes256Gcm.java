package dev.bkv.crypto;

import dev.bkv.base.FixedBytes;
import dev.bkv.base.SecretBytes;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM (NIST SP 800-38D) with 96-bit nonces and 128-bit tags only. Uses the JDK
 * cipher, which is intrinsified with AES-NI/CLMUL on x86-64.
 */
public final class Aes256Gcm {
  public static final int KEY_BYTES = 32;
  public static final int NONCE_BYTES = 12;
  public static final int TAG_BYTES = 16;
  /** Sealed objects in BKV are records and log segments; nothing legitimate is larger. */
  public static final int PLAINTEXT_BYTES_MAX = 64 * 1024 * 1024;

  private Aes256Gcm() {}

  public static final class Key extends SecretBytes {
    public Key(byte[] bytes) {
      super(bytes, KEY_BYTES, KEY_BYTES, "AES-256-GCM key");
    }

    public static Key generate(SecureRandom random) {
      byte[] bytes = new byte[KEY_BYTES];
      random.nextBytes(bytes);
      return new Key(bytes);
    }

    byte[] raw() {
      return unsafeBytes();
    }

    /**
     * This key's cipher on the calling thread, initialised afresh for every seal and open:
     * {@code Cipher.getInstance} per call was a tenth of a small commit's time, and a cipher
     * shared between keys expands the AES key schedule again on every switch (a fleet host
     * seals for several HSMs in turn). A cipher is not thread-safe, hence one per thread.
     */
    private final ThreadLocal<KeyedCipher> cipher = ThreadLocal.withInitial(KeyedCipher::new);
  }

  /**
   * A cipher and the nonce of its last seal. The JDK refuses to encrypt twice in a row with one
   * key and nonce on one cipher object; this method has always allowed it (callers own nonce
   * uniqueness; a deterministic re-seal repeats them). Knowing the last nonce lets a repeat
   * first step the cipher to another nonce, where catching the refusal and building a new
   * cipher cost six times the seal itself.
   */
  private static final class KeyedCipher {
    private final Cipher cipher = newCipher();
    /**
     * Empty until the first seal, never null: no nonce is empty, and Jazzer's hook on
     * Arrays.equals hands both arguments to native code that crashes the JVM on a null one.
     */
    private byte[] lastSealNonce = new byte[0];
  }

  /** A 96-bit nonce. A (key, nonce) pair must never encrypt twice; callers say how they ensure it. */
  public static final class Nonce extends FixedBytes {
    public Nonce(byte[] bytes) {
      super(bytes, NONCE_BYTES, "AES-GCM nonce");
    }

    public static Nonce random(SecureRandom random) {
      byte[] bytes = new byte[NONCE_BYTES];
      random.nextBytes(bytes);
      return new Nonce(bytes);
    }
  }

  /** Returns ciphertext || tag. */
  public static byte[] seal(Key key, Nonce nonce, byte[] associatedData, byte[] plaintext) {
    if (plaintext.length > PLAINTEXT_BYTES_MAX) {
      throw new IllegalArgumentException("plaintext of " + plaintext.length + " bytes exceeds " + PLAINTEXT_BYTES_MAX);
    }
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, key, nonce);
      cipher.updateAAD(associatedData);
      return cipher.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new AssertionError("AES-256-GCM with a 32-byte key and 12-byte nonce is always available", e);
    }
  }

  /** Opens ciphertext || tag; empty when the tag does not verify or the input is too short. */
  public static Optional<byte[]> open(Key key, Nonce nonce, byte[] associatedData, byte[] sealed) {
    if (sealed.length < TAG_BYTES || sealed.length - TAG_BYTES > PLAINTEXT_BYTES_MAX) {
      return Optional.empty();
    }
    try {
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, nonce);
      cipher.updateAAD(associatedData);
      return Optional.of(cipher.doFinal(sealed));
    } catch (AEADBadTagException e) {
      return Optional.empty();
    } catch (GeneralSecurityException e) {
      throw new AssertionError("AES-256-GCM with a 32-byte key and 12-byte nonce is always available", e);
    }
  }

  private static Cipher cipher(int mode, Key key, Nonce nonce) throws GeneralSecurityException {
    SecretKeySpec keySpec = new SecretKeySpec(key.raw(), "AES");
    byte[] iv = nonce.toBytes();
    KeyedCipher keyed = key.cipher.get();
    if (mode == Cipher.ENCRYPT_MODE) {
      if (Arrays.equals(iv, keyed.lastSealNonce)) {
        byte[] other = iv.clone();
        other[0] ^= 1;
        keyed.cipher.init(mode, keySpec, new GCMParameterSpec(TAG_BYTES * 8, other));
      }
      keyed.lastSealNonce = iv;
    }
    keyed.cipher.init(mode, keySpec, new GCMParameterSpec(TAG_BYTES * 8, iv));
    return keyed.cipher;
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new AssertionError("AES/GCM/NoPadding is always available", e);
    }
  }
}
