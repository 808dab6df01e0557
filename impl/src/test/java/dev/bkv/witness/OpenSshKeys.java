package dev.bkv.witness;

import dev.bkv.crypto.Ed25519;
import dev.bkv.crypto.Sha256;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Reads an unencrypted OpenSSH Ed25519 private key (the test witness keys in the litewitness
 * test data): the "openssh-key-v1" container, whose private section holds the 32-byte seed
 * followed by the public key.
 */
public final class OpenSshKeys {
  private OpenSshKeys() {}

  /** The key and the SHA-256 of its raw 32-byte public key (how litewitness's -key flag names it). */
  public record Ed25519Key(Ed25519.PrivateKey key, byte[] publicKeySha256) {}

  public static Ed25519Key parse(String pem) {
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    ByteBuffer in = ByteBuffer.wrap(Base64.getDecoder().decode(body));
    byte[] magic = new byte[15];
    in.get(magic);
    check(Arrays.equals(magic, "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII)), "openssh-key-v1 magic");
    check(new String(string(in), StandardCharsets.US_ASCII).equals("none"), "unencrypted (cipher none)");
    check(new String(string(in), StandardCharsets.US_ASCII).equals("none"), "no KDF");
    string(in); // KDF options
    check(in.getInt() == 1, "exactly one key");
    string(in); // public key blob, repeated in the private section
    ByteBuffer secret = ByteBuffer.wrap(string(in));
    check(secret.getInt() == secret.getInt(), "check integers match");
    check(new String(string(secret), StandardCharsets.US_ASCII).equals("ssh-ed25519"), "an Ed25519 key");
    byte[] publicKey = string(secret);
    byte[] seedAndPublic = string(secret);
    check(seedAndPublic.length == 64, "64-byte Ed25519 private key");
    Ed25519.PrivateKey key = Ed25519.PrivateKey.fromSeed(Arrays.copyOf(seedAndPublic, 32));
    check(Arrays.equals(key.publicKey().toBytes(), publicKey), "seed derives the stored public key");
    return new Ed25519Key(key, Sha256.hash(publicKey));
  }

  private static byte[] string(ByteBuffer in) {
    byte[] out = new byte[in.getInt()];
    in.get(out);
    return out;
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new IllegalArgumentException("not a usable OpenSSH key: expected " + what);
    }
  }
}
