package dev.bkv.consensus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.HmacSha256;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The peer wire format: every message decodes back to itself, and every rule of the decoder
 * (sizes, header ranges, the link's MAC, each body's fields) refuses with its reason. Bad
 * bodies are MAC'd correctly, so that the body rule, not the MAC, is what refuses them.
 */
class PeerCodecTest {
  private static final byte[] FLEET = "fleet".getBytes(StandardCharsets.US_ASCII);
  private static final PeerKeys KEYS = PeerKeys.derive(new byte[32], FLEET, 3);

  private static PeerCodec.Decoded at(int self, byte[] bytes) {
    return PeerCodec.decode(bytes, self, KEYS, true);
  }

  private static Message accepted(int self, byte[] bytes) {
    PeerCodec.Decoded decoded = at(self, bytes);
    assertTrue(decoded instanceof PeerCodec.Decoded.Accepted, decoded.toString());
    return ((PeerCodec.Decoded.Accepted) decoded).message();
  }

  private static PeerCodec.Decoded.Dropped dropped(int self, byte[] bytes) {
    PeerCodec.Decoded decoded = at(self, bytes);
    assertTrue(decoded instanceof PeerCodec.Decoded.Dropped, decoded.toString());
    return (PeerCodec.Decoded.Dropped) decoded;
  }

  private static void refused(DropReason reason, String detail, byte[] bytes) {
    PeerCodec.Decoded.Dropped d = dropped(1, bytes);
    assertEquals(reason, d.reason(), d.detail());
    assertEquals(detail, d.detail());
  }

  /** A message from 0 to 1 of term 1 with any kind byte and body, MAC'd under the link's key. */
  private static byte[] raw(int version, int kind, int source, int dest, long term, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(PeerCodec.HEADER_BYTES + body.length + HmacSha256.TAG_BYTES);
    b.put((byte) version).put((byte) kind).putShort((short) source).putShort((short) dest).putLong(term).put(body);
    HmacSha256.Key key = source < 3 && dest < 3 ? KEYS.key(source, dest) : KEYS.key(0, 1);
    b.put(HmacSha256.mac(key, b.array(), 0, b.position()));
    return b.array();
  }

  private static byte[] body(Message.Kind kind, byte[] body) {
    return raw(PeerCodec.VERSION, kind.code, 0, 1, 1, body);
  }

  private static ByteBuffer appendEntriesHeader(int count, int capacity) {
    return ByteBuffer.allocate(28 + capacity).putLong(0).putLong(0).putLong(0).putInt(count);
  }

  @Test
  void everyKindDecodesBackToItself() {
    List<Message> messages = List.of(
        new Message.RequestVote(5, 0, 1, 4, 9),
        new Message.Vote(5, 0, 1),
        new Message.AppendEntries(5, 0, 1, 3, 2, List.of(), 7),
        new Message.AppendEntries(5, 0, 1, 0, 0, List.of(new Entry(1, new byte[0]), new Entry(5, new byte[] {1, 2})), 0),
        new Message.AppendAck(5, 0, 1, true, 3),
        new Message.AppendAck(0, 0, 1, false, 0));
    for (Message m : messages) {
      assertEquals(m, accepted(1, PeerCodec.encode(m, KEYS)));
    }
    Message.InstallSnapshot install = new Message.InstallSnapshot(5, 2, 1, new Snapshot(8, 4, new byte[] {9, 8, 7}));
    Message.InstallSnapshot back = (Message.InstallSnapshot) accepted(1, PeerCodec.encode(install, KEYS));
    assertEquals(List.of(5L, 2, 1, 8L, 4L), List.of(back.term(), back.source(), back.dest(),
        back.snapshot().lastIndex(), back.snapshot().lastTerm()));
    assertArrayEquals(new byte[] {9, 8, 7}, back.snapshot().state());
  }

