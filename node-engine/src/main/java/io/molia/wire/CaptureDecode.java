package io.molia.wire;

import java.io.IOException;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What {@code molia wire decode} does with a capture: every UDP datagram in order through one {@link WireDecoder},
 * optionally only those from or to some ports, and a summary of what was decoded.
 */
public final class CaptureDecode {
    /** How many datagrams were decoded and decrypted, how many frames held none, whether the file was cut off. */
    public record Summary(int datagrams, int decrypted, int withoutUdp, boolean truncated) {
        /** {@code 5 datagrams, 5 decrypted}, and what else the operator should know. */
        public String line(boolean keyLogGiven) {
            return datagrams + " datagrams, " + decrypted + " decrypted"
                    + (withoutUdp > 0 ? ", " + withoutUdp + " frames without a UDP datagram skipped" : "")
                    + (truncated ? "; the capture ends in a cut-off record" : "")
                    + (keyLogGiven ? "" : "; no --keylog given: nothing can be decrypted");
        }
    }

    private CaptureDecode() {
    }

    /**
     * Decodes {@code capture}'s datagrams (only those from or to {@code ports}, unless it is empty) and hands each to
     * {@code out}. Throws with a one-line reason when no frame held a datagram because its link type is not one
     * {@link UdpDatagram} reads.
     */
    public static Summary run(PcapReader.Capture capture, KeyLog keys, Set<Integer> ports,
            Consumer<DecodedDatagram> out) throws IOException {
        WireDecoder decoder = new WireDecoder(keys);
        int datagrams = 0;
        int decrypted = 0;
        int withoutUdp = 0;
        Integer unsupportedLink = null;
        for (PcapReader.Frame frame : capture.frames()) {
            UdpDatagram d = UdpDatagram.of(frame);
            if (d == null) {
                withoutUdp++;
                if (!UdpDatagram.supports(frame.linkType())) {
                    unsupportedLink = frame.linkType();
                }
                continue;
            }
            if (!ports.isEmpty() && !ports.contains(d.source().getPort())
                    && !ports.contains(d.destination().getPort())) {
                continue;
            }
            DecodedDatagram decoded = decoder.decode(d);
            datagrams++;
            decrypted += decoded.decrypted() ? 1 : 0;
            out.accept(decoded);
        }
        if (datagrams == 0 && unsupportedLink != null) {
            throw new IOException("link type " + unsupportedLink + " is not one molia wire decode reads (Ethernet, "
                    + "Linux cooked SLL/SLL2, raw IP, BSD loopback)");
        }
        return new Summary(datagrams, decrypted, withoutUdp, capture.truncated());
    }
}
