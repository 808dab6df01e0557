package dev.bkv.base;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Base for secret byte strings (keys, seeds). Never printed; can be destroyed (zeroed) when
 * the holder is done with it, after which any use fails. Equality is identity: secrets are
 * compared, when they must be, through the primitive that uses them.
 *
 * <p>What Java cannot promise: the garbage collector may have moved (copied) the array before
 * it is zeroed, and secrets that live as BigInteger (scalars inside the EC arithmetic), as
 * JCE or Bouncy Castle key objects, or as Strings are never wiped; {@link #destroy} then only
 * blocks further use.
 */
public abstract class SecretBytes {
  private final byte[] bytes;
  private boolean destroyed;

  protected SecretBytes(byte[] bytes, int lengthMin, int lengthMax, String what) {
    if (bytes == null || bytes.length < lengthMin || bytes.length > lengthMax) {
      String want = lengthMin == lengthMax ? lengthMin + " bytes" : lengthMin + ".." + lengthMax + " bytes";
      throw new IllegalArgumentException(
          what + " must be " + want + ", got " + (bytes == null ? "null" : bytes.length));
    }
    this.bytes = bytes.clone();
  }

  /**
   * Wraps a freshly computed buffer that nothing else references (a KDF's output, say) in a
   * holder, which keeps its own copy, then zeroes the buffer, also when the holder refuses it.
   */
  public static <T> T consume(byte[] fresh, Function<byte[], T> holder) {
    try {
      return holder.apply(fresh);
    } finally {
      Arrays.fill(fresh, (byte) 0);
    }
  }

  /** A copy of the secret, for a primitive or for sealing inside the trust boundary. */
  public final byte[] toBytes() {
    Check.that(!destroyed, "secret used after destroy()");
    return bytes.clone();
  }

  public final int length() {
    return bytes.length;
  }

  /** Read-only access for subclasses that hand the bytes to a primitive without copying. */
  protected final byte[] unsafeBytes() {
    Check.that(!destroyed, "secret used after destroy()");
    return bytes;
  }

  /** Overwrites the secret with zeros; later use throws. */
  public final void destroy() {
    Arrays.fill(bytes, (byte) 0);
    destroyed = true;
  }

  public final boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public final String toString() {
    return getClass().getSimpleName() + "(" + bytes.length + " secret bytes)";
  }
}
