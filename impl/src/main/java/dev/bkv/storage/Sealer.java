package dev.bkv.storage;

/**
 * Authenticated encryption under a key the host never sees (the HSM's sealing key). The log
 * seals every record and snapshot through this, so the storage layer needs no key of its own.
 */
public interface Sealer {
  /** Encrypts and authenticates {@code plaintext} together with {@code associatedData}. */
  byte[] seal(byte[] associatedData, byte[] plaintext) throws StorageException;

  /**
   * Opens a blob from {@link #seal}. A blob that does not authenticate under
   * {@code associatedData} (altered, torn, or sealed for other associated data) throws
   * {@link StorageException} of kind {@code CORRUPT}: never returns unauthenticated bytes.
   */
  byte[] unseal(byte[] associatedData, byte[] sealed) throws StorageException;
}
