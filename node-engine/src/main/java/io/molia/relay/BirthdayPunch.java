package io.molia.relay;

import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.nat.NatType;
import io.molia.nat.ProbeFrame;

/**
 * Birthday-style punching (docs/nat.md, "Multi-port punching"), HyperDHT's answer to a symmetric NAT facing a
 * port-restricted one: the symmetric end opens {@link #SOCKETS} short-lived sockets that each send one probe to the
 * peer's mapped address, so its NAT holds that many random ports towards the peer; the port-restricted end sprays
 * {@link #SPRAY} probes from its own mapped port at random ports of the symmetric end's public address. Each spray
 * probe that meets one of the open ports opens the port-restricted NAT for it and reaches a socket: with 256 ports
 * of about 64,500 and 1,024 probes, about four hits are expected, and none in 1 - e^-4 ≈ 2 % of attempts.
 *
 * <p>A hit moves nothing by itself: the symmetric end's session datagrams to the peer leave from then on through the
 * socket that was hit (the driver's choice of where to send, as a WireGuard endpoint is), and the peer's session
 * roams to that port on the first authenticated datagram, as for any punch. The probes are not WireGuard messages
 * and are never answered: a socket takes a probe only from the peer's mapped address with the circuit's nonce, a
 * shard drops every probe that reaches it (counted), so a stranger still hears nothing and the handshake rules are
 * unchanged.
 *
 * <pre>
 *  0      1      2      3      4                              12
 *  +------+------+------+------+------------------------------+
 *  | 0x54 |   0  |   0  |   0  | nonce (8 bytes, little-end.) |
 *  +------+------+------+------+------------------------------+
 * </pre>
 *
 * @param kind which end this node plays
 * @param peer the other end
 * @param target where the probes go: the peer's mapped address (to open), or its public address (to spray)
 * @param nonce the circuit's nonce ({@link #nonceOf})
 */
public record BirthdayPunch(Kind kind, NodeId peer, NodeAddress target, long nonce) {
    /** After the relay frame (0x53), in the range reserved for relays; outside WireGuard's 1–4. */
    public static final int TYPE = 0x54;
    public static final int BYTES = ProbeFrame.BYTES;
    /** Sockets the symmetric end opens per attempt (HyperDHT's 256). */
    public static final int SOCKETS = 256;
    /** Probes the port-restricted end sprays per attempt (HyperDHT sprays up to 1,750). */
    public static final int SPRAY = 1024;
    /** The ports a symmetric NAT picks from (Linux's source NAT for a port ≥ 1024 without a range). */
    public static final int LOWEST_PORT = 1024;
    /** How long the symmetric end's sockets wait for a hit. */
    public static final long WINDOW_NS = 4_000_000_000L;
    /** The spraying end waits this long first, so the other end's ports are open when its probes arrive. */
    public static final long SPRAY_DELAY_NS = 400_000_000L;
    /** The spray goes out in batches of this many, one batch every {@link #SPRAY_GAP_NS}. */
    public static final int SPRAY_BATCH = 32;
    public static final long SPRAY_GAP_NS = 15_000_000L;

    /** Which end: the symmetric one opens sockets, the port-restricted one sprays. */
    public enum Kind {
        OPEN, SPRAY
    }

    /**
     * The part this node plays on a circuit between its NAT ({@code ownNat}) and the peer's ({@code peerNat}),
     * NatType's ordinals; null when the pair punches without it (or never does: two symmetric NATs).
     */
    public static Kind kindFor(int ownNat, int peerNat) {
        int symmetric = NatType.SYMMETRIC.ordinal();
        int portRestricted = NatType.PORT_RESTRICTED.ordinal();
        if (ownNat == symmetric && peerNat == portRestricted) {
            return Kind.OPEN;
        }
        return ownNat == portRestricted && peerNat == symmetric ? Kind.SPRAY : null;
    }

    /** The nonce both ends of circuit {@code circuit} put in their probes (each knows the circuit's number). */
    public static long nonceOf(int circuit) {
        return (long) circuit << 32 | 0x4249_5254L; // "BIRT"
    }

    /** Whether {@code buf[off, off + len)} has the shape of a birthday probe. */
    public static boolean isProbe(byte[] buf, int off, int len) {
        return ProbeFrame.is(TYPE, buf, off, len);
    }

    public static long nonceOf(byte[] buf, int off) {
        return ProbeFrame.nonceOf(buf, off);
    }

    /** Writes a probe with {@code nonce} into {@code out[off, off + BYTES)}; returns {@link #BYTES}. */
    public static int write(byte[] out, int off, long nonce) {
        return ProbeFrame.write(TYPE, nonce, out, off);
    }
}
