package dev.bkv.tlog;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.Ed25519;
import dev.bkv.crypto.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Key names, key IDs and the text forms of note keys (the vkey / skey encodings of
 * golang.org/x/mod/sumdb/note, which C2SP signed-note adopts).
 *
 * <pre>
 * key ID = SHA-256(key name || 0x0A || signature type || public key)[:4], big-endian
 * vkey   = name "+" 8 lower-case hex digits of the key ID "+" base64(type || public key)
 * skey   = "PRIVATE+KEY+" name "+" hex key ID "+" base64(type || 32-byte Ed25519 seed)
 * </pre>
 */
public final class NoteKeys {
  /** 0x01: Ed25519 signatures over the note text (C2SP signed-note). */
  public static final int TYPE_ED25519 = 0x01;
  /** 0x04: timestamped Ed25519 witness cosignatures (C2SP tlog-cosignature, cosignature/v1). */
  public static final int TYPE_COSIGNATURE_V1 = 0x04;
  /** 0x06: ML-DSA-44 cosignatures (subtree/v1); recognised, not verified by BKV. */
  public static final int TYPE_ML_DSA_44 = 0x06;

  /** Longest key name accepted, in bytes of UTF-8. */
  public static final int NAME_BYTES_MAX = 256;
  /** Longest public key accepted in a vkey (ML-DSA-87 keys are 2592 bytes). */
  public static final int PUBLIC_KEY_BYTES_MAX = 2592;
  /** Length of an ML-DSA-44 public key, for the key ID check of type 0x06. */
  private static final int ML_DSA_44_PUBLIC_KEY_BYTES = 1312;
  /** Longest vkey text accepted: name, key ID and base64 of the longest key. */
  public static final int VKEY_CHARS_MAX = NAME_BYTES_MAX + 10 + 4 * (PUBLIC_KEY_BYTES_MAX + 3) / 3;
  private static final String SKEY_PREFIX = "PRIVATE+KEY+";

  private NoteKeys() {}

  /** The recommended key ID: the first four bytes of SHA-256(name || 0x0A || type || key). */
  public static int keyId(String keyName, int type, byte[] publicKey) {
    byte[] digest =
        Sha256.hash(keyName.getBytes(StandardCharsets.UTF_8), new byte[] {0x0A, (byte) type}, publicKey);
    return ((digest[0] & 0xff) << 24) | ((digest[1] & 0xff) << 16) | ((digest[2] & 0xff) << 8) | (digest[3] & 0xff);
  }

