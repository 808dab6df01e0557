package dev.bkv.hsm;

import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.crypto.opaque.ServerSetup;
import dev.bkv.storage.NvramImage;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A SoftHsm with faults a test can switch on: NVRAM writes that fail (a crash between the
 * log write and the NVRAM advance), and an NVRAM that reads back an older cell (for the
 * "storage ahead of NVRAM" case, which a real HSM would never show). Keeps every NVRAM write,
 * and every plaintext sealed or unsealed (to check the caller wipes it).
 */
final class FaultyHsm implements Hsm {
  final SoftHsm inner;
  /** Number of upcoming NVRAM writes that fail. */
  int failNvramWrites;
  /** When set, readNvram returns this instead of the real cell. */
  NvramImage.Cell nvramOverride;
  final List<NvramImage.Cell> nvramWrites = new ArrayList<>();

  /** A plaintext the caller handed to seal or got from unseal: the caller's array itself, and a copy taken then. */
  record Plaintext(byte[] callers, byte[] asItWas) {}

  final List<Plaintext> sealed = new ArrayList<>();
  final List<Plaintext> unsealed = new ArrayList<>();

  FaultyHsm(SecureRandom random) {
    this.inner = SoftHsm.inMemory(random);
  }

  @Override
  public HsmId id() throws HsmException {
    return inner.id();
  }

  @Override
  public EcdsaP256.PublicKey identityPublicKey() throws HsmException {
    return inner.identityPublicKey();
  }

  @Override
  public EcdsaP256.Signature signWithIdentity(byte[] message) throws HsmException {
    return inner.signWithIdentity(message);
  }

  @Override
  public byte[] seal(byte[] associatedData, byte[] plaintext) throws HsmException {
    sealed.add(new Plaintext(plaintext, plaintext.clone()));
    return inner.seal(associatedData, plaintext);
  }

  @Override
  public byte[] unseal(byte[] associatedData, byte[] sealedBlob) throws HsmException {
    byte[] plaintext = inner.unseal(associatedData, sealedBlob);
    unsealed.add(new Plaintext(plaintext, plaintext.clone()));
    return plaintext;
  }

  @Override
  public NvramImage.Cell readNvram(int slot) throws HsmException {
    return nvramOverride != null ? nvramOverride : inner.readNvram(slot);
  }

  @Override
  public void writeNvram(int slot, NvramImage.Cell cell) throws HsmException {
    if (failNvramWrites > 0) {
      failNvramWrites--;
      throw new HsmException(HsmException.Reason.NVRAM_FAILED, "injected: power lost before the NVRAM write");
    }
    inner.writeNvram(slot, cell);
    nvramWrites.add(cell);
  }

  @Override
  public ServerSetup opaqueServerSetup() throws HsmException {
    return inner.opaqueServerSetup();
  }

  @Override
  public SecureRandom random() {
    return inner.random();
  }

  @Override
  public TransportOffer offerTransportKey(Sha256Digest context) throws HsmException {
    return inner.offerTransportKey(context);
  }

  @Override
  public WrappedFleetSecrets exportFleetSecrets(TransportOffer recipient) throws HsmException {
    return inner.exportFleetSecrets(recipient);
  }

  @Override
  public void importFleetSecrets(WrappedFleetSecrets wrapped, HsmAttestation sender) throws HsmException {
    inner.importFleetSecrets(wrapped, sender);
  }

  @Override
  public void tamper() {
    inner.tamper();
  }

  @Override
  public boolean isZeroized() {
    return inner.isZeroized();
  }
}
