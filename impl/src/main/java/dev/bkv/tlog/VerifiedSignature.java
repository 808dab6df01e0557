package dev.bkv.tlog;

import java.util.OptionalLong;

/**
 * A note signature that verified against a trusted key. {@code timestamp} is present for
 * cosignatures (POSIX seconds, as signed); BKV makes no freshness judgement here and leaves
 * timestamp policy to the caller.
 */
public record VerifiedSignature(String keyName, int keyId, int type, OptionalLong timestamp) {}
