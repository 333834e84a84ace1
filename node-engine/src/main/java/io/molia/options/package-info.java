/**
 * Converters for command-line option values. Each refuses a bad value while picocli parses, so every {@code molia}
 * command answers it as bad usage (exit 2, one line naming the flag) before any work starts, and the range a value
 * must be in is written once, next to the option.
 */
package io.molia.options;