  /** C2SP: key names are non-empty and contain no Unicode space and no plus sign. */
  public static boolean isValidName(String name) {
    if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > NAME_BYTES_MAX || name.indexOf('+') >= 0) {
      return false;
    }
    return name.codePoints().noneMatch(NoteKeys::isUnicodeSpace);
  }

  /** The spaces of Go's unicode.IsSpace: the Latin-1 spaces plus category Z. */
  static boolean isUnicodeSpace(int codePoint) {
    return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint) || codePoint == 0x85;
  }

  static String hexId(int keyId) {
    return HexFormat.of().toHexDigits(keyId);
  }

  static String vkey(String keyName, int keyId, int type, byte[] publicKey) {
    return keyName + "+" + hexId(keyId) + "+" + Base64Text.encode(Bytes.concat(new byte[] {(byte) type}, publicKey));
  }

  /**
   * Decodes a vkey. Ed25519 (0x01) and cosignature/v1 (0x04) keys become verifiers; any other
   * type becomes an unsupported verifier whose signatures are ignored. For 0x01, 0x04 and
   * 0x06 the key ID must be the one derived from name and key.
   */
  public static NoteVerifier parseVerifierKey(String vkey) throws FormatException {
    if (vkey.length() > VKEY_CHARS_MAX) {
      throw new FormatException("vkey is longer than " + VKEY_CHARS_MAX + " characters");
    }
    String[] parts = splitKey(vkey, "vkey");
    String name = parts[0];
    int keyId = parseHexId(parts[1]);
    byte[] typed = Base64Text.decodeCanonical(parts[2], "vkey key material");
    if (typed.length < 2 || typed.length > 1 + PUBLIC_KEY_BYTES_MAX) {
      throw new FormatException("vkey key material has " + typed.length + " bytes");
    }
    int type = typed[0] & 0xff;
    byte[] key = Arrays.copyOfRange(typed, 1, typed.length);
    if (type == TYPE_ED25519 || type == TYPE_COSIGNATURE_V1) {
      if (key.length != Ed25519.PUBLIC_KEY_BYTES) {
        throw new FormatException("Ed25519 vkey must hold 32 key bytes, got " + key.length);
      }
    }
    if (type == TYPE_ML_DSA_44 && key.length != ML_DSA_44_PUBLIC_KEY_BYTES) {
      throw new FormatException("ML-DSA-44 vkey must hold 1312 key bytes, got " + key.length);
    }
    boolean derivedId = type == TYPE_ED25519 || type == TYPE_COSIGNATURE_V1 || type == TYPE_ML_DSA_44;
    if (derivedId && keyId != keyId(name, type, key)) {
      throw new FormatException("vkey key ID " + parts[1] + " does not match name and key");
    }
    Ed25519.PublicKey ed = key.length == Ed25519.PUBLIC_KEY_BYTES ? new Ed25519.PublicKey(key) : null;
    if (type == TYPE_ED25519) {
      return new Ed25519Note.Verifier(name, ed);
    }
    if (type == TYPE_COSIGNATURE_V1) {
      return new CosignatureV1.Verifier(name, ed);
    }
    return new UnsupportedVerifier(name, keyId, type, key);
  }

  /** Decodes an skey of type 0x01 into a note signer. */
  public static Ed25519Note.Signer parseNoteSigner(String skey) throws FormatException {
    SecretKey key = parseSkey(skey, TYPE_ED25519);
    return new Ed25519Note.Signer(key.name, key.key);
  }

  /** Decodes an skey of type 0x04 into a cosignature/v1 signer. */
  public static CosignatureV1.Signer parseCosigner(String skey) throws FormatException {
    SecretKey key = parseSkey(skey, TYPE_COSIGNATURE_V1);
    return new CosignatureV1.Signer(key.name, key.key);
  }

  static String skey(String keyName, int type, Ed25519.PrivateKey key) {
    int keyId = keyId(keyName, type, key.publicKey().toBytes());
    byte[] typed = Bytes.concat(new byte[] {(byte) type}, key.seedBytes());
    String out = SKEY_PREFIX + keyName + "+" + hexId(keyId) + "+" + Base64Text.encode(typed);
    Arrays.fill(typed, (byte) 0);
    return out;
  }

  private record SecretKey(String name, Ed25519.PrivateKey key) {}

  private static SecretKey parseSkey(String skey, int expectedType) throws FormatException {
    if (!skey.startsWith(SKEY_PREFIX)) {
      throw new FormatException("skey must start with " + SKEY_PREFIX);
    }
    String[] parts = splitKey(skey.substring(SKEY_PREFIX.length()), "skey");
    int keyId = parseHexId(parts[1]);
    byte[] typed = Base64Text.decodeCanonical(parts[2], "skey key material");
    try {
      if (typed.length != 1 + Ed25519.SEED_BYTES) {
        throw new FormatException("skey must hold a type byte and a 32-byte Ed25519 seed");
      }
      int type = typed[0] & 0xff;
      if (type != expectedType) {
        throw new FormatException("skey has type 0x" + hexByte(type) + ", expected 0x" + hexByte(expectedType));
      }
      Ed25519.PrivateKey key = Ed25519.PrivateKey.fromSeed(Arrays.copyOfRange(typed, 1, typed.length));
      if (keyId != keyId(parts[0], type, key.publicKey().toBytes())) {
        throw new FormatException("skey key ID " + parts[1] + " does not match name and key");
      }
      return new SecretKey(parts[0], key);
    } finally {
      Arrays.fill(typed, (byte) 0);
    }
  }

  private static String hexByte(int b) {
    return HexFormat.of().toHexDigits((byte) b);
  }

  /** name "+" id "+" material; the base64 material may itself contain '+'. */
  private static String[] splitKey(String key, String what) throws FormatException {
    int first = key.indexOf('+');
    int second = first < 0 ? -1 : key.indexOf('+', first + 1);
    if (first < 0 || second < 0) {
      throw new FormatException(what + " must be name+keyid+key");
    }
    String name = key.substring(0, first);
    if (!isValidName(name)) {
      throw new FormatException(what + " has an invalid key name");
    }
    return new String[] {name, key.substring(first + 1, second), key.substring(second + 1)};
  }

  private static int parseHexId(String hex) throws FormatException {
    if (hex.length() != 8 || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      throw new FormatException("key ID must be 8 lower-case hex digits");
    }
    return (int) Long.parseLong(hex, 16);
  }
}