  @Test
  void theEncodingHasTheDocumentedLayout() {
    byte[] vote = PeerCodec.encode(new Message.Vote(0x0102030405060708L, 2, 1), KEYS);
    assertEquals(PeerCodec.HEADER_BYTES + HmacSha256.TAG_BYTES, vote.length);
    ByteBuffer b = ByteBuffer.wrap(vote);
    assertEquals(List.of(1, 2, 2, 1, 0x0102030405060708L), List.of((int) b.get(), (int) b.get(), (int) b.getShort(),
        (int) b.getShort(), b.getLong()));
    assertEquals(14 + 16 + 32, PeerCodec.encode(new Message.RequestVote(1, 0, 1, 1, 1), KEYS).length);
    assertEquals(14 + 9 + 32, PeerCodec.encode(new Message.AppendAck(1, 0, 1, true, 1), KEYS).length);
    assertEquals(14 + 28 + 12 + 3 + 32, PeerCodec.encode(
        new Message.AppendEntries(1, 0, 1, 0, 0, List.of(new Entry(1, new byte[3])), 0), KEYS).length);
    assertEquals(14 + 20 + 3 + 32,
        PeerCodec.encode(new Message.InstallSnapshot(1, 0, 1, new Snapshot(1, 1, new byte[3])), KEYS).length);
    byte[] ack = PeerCodec.encode(new Message.AppendAck(1, 0, 1, true, 1), KEYS);
    assertEquals(1, ack[PeerCodec.HEADER_BYTES]);
  }

  @Test
  void sizesAreCheckedFirst() {
    refused(DropReason.TOO_LARGE, (PeerCodec.MESSAGE_BYTES_MAX + 1) + " bytes", new byte[PeerCodec.MESSAGE_BYTES_MAX + 1]);
    refused(DropReason.UNDECODABLE, "version 0 or kind unknown", new byte[PeerCodec.MESSAGE_BYTES_MAX]);
    int least = PeerCodec.HEADER_BYTES + HmacSha256.TAG_BYTES;
    refused(DropReason.UNDECODABLE, "shorter than a header and a MAC", new byte[least - 1]);
    refused(DropReason.UNDECODABLE, "version 0 or kind unknown", new byte[least]);
  }

  @Test
  void theHeaderNamesVersionOneAKnownKindAndTwoDistinctMembers() {
    refused(DropReason.UNDECODABLE, "version 2 or kind unknown", raw(2, 2, 0, 1, 1, new byte[0]));
    refused(DropReason.UNDECODABLE, "version 1 or kind unknown", raw(1, 0, 0, 1, 1, new byte[0]));
    refused(DropReason.UNDECODABLE, "version 1 or kind unknown", raw(1, 6, 0, 1, 1, new byte[0]));
    refused(DropReason.UNKNOWN_MEMBER, "source 3, dest 1", raw(1, 2, 3, 1, 1, new byte[0]));
    refused(DropReason.UNKNOWN_MEMBER, "source 0, dest 3", raw(1, 2, 0, 3, 1, new byte[0]));
    refused(DropReason.UNKNOWN_MEMBER, "source 1, dest 1", raw(1, 2, 1, 1, 1, new byte[0]));
    refused(DropReason.UNKNOWN_MEMBER, "source 65535, dest 1", raw(1, 2, 0xffff, 1, 1, new byte[0]));
    refused(DropReason.MISDIRECTED, "for HSM 2, arrived at 1", raw(1, 2, 0, 2, 1, new byte[0]));
    refused(DropReason.UNDECODABLE, "negative term", raw(1, 2, 0, 1, -1, new byte[0]));
    assertEquals(new Message.Vote(2, 2, 1), accepted(1, raw(1, 2, 2, 1, 2, new byte[0])));
    assertEquals(new Message.Vote(0, 0, 1), accepted(1, raw(1, 2, 0, 1, 0, new byte[0])));
  }

