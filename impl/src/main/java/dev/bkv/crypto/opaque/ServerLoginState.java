package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.DecodeException;
import java.util.Arrays;

/**
 * RFC 9807 server AKE state between KE2 and KE3: expected_client_mac and session_key, plus
 * whether the KE2 answered for an unknown user (such a login never succeeds). Secret. It can
 * be encoded for sealing when the caller keeps no memory between requests; the caller must
 * use a state for at most one finishLogin.
 */
public final class ServerLoginState {
  public static final int ENCODED_BYTES = 1 + OpaqueSuite.MAC_BYTES + OpaqueSuite.KDF_BYTES;

  private final Mac expectedClientMac;
  private final SessionKey sessionKey;
  private final boolean forUnknownUser;

  ServerLoginState(Mac expectedClientMac, SessionKey sessionKey, boolean forUnknownUser) {
    this.expectedClientMac = expectedClientMac;
    this.sessionKey = sessionKey;
    this.forUnknownUser = forUnknownUser;
  }

  Mac expectedClientMac() {
    return expectedClientMac;
  }

  SessionKey sessionKey() {
    return sessionKey;
  }

  boolean forUnknownUser() {
    return forUnknownUser;
  }

  /** flag (1) || expected_client_mac (Nm) || session_key (Nx); secret. */
  public byte[] encode() {
    byte[] key = sessionKey.toBytes();
    byte[] out = Bytes.concat(new byte[] {(byte) (forUnknownUser ? 1 : 0)}, expectedClientMac.toBytes(), key);
    Arrays.fill(key, (byte) 0);
    return out;
  }

  public static ServerLoginState decode(byte[] bytes) throws DecodeException {
    DecodeException.requireLength("ServerLoginState", bytes, ENCODED_BYTES);
    if (bytes[0] != 0 && bytes[0] != 1) {
      throw new DecodeException("ServerLoginState.flag", "not 0 or 1: " + bytes[0]);
    }
    int keyAt = 1 + OpaqueSuite.MAC_BYTES;
    byte[] key = Arrays.copyOfRange(bytes, keyAt, bytes.length);
    ServerLoginState state = new ServerLoginState(
        new Mac(Arrays.copyOfRange(bytes, 1, keyAt)), new SessionKey(key), bytes[0] == 1);
    Arrays.fill(key, (byte) 0);
    return state;
  }

  public void destroy() {
    sessionKey.destroy();
  }

  @Override
  public String toString() {
    return "ServerLoginState(secret)";
  }
}
