package dev.bkv.consensus;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.HkdfSha256;
import dev.bkv.crypto.HmacSha256;
import java.nio.charset.StandardCharsets;

/**
 * The MAC keys of every directed link between two HSMs of one fleet, derived inside the HSMs
 * from the secret the key ceremony gave every member. One key per direction, bound to the
 * fleet id, so a message cannot be reflected back to its sender, moved to another link or
 * replayed into another fleet. The host never holds them.
 */
public final class PeerKeys {
  private static final byte[] INFO_LABEL = "bkv peer mac v1".getBytes(StandardCharsets.US_ASCII);

  private final HmacSha256.Key[][] keys;

  private PeerKeys(HmacSha256.Key[][] keys) {
    this.keys = keys;
  }

  /** HKDF-SHA256(salt = fleetId, ikm = fleetSecret, info = label || from || to). */
  public static PeerKeys derive(byte[] fleetSecret, byte[] fleetId, int members) {
    if (fleetSecret.length < 32) {
      throw new IllegalArgumentException("fleet secret must be at least 32 bytes");
    }
    if (members < 1 || members > Membership.MEMBERS_MAX) {
      throw new IllegalArgumentException("members must be 1.." + Membership.MEMBERS_MAX);
    }
    HkdfSha256.Prk prk = HkdfSha256.extract(fleetId, fleetSecret);
    HmacSha256.Key[][] keys = new HmacSha256.Key[members][members];
    for (int from = 0; from < members; from++) {
      for (int to = 0; to < members; to++) {
        byte[] info = Bytes.concat(INFO_LABEL, Bytes.i2osp(from, 2), Bytes.i2osp(to, 2));
        keys[from][to] = new HmacSha256.Key(HkdfSha256.expand(prk, info, 32));
      }
    }
    return new PeerKeys(keys);
  }

  int members() {
    return keys.length;
  }

  HmacSha256.Key key(int from, int to) {
    return keys[from][to];
  }
}
