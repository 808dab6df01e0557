package dev.bkv.hsm;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.Aes256Gcm;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Sha256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.crypto.opaque.ServerSetup;
import dev.bkv.storage.AtomicFile;
import dev.bkv.storage.NvramFile;
import dev.bkv.storage.NvramImage;
import dev.bkv.storage.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

/**
 * An {@link Hsm} in software, the default. Keys live in this object's memory; NVRAM lives in
 * memory or, with {@link #open}, in files of a directory that stands for the HSM's internal
 * storage ({@code keys.bkv} and {@code nvram.bkv}). Those files hold keys in the clear: they
 * model the inside of an HSM for development and tests, and are no protection on a real
 * host. {@link Pkcs11Hsm} keeps the keys in a token instead.
 */
public final class SoftHsm implements Hsm {
  static final byte[] KEY_FILE_MAGIC = "BKVSHSM1".getBytes(StandardCharsets.US_ASCII);
  static final String KEY_FILE = "keys.bkv";
  static final String NVRAM_FILE = "nvram.bkv";
  static final int KEY_FILE_BYTES = KEY_FILE_MAGIC.length + 32 + Aes256Gcm.KEY_BYTES + ServerSetup.ENCODED_BYTES + Sha256.DIGEST_BYTES;

  private final SecureRandom random;
  private final EcdsaP256.PrivateKey identityKey;
  private final Aes256Gcm.Key sealingKey;
  private ServerSetup serverSetup;
  private final FleetSecretsTransport.OfferSlot transportOffer = new FleetSecretsTransport.OfferSlot();
  private final HsmId id;
  private final NvramFile nvramFile;
  private final Path keyFile;
  private NvramImage nvram;
  private boolean zeroized;

  private SoftHsm(SecureRandom random, EcdsaP256.PrivateKey identityKey, Aes256Gcm.Key sealingKey,
      ServerSetup serverSetup, NvramImage nvram, NvramFile nvramFile, Path keyFile) {
    this.random = random;
    this.identityKey = identityKey;
    this.sealingKey = sealingKey;
    this.serverSetup = serverSetup;
    this.id = HsmId.of(identityKey.publicKey());
    this.nvram = nvram;
    this.nvramFile = nvramFile;
    this.keyFile = keyFile;
  }

  /** A fresh HSM whose keys and NVRAM exist only in memory. */
  public static SoftHsm inMemory(SecureRandom random) {
    return new SoftHsm(random, EcdsaP256.PrivateKey.generate(random), Aes256Gcm.Key.generate(random),
        ServerSetup.generate(random), NvramImage.empty(), null, null);
  }

  /** The HSM whose internal storage is {@code dir}, created with fresh keys on first use. */
  public static SoftHsm open(Path dir, SecureRandom random) throws HsmException {
    try {
      Files.createDirectories(dir);
      Path keyFile = dir.resolve(KEY_FILE);
      NvramFile nvramFile = new NvramFile(dir.resolve(NVRAM_FILE));
      Optional<byte[]> stored = AtomicFile.read(keyFile, KEY_FILE_BYTES);
      if (stored.isEmpty()) {
        SoftHsm hsm = new SoftHsm(random, EcdsaP256.PrivateKey.generate(random), Aes256Gcm.Key.generate(random),
            ServerSetup.generate(random), nvramFile.read(), nvramFile, keyFile);
        byte[] keys = hsm.encodeKeys();
        try {
          AtomicFile.writeSecret(keyFile, keys);
        } finally {
          Bytes.zeroize(keys);
        }
        return hsm;
      }
      return decodeKeys(stored.get(), random, nvramFile, keyFile);
    } catch (IOException | StorageException e) {
      throw new HsmException(HsmException.Reason.NVRAM_FAILED, "SoftHsm storage in " + dir + ": " + e.getMessage(), e);
    }
  }

  private byte[] encodeKeys() {
    return encodeKeys(serverSetup);
  }

  private byte[] encodeKeys(ServerSetup setup) {
    byte[] body = Bytes.concatZeroizing(KEY_FILE_MAGIC.clone(), identityKey.toBytes(), sealingKey.toBytes(), setup.encode());
    try {
      return Bytes.concat(body, Sha256.hash(body));
    } finally {
      Bytes.zeroize(body);
    }
  }

  private static SoftHsm decodeKeys(byte[] bytes, SecureRandom random, NvramFile nvramFile, Path keyFile)
      throws HsmException, StorageException {
    int bodyLength = KEY_FILE_BYTES - Sha256.DIGEST_BYTES;
    if (bytes.length != KEY_FILE_BYTES
        || !Arrays.equals(Arrays.copyOf(bytes, KEY_FILE_MAGIC.length), KEY_FILE_MAGIC)
        || !Bytes.constantTimeEquals(Sha256.hash(Arrays.copyOf(bytes, bodyLength)), Arrays.copyOfRange(bytes, bodyLength, bytes.length))) {
      throw new HsmException(HsmException.Reason.NVRAM_FAILED, keyFile + " is not an intact SoftHsm key file");
    }
    int at = KEY_FILE_MAGIC.length;
    byte[] identityBytes = Arrays.copyOfRange(bytes, at, at + 32);
    byte[] sealingBytes = Arrays.copyOfRange(bytes, at + 32, at + 64);
    byte[] setupBytes = Arrays.copyOfRange(bytes, at + 64, bodyLength);
    try {
      EcdsaP256.PrivateKey identity = EcdsaP256.PrivateKey.decode(identityBytes);
      Aes256Gcm.Key sealing = new Aes256Gcm.Key(sealingBytes);
      ServerSetup setup = ServerSetup.decode(setupBytes);
      return new SoftHsm(random, identity, sealing, setup, nvramFile.read(), nvramFile, keyFile);
    } catch (DecodeException e) {
      throw new HsmException(HsmException.Reason.NVRAM_FAILED, keyFile + ": " + e.getMessage(), e);
    } finally {
      Bytes.zeroize(identityBytes, sealingBytes, setupBytes, bytes); // the whole file, as read
    }
  }

