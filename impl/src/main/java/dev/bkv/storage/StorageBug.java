package dev.bkv.storage;

/**
 * Defects that tests switch on to show that the simulator and the checks catch them.
 * Package-private: production code cannot name them; tests reach them only through the
 * test tree's {@code StorageBugs}.
 */
enum StorageBug {
  /** A record whose tag fails is decrypted anyway and its entries used. */
  TORN_WRITE_UNDETECTED
}
