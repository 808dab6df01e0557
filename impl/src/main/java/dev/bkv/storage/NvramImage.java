package dev.bkv.storage;

import dev.bkv.base.Bytes;
import dev.bkv.base.Check;
import dev.bkv.crypto.Sha256;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The content of an HSM's NVRAM: {@link #SLOTS} cells, each a monotonic counter with a small
 * value bound to it. Immutable; {@link #with} builds the next image. Encoded as
 * {@code "BKVNVRM1" || u8 slots || slots x (u64 counter || u8 length || value) ||
 * SHA-256(everything before)}; the digest catches corruption of the file that stands for
 * the NVRAM (it is no defence against a host that rewrites it: a real HSM's NVRAM is out
 * of the host's reach).
 */
public final class NvramImage {
  public static final int SLOTS = 8;
  public static final int SLOT_BYTES_MAX = 64;
  static final byte[] MAGIC = "BKVNVRM1".getBytes(StandardCharsets.US_ASCII);
  /** Upper bound of an encoding: magic, count, full slots, digest. */
  public static final int ENCODED_BYTES_MAX = MAGIC.length + 1 + SLOTS * (8 + 1 + SLOT_BYTES_MAX) + Sha256.DIGEST_BYTES;

  /** One NVRAM cell: a counter that never decreases and the value written with it. */
  public record Cell(long counter, byte[] value) {
    public Cell {
      Check.that(counter >= 0, "NVRAM counter is non-negative");
      Check.that(value.length <= SLOT_BYTES_MAX, "NVRAM value within SLOT_BYTES_MAX");
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    public boolean sameAs(Cell other) {
      return counter == other.counter && Arrays.equals(value, other.value);
    }
  }

  private static final Cell EMPTY = new Cell(0, new byte[0]);

  private final Cell[] cells;

  private NvramImage(Cell[] cells) {
    this.cells = cells;
  }

  /** Fresh NVRAM: every counter 0, every value empty. */
  public static NvramImage empty() {
    Cell[] cells = new Cell[SLOTS];
    Arrays.fill(cells, EMPTY);
    return new NvramImage(cells);
  }

  public Cell cell(int slot) {
    Check.that(slot >= 0 && slot < SLOTS, "NVRAM slot in [0, SLOTS)");
    return cells[slot];
  }

  /** The image with {@code slot} replaced. Monotonicity is the caller's rule to enforce. */
  public NvramImage with(int slot, Cell cell) {
    Check.that(slot >= 0 && slot < SLOTS, "NVRAM slot in [0, SLOTS)");
    Cell[] next = cells.clone();
    next[slot] = cell;
    return new NvramImage(next);
  }

  public byte[] encode() {
    ByteBuffer out = ByteBuffer.allocate(ENCODED_BYTES_MAX).put(MAGIC).put((byte) SLOTS);
    for (Cell cell : cells) {
      out.putLong(cell.counter()).put((byte) cell.value.length).put(cell.value);
    }
    byte[] body = Arrays.copyOf(out.array(), out.position());
    return Bytes.concat(body, Sha256.hash(body));
  }

  public static NvramImage decode(byte[] encoded) throws StorageException {
    if (encoded.length > ENCODED_BYTES_MAX) {
      throw corrupt("is " + encoded.length + " bytes, more than " + ENCODED_BYTES_MAX);
    }
    if (encoded.length < MAGIC.length + 1 + Sha256.DIGEST_BYTES) {
      throw corrupt("is truncated (" + encoded.length + " bytes)");
    }
    int bodyLength = encoded.length - Sha256.DIGEST_BYTES;
    byte[] body = Arrays.copyOf(encoded, bodyLength);
    if (!Bytes.constantTimeEquals(Sha256.hash(body), Arrays.copyOfRange(encoded, bodyLength, encoded.length))) {
      throw corrupt("digest does not match its content");
    }
    ByteBuffer in = ByteBuffer.wrap(body);
    byte[] magic = new byte[MAGIC.length];
    in.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw corrupt("does not start with BKVNVRM1");
    }
    int slots = in.get() & 0xff;
    if (slots != SLOTS) {
      throw corrupt("has " + slots + " slots, expected " + SLOTS);
    }
    Cell[] cells = new Cell[SLOTS];
    for (int i = 0; i < SLOTS; i++) {
      if (in.remaining() < 9) {
        throw corrupt("slot " + i + " is truncated");
      }
      long counter = in.getLong();
      int length = in.get() & 0xff;
      if (counter < 0 || length > SLOT_BYTES_MAX || length > in.remaining()) {
        throw corrupt("slot " + i + " has counter " + counter + " and length " + length);
      }
      byte[] value = new byte[length];
      in.get(value);
      cells[i] = new Cell(counter, value);
    }
    if (in.hasRemaining()) {
      throw corrupt(in.remaining() + " trailing bytes");
    }
    return new NvramImage(cells);
  }

  private static StorageException corrupt(String what) {
    return new StorageException(StorageException.Kind.CORRUPT, "NVRAM image " + what);
  }
}