  private void live() throws HsmException {
    if (zeroized) {
      throw new HsmException(HsmException.Reason.ZEROIZED, "the HSM was zeroized by a tamper event");
    }
  }

  @Override
  public synchronized HsmId id() throws HsmException {
    live();
    return id;
  }

  @Override
  public synchronized EcdsaP256.PublicKey identityPublicKey() throws HsmException {
    live();
    return identityKey.publicKey();
  }

  @Override
  public synchronized EcdsaP256.Signature signWithIdentity(byte[] message) throws HsmException {
    live();
    return identityKey.sign(message);
  }

  @Override
  public synchronized byte[] seal(byte[] associatedData, byte[] plaintext) throws HsmException {
    live();
    Aes256Gcm.Nonce nonce = Aes256Gcm.Nonce.random(random);
    return Bytes.concat(nonce.toBytes(), Aes256Gcm.seal(sealingKey, nonce, associatedData, plaintext));
  }

  @Override
  public synchronized byte[] unseal(byte[] associatedData, byte[] sealed) throws HsmException {
    live();
    if (sealed.length < SEAL_OVERHEAD_BYTES) {
      throw new HsmException(HsmException.Reason.UNSEAL_FAILED, "sealed blob of " + sealed.length + " bytes is too short");
    }
    Aes256Gcm.Nonce nonce = new Aes256Gcm.Nonce(Arrays.copyOf(sealed, Aes256Gcm.NONCE_BYTES));
    return Aes256Gcm.open(sealingKey, nonce, associatedData, Arrays.copyOfRange(sealed, Aes256Gcm.NONCE_BYTES, sealed.length))
        .orElseThrow(() -> new HsmException(HsmException.Reason.UNSEAL_FAILED, "sealed blob does not authenticate"));
  }

  @Override
  public synchronized NvramImage.Cell readNvram(int slot) throws HsmException {
    live();
    return nvram.cell(slot);
  }

  @Override
  public synchronized void writeNvram(int slot, NvramImage.Cell cell) throws HsmException {
    live();
    NvramRules.checkAdvance(slot, nvram.cell(slot), cell);
    NvramImage next = nvram.with(slot, cell);
    if (nvramFile != null) {
      try {
        nvramFile.write(next);
      } catch (StorageException e) {
        throw new HsmException(HsmException.Reason.NVRAM_FAILED, e.getMessage(), e);
      }
    }
    nvram = next;
  }

  @Override
  public synchronized ServerSetup opaqueServerSetup() throws HsmException {
    live();
    return serverSetup;
  }

  @Override
  public SecureRandom random() {
    return random;
  }

  @Override
  public synchronized TransportOffer offerTransportKey(Sha256Digest context) throws HsmException {
    live();
    return transportOffer.offer(this, random, context);
  }

  @Override
  public synchronized WrappedFleetSecrets exportFleetSecrets(TransportOffer recipient) throws HsmException {
    live();
    return FleetSecretsTransport.wrap(this, serverSetup, recipient, random);
  }

  @Override
  public synchronized void importFleetSecrets(WrappedFleetSecrets wrapped, HsmAttestation sender) throws HsmException {
    live();
    ServerSetup imported = transportOffer.open(this, wrapped, sender);
    if (keyFile != null) {
      try {
        byte[] keys = encodeKeys(imported);
        try {
          AtomicFile.writeSecret(keyFile, keys);
        } finally {
          Bytes.zeroize(keys);
        }
      } catch (StorageException e) {
        imported.destroy();
        throw new HsmException(HsmException.Reason.NVRAM_FAILED, "storing the fleet secrets: " + e.getMessage(), e);
      }
    }
    serverSetup.destroy();
    serverSetup = imported;
    transportOffer.clear();
  }

  @Override
  public synchronized void tamper() {
    zeroized = true;
    identityKey.destroy();
    sealingKey.destroy();
    serverSetup.destroy();
    transportOffer.clear();
    if (keyFile != null) {
      try {
        // Overwrite before unlinking so the key bytes do not linger in the file's blocks.
        Files.write(keyFile, new byte[KEY_FILE_BYTES]);
        Files.deleteIfExists(keyFile);
      } catch (IOException e) {
        // The in-memory keys are gone already; a key file that cannot be removed is reported
        // on the next open as a zeroed (corrupt) file, never used.
      }
    }
  }

  @Override
  public synchronized boolean isZeroized() {
    return zeroized;
  }

  @Override
  public String toString() {
    return "SoftHsm(" + id.toHex() + (zeroized ? ", zeroized" : "") + ")";
  }
}
