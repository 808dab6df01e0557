package dev.bkv.evidence;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * PEM (RFC 7468) for certificates, so {@code openssl x509 -in root.crt -text} reads what the
 * vendor writes. Reading accepts the strict form RFC 7468 §3 describes (64-character lines)
 * or raw DER.
 */
public final class Pem {
  private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
  private static final String END = "-----END CERTIFICATE-----";
  private static final int LINE_CHARS = 64;

  private Pem() {}

  public static byte[] encodeCertificate(byte[] der) {
    String base64 = Base64.getEncoder().encodeToString(der);
    StringBuilder out = new StringBuilder(BEGIN).append('\n');
    for (int i = 0; i < base64.length(); i += LINE_CHARS) {
      out.append(base64, i, Math.min(base64.length(), i + LINE_CHARS)).append('\n');
    }
    return out.append(END).append('\n').toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** The DER inside a strict PEM certificate, the bytes themselves if they are DER (start with SEQUENCE), else empty. */
  public static Optional<byte[]> decodeCertificate(byte[] file) {
    if (file.length > 0 && file[0] == 0x30) {
      return Optional.of(file.clone());
    }
    String text = new String(file, StandardCharsets.US_ASCII);
    if (!text.startsWith(BEGIN + "\n") || !text.endsWith("\n" + END + "\n")) {
      return Optional.empty();
    }
    String body = text.substring(BEGIN.length() + 1, text.length() - END.length() - 1).replace("\n", "");
    try {
      byte[] der = Base64.getDecoder().decode(body);
      return Optional.of(der).filter(d -> java.util.Arrays.equals(encodeCertificate(d), file));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
