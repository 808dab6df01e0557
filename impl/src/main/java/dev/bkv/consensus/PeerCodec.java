package dev.bkv.consensus;

import dev.bkv.crypto.HmacSha256;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The wire form of {@link Message}s between HSMs, authenticated per directed link:
 * <pre>
 *   version (1) = 1 | kind (1) | source (2) | dest (2) | term (8) | body | HMAC-SHA256 (32)
 * </pre>
 * all integers big-endian; the MAC covers every byte before it under the key of the link
 * source→dest ({@link PeerKeys}). Bodies:
 * <pre>
 *   RequestVote      lastLogTerm (8) | lastLogIndex (8)
 *   Vote             (empty)
 *   AppendEntries    prevLogIndex (8) | prevLogTerm (8) | commitIndex (8) | count (4) | count x (term (8) | length (4) | payload)
 *   AppendAck        success (1: 0 or 1) | matchIndex (8)
 *   InstallSnapshot  lastIndex (8) | lastTerm (8) | length (4) | state
 * </pre>
 * Decoding checks sizes and ranges before the MAC and the MAC before building anything, and
 * never throws: a bad message is a {@link Decoded.Dropped} with its reason.
 */
public final class PeerCodec {
  public static final int VERSION = 1;
  public static final int HEADER_BYTES = 1 + 1 + 2 + 2 + 8;
  /** The largest message: a snapshot of a full vault. Chunked transfer is not implemented. */
  public static final int MESSAGE_BYTES_MAX = Snapshot.STATE_BYTES_MAX + 1024;
  /** Entries in one AppendEntries. */
  public static final int ENTRIES_PER_MESSAGE_MAX = 4096;

  private PeerCodec() {}

  /** The result of decoding: a message, or why it was dropped. */
  public sealed interface Decoded permits Decoded.Accepted, Decoded.Dropped {
    record Accepted(Message message) implements Decoded {}

    record Dropped(DropReason reason, String detail) implements Decoded {}
  }

  public static byte[] encode(Message message, PeerKeys keys) {
    return encodeWithKey(message, keys.key(message.source(), message.dest()));
  }