  @Test
  void theMacBindsEveryByteTheLinkAndTheFleet() {
    byte[] good = PeerCodec.encode(new Message.AppendAck(3, 0, 1, true, 2), KEYS);
    for (int i : new int[] {13, PeerCodec.HEADER_BYTES, good.length - 1}) {
      byte[] bad = good.clone();
      bad[i] ^= 0x10;
      assertEquals(DropReason.BAD_MAC, dropped(1, bad).reason(), "byte " + i);
    }
    assertEquals("from 0", dropped(1, tampered(good)).detail());
    byte[] reflected = PeerCodec.encodeWithKey(new Message.Vote(1, 0, 1), KEYS.key(1, 0));
    assertEquals(DropReason.BAD_MAC, dropped(1, reflected).reason(), "the key of the other direction");
    PeerKeys otherFleet = PeerKeys.derive(new byte[32], "other".getBytes(StandardCharsets.US_ASCII), 3);
    assertEquals(DropReason.BAD_MAC, dropped(1, PeerCodec.encode(new Message.Vote(1, 0, 1), otherFleet)).reason());
    PeerKeys otherSecret = PeerKeys.derive(new byte[33], FLEET, 3);
    assertEquals(DropReason.BAD_MAC, dropped(1, PeerCodec.encode(new Message.Vote(1, 0, 1), otherSecret)).reason());
    assertTrue(PeerCodec.decode(tampered(good), 1, KEYS, false) instanceof PeerCodec.Decoded.Accepted,
        "only the seeded bug skips the MAC");
  }

  private static byte[] tampered(byte[] good) {
    byte[] bad = good.clone();
    bad[bad.length - 1] ^= 1;
    return bad;
  }

  @Test
  void aBodyMustBeExactlyItsKindsFields() {
    refused(DropReason.UNDECODABLE, "1 trailing bytes", body(Message.Kind.VOTE, new byte[1]));
    refused(DropReason.UNDECODABLE, "truncated REQUEST_VOTE body", body(Message.Kind.REQUEST_VOTE, new byte[15]));
    refused(DropReason.UNDECODABLE, "negative field -1",
        body(Message.Kind.REQUEST_VOTE, ByteBuffer.allocate(16).putLong(-1).putLong(0).array()));
    refused(DropReason.UNDECODABLE, "negative field -1",
        body(Message.Kind.REQUEST_VOTE, ByteBuffer.allocate(16).putLong(0).putLong(-1).array()));
    refused(DropReason.UNDECODABLE, "truncated APPEND_ACK body", body(Message.Kind.APPEND_ACK, new byte[8]));
    refused(DropReason.UNDECODABLE, "success byte 2",
        body(Message.Kind.APPEND_ACK, ByteBuffer.allocate(9).put((byte) 2).putLong(0).array()));
    refused(DropReason.UNDECODABLE, "success byte -1",
        body(Message.Kind.APPEND_ACK, ByteBuffer.allocate(9).put((byte) -1).putLong(0).array()));
    refused(DropReason.UNDECODABLE, "negative field -5",
        body(Message.Kind.APPEND_ACK, ByteBuffer.allocate(9).put((byte) 1).putLong(-5).array()));
  }

  @Test
  void appendEntriesFieldsAndEntryCountAreBounded() {
    for (int field = 0; field < 3; field++) {
      ByteBuffer b = appendEntriesHeader(0, 0);
      b.putLong(field * 8, -1);
      refused(DropReason.UNDECODABLE, "negative field -1", body(Message.Kind.APPEND_ENTRIES, b.array()));
    }
    refused(DropReason.UNDECODABLE, "entry count -1 out of range",
        body(Message.Kind.APPEND_ENTRIES, appendEntriesHeader(-1, 0).array()));
    int max = PeerCodec.ENTRIES_PER_MESSAGE_MAX;
    refused(DropReason.UNDECODABLE, "entry count " + (max + 1) + " out of range",
        body(Message.Kind.APPEND_ENTRIES, emptyEntries(max + 1, max + 1)));
    refused(DropReason.UNDECODABLE, "entry count 2 out of range",
        body(Message.Kind.APPEND_ENTRIES, emptyEntries(2, 1)));
    Message.AppendEntries full = (Message.AppendEntries) accepted(1, body(Message.Kind.APPEND_ENTRIES, emptyEntries(max, max)));
    assertEquals(max, full.entries().size());
    refused(DropReason.UNDECODABLE, "entry term must be at least 1, got 0",
        body(Message.Kind.APPEND_ENTRIES, appendEntriesHeader(1, 12).putLong(0).putInt(0).array()));
  }

