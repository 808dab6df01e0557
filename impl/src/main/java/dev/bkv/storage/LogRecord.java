package dev.bkv.storage;

import java.util.Arrays;

/** One replica log entry as stored: the term it was created in and opaque payload bytes. */
public record LogRecord(long term, byte[] payload) {
  /** The largest payload: a consensus entry carries one vault command or a few hundred bytes of configuration. */
  public static final int PAYLOAD_BYTES_MAX = 64 * 1024;

  public LogRecord {
    if (term < 0) {
      throw new IllegalArgumentException("log record term " + term + " is negative");
    }
    if (payload.length > PAYLOAD_BYTES_MAX) {
      throw new IllegalArgumentException("log record payload of " + payload.length
          + " bytes exceeds PAYLOAD_BYTES_MAX " + PAYLOAD_BYTES_MAX);
    }
    payload = payload.clone();
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  int payloadLength() {
    return payload.length;
  }

  byte[] payloadUnsafe() {
    return payload;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogRecord r && r.term == term && Arrays.equals(r.payload, payload);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(term) * 31 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "LogRecord[term=" + term + ", payload=" + payload.length + " bytes]";
  }
}
