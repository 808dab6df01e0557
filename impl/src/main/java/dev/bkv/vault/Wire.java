package dev.bkv.vault;

import dev.bkv.crypto.DecodeException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The binary encoding shared by vault log entries, snapshots and firmware messages:
 * big-endian integers and byte strings with a 1- or 2-byte length prefix. The reader is
 * total: every malformed input throws {@link DecodeException} naming the field.
 */
public final class Wire {
  private Wire() {}

  /** Builds an encoding; callers bound what they write, so nothing here can overflow. */
  public static final class Writer {
    private final ByteArrayOutputStream out;

    public Writer() {
      this(32);
    }

    /** A writer with room for {@code expectedBytes}, so a large encoding is not copied as it grows. */
    public Writer(int expectedBytes) {
      out = new ByteArrayOutputStream(expectedBytes);
    }

    public Writer u8(int value) {
      if (value < 0 || value > 0xff) {
        throw new IllegalArgumentException("u8 out of range: " + value);
      }
      out.write(value);
      return this;
    }

    public Writer u16(int value) {
      if (value < 0 || value > 0xffff) {
        throw new IllegalArgumentException("u16 out of range: " + value);
      }
      out.write(value >>> 8);
      out.write(value);
      return this;
    }

    public Writer u32(long value) {
      if (value < 0 || value > 0xffffffffL) {
        throw new IllegalArgumentException("u32 out of range: " + value);
      }
      for (int shift = 24; shift >= 0; shift -= 8) {
        out.write((int) (value >>> shift));
      }
      return this;
    }

    public Writer fixed(byte[] bytes) {
      out.write(bytes, 0, bytes.length);
      return this;
    }

    public Writer bytes8(byte[] bytes) {
      return u8(bytes.length).fixed(bytes);
    }

    public Writer bytes16(byte[] bytes) {
      return u16(bytes.length).fixed(bytes);
    }

    public byte[] toBytes() {
      return out.toByteArray();
    }
  }

  /** Reads an encoding front to back. */
  public static final class Reader {
    private final byte[] in;
    private int pos;

    public Reader(byte[] in) {
      this(in, 0);
    }

    /** Reads {@code in} from {@code offset} to its end (a tagged payload without copying it). */
    public Reader(byte[] in, int offset) {
      if (offset < 0 || offset > in.length) {
        throw new IllegalArgumentException("offset " + offset + " outside an input of " + in.length + " bytes");
      }
      this.in = in;
      this.pos = offset;
    }

    public int u8(String field) throws DecodeException {
      need(field, 1);
      return in[pos++] & 0xff;
    }

    public int u16(String field) throws DecodeException {
      need(field, 2);
      int value = ((in[pos] & 0xff) << 8) | (in[pos + 1] & 0xff);
      pos += 2;
      return value;
    }

    public long u32(String field) throws DecodeException {
      need(field, 4);
      long value = 0;
      for (int i = 0; i < 4; i++) {
        value = (value << 8) | (in[pos++] & 0xff);
      }
      return value;
    }

    public byte[] fixed(String field, int length) throws DecodeException {
      need(field, length);
      byte[] out = Arrays.copyOfRange(in, pos, pos + length);
      pos += length;
      return out;
    }

    /** A byte string with a 1-byte length in [min, max]. */
    public byte[] bytes8(String field, int min, int max) throws DecodeException {
      return bounded(field, u8(field + " length"), min, max);
    }

    /** A byte string with a 2-byte length in [min, max]. */
    public byte[] bytes16(String field, int min, int max) throws DecodeException {
      return bounded(field, u16(field + " length"), min, max);
    }

    /** Rejects trailing bytes: every encoding is canonical. */
    public void end(String what) throws DecodeException {
      if (pos != in.length) {
        throw new DecodeException(what, (in.length - pos) + " trailing bytes");
      }
    }

    private byte[] bounded(String field, int length, int min, int max) throws DecodeException {
      if (length < min || length > max) {
        throw new DecodeException(field, "length " + length + " not in [" + min + ", " + max + "]");
      }
      return fixed(field, length);
    }

    private void need(String field, int length) throws DecodeException {
      if (length > in.length - pos) {
        throw new DecodeException(field, "truncated: need " + length + " bytes, " + (in.length - pos) + " left");
      }
    }
  }
}
