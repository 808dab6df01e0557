package dev.bkv.base;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Goal: the functions every secret comparison and wipe goes through do what they say.
 * constantTimeEquals: true only for equal contents, whatever byte differs and whatever the
 * lengths. destroy, zeroize, concatZeroizing and consume: the buffers they are given are all
 * zeros afterwards, also when the holder refuses the bytes.
 */
class SecretBuffersTest {
  /** A secret holder that lets the test keep a reference to its own array. */
  private static final class Held extends SecretBytes {
    Held(byte[] bytes) {
      super(bytes, 4, 8, "test secret");
    }

    byte[] inside() {
      return unsafeBytes();
    }
  }

  private static byte[] filled(int length, int value) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }

  @Test
  void constant_time_equals_is_true_only_for_equal_contents() {
    byte[] a = {1, 2, 3, 4, 5, 6, 7, 8};
    assertTrue(Bytes.constantTimeEquals(a, a.clone()));
    assertTrue(Bytes.constantTimeEquals(new byte[0], new byte[0]));
    byte[] first = a.clone();
    first[0] ^= 1;
    byte[] last = a.clone();
    last[7] ^= (byte) 0x80;
    assertFalse(Bytes.constantTimeEquals(a, first), "differs at the first byte");
    assertFalse(Bytes.constantTimeEquals(a, last), "differs at the last byte");
    assertFalse(Bytes.constantTimeEquals(a, Arrays.copyOf(a, 7)), "a prefix is not equal");
    assertFalse(Bytes.constantTimeEquals(Arrays.copyOf(a, 7), a), "nor the other way round");
    assertFalse(Bytes.constantTimeEquals(a, Arrays.copyOf(a, 9)), "nor a zero-extended copy");
    assertFalse(Bytes.constantTimeEquals(new byte[0], new byte[] {0}));
  }

  @Test
  void destroy_zeroes_the_holders_own_copy_and_blocks_use() {
    byte[] given = filled(8, 0x5a);
    Held held = new Held(given);
    byte[] inside = held.inside();
    assertArrayEquals(given, inside);
    held.destroy();
    assertArrayEquals(new byte[8], inside, "the holder's array is zeroed");
    assertArrayEquals(filled(8, 0x5a), given, "the caller's array was never the holder's");
    assertTrue(held.isDestroyed());
    assertThrows(Check.InvariantViolation.class, held::toBytes);
    assertEquals("Held(8 secret bytes)", held.toString());
  }

  @Test
  void consume_wipes_the_fresh_buffer_when_the_holder_takes_it_and_when_it_refuses_it() {
    byte[] fresh = filled(6, 0x11);
    Held held = SecretBytes.consume(fresh, Held::new);
    assertArrayEquals(new byte[6], fresh);
    assertArrayEquals(filled(6, 0x11), held.toBytes(), "the holder kept its own copy");
    byte[] tooLong = filled(9, 0x22);
    assertThrows(IllegalArgumentException.class, () -> SecretBytes.consume(tooLong, Held::new));
    assertArrayEquals(new byte[9], tooLong, "wiped although refused");
    Object result = new Object();
    assertSame(result, SecretBytes.consume(filled(2, 3), bytes -> result));
  }

  @Test
  void zeroize_and_concat_zeroizing_wipe_every_part() {
    byte[] a = filled(3, 1);
    byte[] b = filled(4, 2);
    Bytes.zeroize(a, null, b);
    assertArrayEquals(new byte[3], a);
    assertArrayEquals(new byte[4], b);
    byte[] x = filled(2, 7);
    byte[] y = filled(3, 9);
    assertArrayEquals(new byte[] {7, 7, 9, 9, 9}, Bytes.concatZeroizing(x, y));
    assertArrayEquals(new byte[2], x);
    assertArrayEquals(new byte[3], y);
  }
}
