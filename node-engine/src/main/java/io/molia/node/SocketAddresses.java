package io.molia.node;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.function.Predicate;

import io.molia.contact.NodeAddress;
import io.molia.transport.InetEndpoints;

/**
 * Endpoints at the node's edge: the text operators write ({@code 203.0.113.7:4000}, {@code [2001:db8::7]:4000}) and
 * the conversions of {@link InetEndpoints}, for configuration and admin actions.
 */
public final class SocketAddresses {
    private SocketAddresses() {
    }

    /** The two halves of {@code host:port} text; {@code host} without brackets. */
    public record HostPort(String host, int port) {
    }

    /**
     * Splits {@code host:port} or {@code [ipv6]:port}. The port is a number but its range is the caller's rule (a
     * bind may ask for port 0, a peer's address may not). Throws with a one-line reason.
     */
    public static HostPort split(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' after the IPv6 address in '" + text + "'");
            }
            if (close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("expected [ipv6]:port, got '" + text + "'");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("expected host:port, got '" + text + "'");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("write an IPv6 address in brackets, e.g. [::1]:4000, got '"
                        + text + "'");
            }
        }
        if (host.isEmpty() || port.isEmpty()) {
            throw new IllegalArgumentException("expected host:port, got '" + text + "'");
        }
        if (!port.chars().allMatch(c -> c >= '0' && c <= '9') || port.length() > 5) {
            throw new IllegalArgumentException("port is not a number in '" + text + "'");
        }
        return new HostPort(host, Integer.parseInt(port));
    }

    /** An IP literal: a dotted IPv4 quad or an IPv6 address without brackets. Never a name, never a DNS lookup. */
    public static InetAddress literal(String host) {
        if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return InetEndpoints.toInet(NodeAddress.parseIpv4(host + ":0")).getAddress();
        }
        // Only IPv6 literal characters: InetAddress then parses the text itself instead of resolving a name.
        if (host.indexOf(':') >= 0 && host.matches("[0-9A-Fa-f:.]+")) {
            try {
                return InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                // falls through to the one-line error
            }
        }
        throw new IllegalArgumentException("'" + host + "' is not an IPv4 or IPv6 address (names are not resolved)");
    }

    public static NodeAddress toNodeAddress(InetSocketAddress address) {
        return toNodeAddress(address.getAddress(), address.getPort());
    }

    public static NodeAddress toNodeAddress(InetAddress address, int port) {
        return InetEndpoints.toNodeAddress(address, port);
    }

    public static InetSocketAddress toInet(NodeAddress address) {
        return InetEndpoints.toInet(address);
    }

    /**
     * The peer addresses a socket bound to {@code bound} can send to: IPv4 ones from an IPv4 socket, IPv6 ones from
     * an IPv6 socket, both from the dual-stack IPv6 wildcard {@code [::]}.
     */
    public static Predicate<NodeAddress> reachableFrom(InetSocketAddress bound) {
        InetAddress host = bound.getAddress();
        if (host instanceof Inet4Address) {
            return NodeAddress::isIpv4;
        }
        return host.isAnyLocalAddress() ? address -> true : address -> !address.isIpv4();
    }
}
