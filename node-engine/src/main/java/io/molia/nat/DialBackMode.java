package io.molia.nat;

/**
 * What a DIAL_BACK request asks of the peer that receives it (the {@code mode} field of {@code DialBack} in
 * {@code molia.proto}). Every mode is answered with a PONG; the probe itself goes to the address the request came
 * from, never to an address the asker names (DIAL_BACK cannot aim probes at a third party).
 */
public enum DialBackMode {
    /** Send a probe from another port of the same host: passes address-restricted filtering, not port-restricted. */
    OTHER_PORT(1),
    /**
     * Send the probe from the peer's alternate address (a second IP of its host, as a STUN server's CHANGE-REQUEST
     * uses), one this node never sent to: passes only endpoint-independent filtering. Refused by peers with none.
     */
    OTHER_ADDRESS(2);

    private final int code;

    DialBackMode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The mode of {@code code}, or null for a code this release does not know (the request is then refused). */
    public static DialBackMode ofCode(int code) {
        for (DialBackMode m : values()) {
            if (m.code == code) {
                return m;
            }
        }
        return null;
    }
}
