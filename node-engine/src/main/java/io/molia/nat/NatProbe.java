package io.molia.nat;

import io.molia.contact.NodeAddress;

/**
 * A dial-back probe: the datagram a peer sends, from another port or another host, to the address a node was seen
 * at, so the node learns whether its NAT lets it in. It is not a WireGuard message and gets no answer: a node
 * accepts it only when it carries the nonce of a probe this node asked for over an authenticated session, and drops
 * (counts) every other one, so a stranger still hears nothing.
 *
 * <pre>
 *  0      1      2      3      4                              12
 *  +------+------+------+------+------------------------------+
 *  | 0x52 |   0  |   0  |   0  | nonce (8 bytes, little-end.) |
 *  +------+------+------+------+------------------------------+
 * </pre>
 *
 * @param to where the probe goes
 * @param nonce the asker's nonce, echoed
 * @param fromAlternateAddress sent from the node's alternate address ({@link DialBackMode#OTHER_ADDRESS}), else from
 *     another port of its own address
 */
public record NatProbe(NodeAddress to, long nonce, boolean fromAlternateAddress) {
    /** The type byte: after Molia's initiation (0x4D) and response (0x4E), outside WireGuard's 1–4. */
    public static final int TYPE = 0x52;
    public static final int BYTES = ProbeFrame.BYTES;

    /** Whether {@code buf[off, off + len)} has the shape of a probe (its nonce is checked by {@link NatTraversal}). */
    public static boolean isProbe(byte[] buf, int off, int len) {
        return ProbeFrame.is(TYPE, buf, off, len);
    }

    public static long nonceOf(byte[] buf, int off) {
        return ProbeFrame.nonceOf(buf, off);
    }

    /** Writes the probe into {@code out[off, off + BYTES)}; returns {@link #BYTES}. */
    public int writeTo(byte[] out, int off) {
        return ProbeFrame.write(TYPE, nonce, out, off);
    }
}
