package io.molia.record;

/**
 * What became of a provider or mutable-record write. The code travels back to the writer in {@code RecordAck}, so
 * a refusal reaches the client with its reason; the node counts refusals per outcome.
 */
public enum WriteOutcome {
    STORED(0, "stored"),
    BAD_SIGNATURE(1, "bad signature"),
    STALE_SEQ(2, "seq not above the stored one"),
    CAS_MISMATCH(3, "compare-and-swap failed: the stored seq differs"),
    OVERSIZE(4, "value larger than " + MutableRecord.MAX_VALUE_BYTES + " bytes"),
    MALFORMED(5, "malformed record (key, salt, signature or address length)"),
    STORE_FULL(6, "record store full"),
    NOT_DURABLE(7, "could not be journaled"),
    KEY_FULL(8, "too many providers for this key"),
    PROVIDER_FULL(9, "too many keys for this provider"),
    NOT_THE_PROVIDER(10, "a provider record is added only by the provider itself or with its signed announcement"),
    /** A provider announcement whose signed expiry has passed (a forwarded entry outlives nothing it was given). */
    EXPIRED(11, "the provider's announcement has expired"),
    /** A code this release does not know (a newer node's refusal). */
    UNKNOWN(255, "refused for a reason this version does not know");

    private static final WriteOutcome[] BY_CODE = new WriteOutcome[256];

    static {
        for (WriteOutcome o : values()) {
            BY_CODE[o.code] = o;
        }
    }

    private final int code;
    private final String reason;

    WriteOutcome(int code, String reason) {
        this.code = code;
        this.reason = reason;
    }

    public int code() {
        return code;
    }

    /** One line for a client's error message. */
    public String reason() {
        return reason;
    }

    public boolean stored() {
        return this == STORED;
    }

    public static WriteOutcome ofCode(int code) {
        WriteOutcome o = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        return o == null ? UNKNOWN : o;
    }
}