  /** For tests and the simulator's tampering host: the same encoding under any key. */
  public static byte[] encodeWithKey(Message message, HmacSha256.Key key) {
    byte[] body = body(message);
    ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + body.length + HmacSha256.TAG_BYTES);
    out.put((byte) VERSION).put((byte) message.kind().code);
    out.putShort((short) message.source()).putShort((short) message.dest()).putLong(message.term());
    out.put(body);
    byte[] tag = HmacSha256.mac(key, out.array(), 0, out.position());
    out.put(tag);
    return out.array();
  }

  private static byte[] body(Message message) {
    switch (message.kind()) {
      case REQUEST_VOTE: {
        Message.RequestVote m = (Message.RequestVote) message;
        return ByteBuffer.allocate(16).putLong(m.lastLogTerm()).putLong(m.lastLogIndex()).array();
      }
      case VOTE:
        return new byte[0];
      case APPEND_ENTRIES: {
        Message.AppendEntries m = (Message.AppendEntries) message;
        int bytes = 28;
        for (Entry e : m.entries()) {
          bytes += 12 + e.payloadBytes();
        }
        ByteBuffer b = ByteBuffer.allocate(bytes);
        b.putLong(m.prevLogIndex()).putLong(m.prevLogTerm()).putLong(m.commitIndex()).putInt(m.entries().size());
        for (Entry e : m.entries()) {
          b.putLong(e.term()).putInt(e.payloadBytes()).put(e.payloadUnsafe());
        }
        return b.array();
      }
      case APPEND_ACK: {
        Message.AppendAck m = (Message.AppendAck) message;
        return ByteBuffer.allocate(9).put((byte) (m.success() ? 1 : 0)).putLong(m.matchIndex()).array();
      }
      case INSTALL_SNAPSHOT: {
        Message.InstallSnapshot m = (Message.InstallSnapshot) message;
        byte[] state = m.snapshot().state();
        return ByteBuffer.allocate(20 + state.length).putLong(m.snapshot().lastIndex()).putLong(m.snapshot().lastTerm())
            .putInt(state.length).put(state).array();
      }
      default:
        throw new AssertionError(message);
    }
  }

  /**
   * Decodes a message arriving at HSM {@code self}. With {@code checkMac} false (a seeded
   * bug only) the MAC is not verified.
   */
  static Decoded decode(byte[] bytes, int self, PeerKeys keys, boolean checkMac) {
    if (bytes.length > MESSAGE_BYTES_MAX) {
      return dropped(DropReason.TOO_LARGE, bytes.length + " bytes");
    }
    if (bytes.length < HEADER_BYTES + HmacSha256.TAG_BYTES) {
      return dropped(DropReason.UNDECODABLE, "shorter than a header and a MAC");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes, 0, bytes.length - HmacSha256.TAG_BYTES);
    int version = in.get() & 0xff;
    Message.Kind kind = Message.Kind.fromCode(in.get() & 0xff);
    int source = in.getShort() & 0xffff;
    int dest = in.getShort() & 0xffff;
    long term = in.getLong();
    if (version != VERSION || kind == null) {
      return dropped(DropReason.UNDECODABLE, "version " + version + " or kind unknown");
    }
    if (source >= keys.members() || dest >= keys.members() || source == dest) {
      return dropped(DropReason.UNKNOWN_MEMBER, "source " + source + ", dest " + dest);
    }
    if (dest != self) {
      return dropped(DropReason.MISDIRECTED, "for HSM " + dest + ", arrived at " + self);
    }
    if (term < 0) {
      return dropped(DropReason.UNDECODABLE, "negative term");
    }
    byte[] tag = Arrays.copyOfRange(bytes, bytes.length - HmacSha256.TAG_BYTES, bytes.length);
    if (checkMac && !HmacSha256.verify(keys.key(source, dest), bytes, 0, bytes.length - HmacSha256.TAG_BYTES, tag)) {
      return dropped(DropReason.BAD_MAC, "from " + source);
    }
    try {
      Message message = decodeBody(kind, term, source, dest, in);
      if (in.hasRemaining()) {
        return dropped(DropReason.UNDECODABLE, in.remaining() + " trailing bytes");
      }
      return new Decoded.Accepted(message);
    } catch (BufferUnderflowException e) {
      return dropped(DropReason.UNDECODABLE, "truncated " + kind + " body");
    } catch (IllegalArgumentException e) {
      return dropped(DropReason.UNDECODABLE, e.getMessage());
    }
  }

  private static Message decodeBody(Message.Kind kind, long term, int source, int dest, ByteBuffer in) {
    switch (kind) {
      case REQUEST_VOTE:
        return new Message.RequestVote(term, source, dest, nonNegative(in.getLong()), nonNegative(in.getLong()));
      case VOTE:
        return new Message.Vote(term, source, dest);
      case APPEND_ENTRIES: {
        long prevLogIndex = nonNegative(in.getLong());
        long prevLogTerm = nonNegative(in.getLong());
        long commitIndex = nonNegative(in.getLong());
        int count = in.getInt();
        if (count < 0 || count > ENTRIES_PER_MESSAGE_MAX || count * 12L > in.remaining()) {
          throw new IllegalArgumentException("entry count " + count + " out of range");
        }
        List<Entry> entries = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
          long entryTerm = in.getLong();
          entries.add(new Entry(entryTerm, bytes(in, Entry.PAYLOAD_BYTES_MAX)));
        }
        return new Message.AppendEntries(term, source, dest, prevLogIndex, prevLogTerm, entries, commitIndex);
      }
      case APPEND_ACK: {
        int success = in.get();
        if (success != 0 && success != 1) {
          throw new IllegalArgumentException("success byte " + success);
        }
        return new Message.AppendAck(term, source, dest, success == 1, nonNegative(in.getLong()));
      }
      case INSTALL_SNAPSHOT: {
        long lastIndex = in.getLong();
        long lastTerm = in.getLong();
        return new Message.InstallSnapshot(term, source, dest,
            new Snapshot(lastIndex, lastTerm, bytes(in, Snapshot.STATE_BYTES_MAX)));
      }
      default:
        throw new AssertionError(kind);
    }
  }

  private static byte[] bytes(ByteBuffer in, int max) {
    int length = in.getInt();
    if (length < 0 || length > max || length > in.remaining()) {
      throw new IllegalArgumentException("length " + length + " out of range");
    }
    byte[] out = new byte[length];
    in.get(out);
    return out;
  }

  private static long nonNegative(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("negative field " + value);
    }
    return value;
  }

  private static Decoded dropped(DropReason reason, String detail) {
    return new Decoded.Dropped(reason, detail);
  }
}