  /** An AppendEntries body announcing {@code count} entries and holding {@code held} empty ones of term 1. */
  private static byte[] emptyEntries(int count, int held) {
    ByteBuffer b = appendEntriesHeader(count, 12 * held);
    for (int k = 0; k < held; k++) {
      b.putLong(1).putInt(0);
    }
    return b.array();
  }

  @Test
  void aPayloadOrStateLengthIsWithinItsLimitAndTheBytesLeft() {
    int max = Entry.PAYLOAD_BYTES_MAX;
    Message.AppendEntries atMax = (Message.AppendEntries) accepted(1,
        body(Message.Kind.APPEND_ENTRIES, appendEntriesHeader(1, 12 + max).putLong(1).putInt(max).array()));
    assertEquals(max, atMax.entries().get(0).payloadBytes());
    refused(DropReason.UNDECODABLE, "length " + (max + 1) + " out of range",
        body(Message.Kind.APPEND_ENTRIES, appendEntriesHeader(1, 12 + max + 1).putLong(1).putInt(max + 1).array()));
    refused(DropReason.UNDECODABLE, "length 5 out of range",
        body(Message.Kind.APPEND_ENTRIES, appendEntriesHeader(1, 12 + 4).putLong(1).putInt(5).array()));
    refused(DropReason.UNDECODABLE, "length -1 out of range",
        body(Message.Kind.APPEND_ENTRIES, appendEntriesHeader(1, 12).putLong(1).putInt(-1).array()));
    refused(DropReason.UNDECODABLE, "length 4 out of range",
        body(Message.Kind.INSTALL_SNAPSHOT, ByteBuffer.allocate(23).putLong(1).putLong(1).putInt(4).array()));
    refused(DropReason.UNDECODABLE, "snapshot must end at an entry, got (1, 0)",
        body(Message.Kind.INSTALL_SNAPSHOT, ByteBuffer.allocate(20).putLong(0).putLong(1).putInt(0).array()));
    Message.InstallSnapshot exact = (Message.InstallSnapshot) accepted(1,
        body(Message.Kind.INSTALL_SNAPSHOT, ByteBuffer.allocate(23).putLong(1).putLong(1).putInt(3).array()));
    assertEquals(3, exact.snapshot().state().length);
  }

  @Test
  void peerKeysNeedAFullSecretAndAFleetOfOneToSixtyFourMembers() {
    assertThrows(IllegalArgumentException.class, () -> PeerKeys.derive(new byte[31], FLEET, 3));
    assertThrows(IllegalArgumentException.class, () -> PeerKeys.derive(new byte[32], FLEET, 0));
    assertThrows(IllegalArgumentException.class, () -> PeerKeys.derive(new byte[32], FLEET, Membership.MEMBERS_MAX + 1));
    assertEquals(1, PeerKeys.derive(new byte[32], FLEET, 1).members());
    PeerKeys most = PeerKeys.derive(new byte[32], FLEET, Membership.MEMBERS_MAX);
    assertEquals(Membership.MEMBERS_MAX, most.members());
    List<String> tags = new ArrayList<>();
    for (int[] link : new int[][] {{0, 1}, {1, 0}, {0, 2}, {63, 62}}) {
      tags.add(java.util.HexFormat.of().formatHex(HmacSha256.mac(most.key(link[0], link[1]), new byte[1])));
    }
    assertEquals(tags.size(), tags.stream().distinct().count(), "one key per directed link");
  }
}
