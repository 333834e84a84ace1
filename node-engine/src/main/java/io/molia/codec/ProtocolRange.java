package io.molia.codec;

/**
 * The protocol versions a node speaks, {@code [min, max]}, and its feature bits: what every envelope it sends
 * carries ({@code version} = max, {@code min_version} when lower, {@code features} when any), and the rule by which
 * it accepts a request: the sender's range and its own overlap. A node of the next release that still speaks this
 * one's version is therefore understood by it (new fields and unknown feature bits are ignored), and answered in
 * this release's version; a release that drops an old version raises {@code min}, and the nodes it can no longer
 * talk to get an error naming both ranges' ends (DESIGN §3.4).
 *
 * @param min      lowest version spoken
 * @param max      version written in every envelope
 * @param features feature bits of this node; a receiver ignores the bits it does not know
 */
public record ProtocolRange(int min, int max, long features) {
    /**
     * Reserved, never a real feature: the bit the next-version stand-in sets ({@link #nextForTests}), which no
     * release knows, so tests see that unknown bits are ignored.
     */
    public static final long FEATURE_RESERVED_FOR_TESTS = 1L << 63;
    /** This release: version 1, no feature bits yet. */
    public static final ProtocolRange THIS_RELEASE = new ProtocolRange(1, 1, 0);


    public ProtocolRange {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("protocol versions must satisfy 1 <= min <= max, got " + min + ".."
                    + max);
        }
    }

    /**
     * A node standing in for a later release in tests ({@code molia node --protocol-version}): it writes
     * {@code version}, speaks down to {@code min}, and sets {@link #FEATURE_RESERVED_FOR_TESTS}.
     */
    public static ProtocolRange nextForTests(int min, int version) {
        return new ProtocolRange(min, version, version > THIS_RELEASE.max() ? FEATURE_RESERVED_FOR_TESTS : 0);
    }

    /** Whether a request in {@code message} is understood here: its sender's range overlaps this one. */
    public boolean accepts(WireMessage message) {
        return message.version() >= min && message.senderMinVersion() <= max;
    }
}
