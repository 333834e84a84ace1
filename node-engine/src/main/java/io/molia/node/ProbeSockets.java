package io.molia.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.molia.contact.NodeAddress;
import io.molia.nat.NatProbe;

/**
 * The sockets dial-back probes leave from ({@link NatProbe}): one on another port of the node's own address, and one
 * on its alternate address when the operator gave one ({@code --nat-alternate-address}). Each probe is 12 bytes and
 * goes out at most {@code ProbeBudget}'s rate per shard; nothing is ever read from these sockets. Shared by the
 * shards' threads ({@link DatagramChannel#send} is thread-safe).
 */
final class ProbeSockets implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeSockets.class);

    private final InetAddress boundAddress;
    /** Opened at the first probe: a node nobody asks to probe holds no second port (PortClaimIT counts ports). */
    private DatagramChannel otherPort;
    private final DatagramChannel alternate;
    private final AtomicLong sendErrors = new AtomicLong();

    ProbeSockets(InetSocketAddress bound, InetAddress alternateAddress) throws IOException {
        this.boundAddress = bound.getAddress();
        this.alternate = alternateAddress == null ? null : open(new InetSocketAddress(alternateAddress, 0));
    }

    private static DatagramChannel open(InetSocketAddress at) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.configureBlocking(false);
        try {
            channel.bind(at);
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot bind a NAT probe socket to " + at.getAddress().getHostAddress() + ": "
                    + e.getMessage(), e);
        }
        return channel;
    }

    boolean hasAlternate() {
        return alternate != null;
    }

    /** Sends {@code probe} (a full socket buffer drops it: the asker's probe times out, as on a lossy path). */
    void send(NatProbe probe) {
        byte[] bytes = new byte[NatProbe.BYTES];
        probe.writeTo(bytes, 0);
        try {
            DatagramChannel channel = probe.fromAlternateAddress() ? alternate : otherPort();
            channel.send(ByteBuffer.wrap(bytes), SocketAddresses.toInet(probe.to()));
        } catch (IOException e) {
            if (sendErrors.getAndIncrement() == 0) {
                LOG.atWarn().addKeyValue("event", "nat.probe_send_failed").addKeyValue("error", e.getMessage())
                        .log("a NAT probe could not be sent (later failures are not logged)");
            }
        }
    }

    /**
     * The addresses a peer sees this node at when no NAT is in between: the bound one, or with a wildcard bind every
     * interface's address with the bound port.
     */
    static List<NodeAddress> localAddresses(InetSocketAddress bound) throws SocketException {
        List<NodeAddress> out = new ArrayList<>();
        if (!bound.getAddress().isAnyLocalAddress()) {
            out.add(SocketAddresses.toNodeAddress(bound));
            return out;
        }
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                out.add(SocketAddresses.toNodeAddress(a, bound.getPort()));
            }
        }
        return out;
    }

    private synchronized DatagramChannel otherPort() throws IOException {
        if (otherPort == null) {
            otherPort = open(new InetSocketAddress(boundAddress, 0));
        }
        return otherPort;
    }

    @Override
    public synchronized void close() throws IOException {
        if (otherPort != null) {
            otherPort.close();
        }
        if (alternate != null) {
            alternate.close();
        }
    }
}
