package dev.bkv.consensus;

/**
 * One log entry: the term of the leader that appended it, and an opaque payload (a vault
 * command, to the layer above; the consensus core never looks inside). The spec's
 * {@code [term |-> t, cmd |-> c]}.
 */
public record Entry(long term, byte[] payload) {
  /** A vault command is a few hundred bytes; this bounds one entry on the wire and on disk. */
  public static final int PAYLOAD_BYTES_MAX = 16 * 1024;

  public Entry {
    if (term < 1) {
      throw new IllegalArgumentException("entry term must be at least 1, got " + term);
    }
    if (payload == null || payload.length > PAYLOAD_BYTES_MAX) {
      throw new IllegalArgumentException("entry payload must be 0.." + PAYLOAD_BYTES_MAX + " bytes");
    }
    payload = payload.clone();
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /** The payload without a copy, for encoders inside this package. */
  byte[] payloadUnsafe() {
    return payload;
  }

  public int payloadBytes() {
    return payload.length;
  }

  /** Same term and same payload bytes. */
  public boolean sameAs(Entry other) {
    return term == other.term && java.util.Arrays.equals(payload, other.payload);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry && sameAs((Entry) o);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(term) * 31 + java.util.Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "Entry[term=" + term + ", " + payload.length + " bytes]";
  }
}
