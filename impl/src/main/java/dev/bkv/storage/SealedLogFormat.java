package dev.bkv.storage;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.Sha256;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/** Byte layouts of the replica sealed log (spec/FORMATS.md, "Replica sealed log"). */
final class SealedLogFormat {
  static final String SEGMENT_PREFIX = "replog-";
  static final String SEGMENT_SUFFIX = ".seg";
  static final String SNAPSHOT_NAME = "replog-snapshot";
  static final int SEGMENT_SEQ_DIGITS = 20;
  static final byte[] SEGMENT_MAGIC = ascii("BKVRLOG1");
  static final int SEGMENT_HEADER_BYTES = 8 + 8;
  static final byte[] SNAPSHOT_MAGIC = ascii("BKVRSNP1");
  static final byte[] RECORD_DOMAIN = ascii("BKV replica log record v1");
  static final byte[] CHAIN_DOMAIN = ascii("BKV replica log chain v1");
  static final byte[] SNAPSHOT_DOMAIN = ascii("BKV replica snapshot v1");
  static final int HASH_BYTES = Sha256.DIGEST_BYTES;
  /** u32 body length || u64 first index || u32 count || prev hash. */
  static final int FRAME_FIXED_BYTES = 4 + 8 + 4 + HASH_BYTES;
  /** Per entry in the record plaintext's table: u64 term || u32 payload length. */
  static final int ENTRY_TABLE_BYTES = 8 + 4;
  /** u64 last index || u64 last term || u64 anchor segment || u64 anchor offset || anchor hash. */
  static final int SNAPSHOT_FIXED_BYTES = 8 + 8 + 8 + 8 + HASH_BYTES;
  /** The context is a fleet id and an HSM id; a few hundred bytes is far more than either needs. */
  static final int CONTEXT_BYTES_MAX = 256;
  /** The snapshot file: magic, seal overhead (a Sealer may add more than GCM does), fixed fields, state. */
  static final long SNAPSHOT_FILE_BYTES_MAX = SnapshotImage.STATE_BYTES_MAX + 4096L;

  private SealedLogFormat() {}

  /** Where the log continues after a snapshot: the record at {@code offset} of segment {@code seq} follows {@code prevHash}. */
  record Anchor(long seq, long offset, byte[] prevHash) {
    static Anchor initial() {
      return new Anchor(1, SEGMENT_HEADER_BYTES, new byte[HASH_BYTES]);
    }
  }

  static String segmentName(long seq) {
    if (seq < 0) {
      return SEGMENT_PREFIX + String.format("%0" + SEGMENT_SEQ_DIGITS + "d", seq) + SEGMENT_SUFFIX;
    }
    // Every write names its segment: String.format builds a Formatter and locale symbols,
    // a twentieth of a small commit's time. Zero-padding by hand gives the same name.
    String digits = Long.toString(seq);
    StringBuilder name = new StringBuilder(SEGMENT_PREFIX.length() + SEGMENT_SEQ_DIGITS + SEGMENT_SUFFIX.length())
        .append(SEGMENT_PREFIX);
    for (int pad = digits.length(); pad < SEGMENT_SEQ_DIGITS; pad++) {
      name.append('0');
    }
    return name.append(digits).append(SEGMENT_SUFFIX).toString();
  }

  /** The sequence number of a segment file name, empty for any other file. */
  static OptionalLong segmentSeq(String name) {
    int digitsEnd = SEGMENT_PREFIX.length() + SEGMENT_SEQ_DIGITS;
    if (name.length() != digitsEnd + SEGMENT_SUFFIX.length() || !name.startsWith(SEGMENT_PREFIX)
        || !name.endsWith(SEGMENT_SUFFIX)) {
      return OptionalLong.empty();
    }
    String digits = name.substring(SEGMENT_PREFIX.length(), digitsEnd);
    if (!digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(digits));
    } catch (NumberFormatException e) {
      return OptionalLong.empty(); // 20 digits can exceed a long
    }
  }

  static byte[] segmentHeader(long seq) {
    return ByteBuffer.allocate(SEGMENT_HEADER_BYTES).put(SEGMENT_MAGIC).putLong(seq).array();
  }

  static byte[] recordAad(byte[] context, long firstIndex, int count, byte[] prevHash) {
    return ByteBuffer.allocate(RECORD_DOMAIN.length + 2 + context.length + 8 + 4 + HASH_BYTES)
        .put(RECORD_DOMAIN).putShort((short) context.length).put(context)
        .putLong(firstIndex).putInt(count).put(prevHash).array();
  }

  /** The table of (term, length) first, then the payloads: see FORMATS.md for why. */
  static byte[] recordPlaintext(List<LogRecord> entries) {
    long bytes = (long) ENTRY_TABLE_BYTES * entries.size();
    for (LogRecord entry : entries) {
      bytes += entry.payloadLength();
    }
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(bytes));
    for (LogRecord entry : entries) {
      out.putLong(entry.term()).putInt(entry.payloadLength());
    }
    for (LogRecord entry : entries) {
      out.put(entry.payloadUnsafe());
    }
    return out.array();
  }

  /** The entries of a record plaintext, or null when it does not decode to exactly {@code count} entries. */
  static List<LogRecord> parsePlaintext(byte[] plaintext, int count) {
    if ((long) count * ENTRY_TABLE_BYTES > plaintext.length) {
      return null;
    }
    ByteBuffer table = ByteBuffer.wrap(plaintext);
    int payloadAt = count * ENTRY_TABLE_BYTES;
    List<LogRecord> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long term = table.getLong();
      int length = table.getInt();
      if (term < 0 || length < 0 || length > LogRecord.PAYLOAD_BYTES_MAX || length > plaintext.length - payloadAt) {
        return null;
      }
      byte[] payload = new byte[length];
      System.arraycopy(plaintext, payloadAt, payload, 0, length);
      payloadAt += length;
      entries.add(new LogRecord(term, payload)); // the record keeps its own copy
      Arrays.fill(payload, (byte) 0);
    }
    return payloadAt == plaintext.length ? entries : null;
  }

  static byte[] frame(long firstIndex, int count, byte[] prevHash, byte[] sealed) {
    int bodyBytes = FRAME_FIXED_BYTES - 4 + sealed.length;
    return ByteBuffer.allocate(4 + bodyBytes).putInt(bodyBytes).putLong(firstIndex).putInt(count)
        .put(prevHash).put(sealed).array();
  }

  static byte[] chainHash(byte[] frame, int offset, int length) {
    return Sha256.hash(CHAIN_DOMAIN, frame, offset, length);
  }

  static byte[] snapshotAad(byte[] context) {
    return ByteBuffer.allocate(SNAPSHOT_DOMAIN.length + 2 + context.length)
        .put(SNAPSHOT_DOMAIN).putShort((short) context.length).put(context).array();
  }

  static byte[] snapshotPlaintext(SnapshotImage snapshot, Anchor anchor) {
    byte[] state = snapshot.stateUnsafe();
    return ByteBuffer.allocate(SNAPSHOT_FIXED_BYTES + state.length)
        .putLong(snapshot.lastIndex()).putLong(snapshot.lastTerm())
        .putLong(anchor.seq()).putLong(anchor.offset()).put(anchor.prevHash()).put(state).array();
  }

  static byte[] snapshotFile(byte[] sealed) {
    return Bytes.concat(SNAPSHOT_MAGIC, sealed);
  }

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
