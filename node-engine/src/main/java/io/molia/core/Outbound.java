package io.molia.core;

/** A datagram the core asks its driver to send: to whom, and the inner message bytes {@code data[0, length)}. */
public record Outbound(Contact to, byte[] data, int length) {
}
