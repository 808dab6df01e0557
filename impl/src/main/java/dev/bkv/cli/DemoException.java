package dev.bkv.cli;

/** The demo could not go on (a piece did not start, no leader, a step's command failed); the exit code is 1. */
final class DemoException extends Exception {
  DemoException(String message) {
    super(message);
  }
}
