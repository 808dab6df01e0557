package dev.bkv.client;

import dev.bkv.bundle.TrustAnchors;
import dev.bkv.bundle.TrustAnchorsFile;
import dev.bkv.tlog.FormatException;

/**
 * The trust anchors an app compiles in, as a file ({@code bkv-client-anchors/1},
 * spec/FORMATS.md "Client trust anchors"); the format itself is {@link TrustAnchorsFile}, which
 * a fleet's nodes read too.
 */
public final class ClientAnchors {
  public static final String HEADER = TrustAnchorsFile.HEADER;
  public static final int COSIGNERS_MAX = TrustAnchorsFile.COSIGNERS_MAX;
  public static final int NAME_CHARS_MAX = TrustAnchorsFile.NAME_CHARS_MAX;
  public static final int FILE_BYTES_MAX = TrustAnchorsFile.FILE_BYTES_MAX;

  private ClientAnchors() {}

  public static byte[] format(TrustAnchors anchors) {
    return TrustAnchorsFile.format(anchors);
  }

  /** Parses an anchors file; the message of a failure names the line and what was wrong. */
  public static TrustAnchors parse(byte[] bytes) throws FormatException {
    return TrustAnchorsFile.parse(bytes);
  }
}
