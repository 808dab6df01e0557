package dev.bkv.modelcheck;

import java.time.Duration;

/** TLC's latest progress report: states generated and distinct, the BFS queue, time so far. */
public record TlcProgress(long generatedStates, long distinctStates, long queueStates, Duration elapsed) {}
