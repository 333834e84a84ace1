package io.molia.options;

import java.net.InetSocketAddress;

import io.molia.node.SocketAddresses;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code host:port} to bind or reach: an IPv4 address or name, or a bracketed IPv6 address ({@code [::1]:4000},
 * {@code [::]:4000} for IPv4 and IPv6 peers on one socket); port 0..65535.
 */
public class HostPortConverter implements ITypeConverter<InetSocketAddress> {
    @Override
    public InetSocketAddress convert(String text) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** As {@link #convert}, throwing {@link IllegalArgumentException} with a one-line reason. */
    public static InetSocketAddress parse(String text) {
        SocketAddresses.HostPort hostPort = SocketAddresses.split(text);
        if (hostPort.port() > 65_535) {
            throw new IllegalArgumentException("port must be in 0..65535, got '" + text + "'");
        }
        return text.startsWith("[")
                ? new InetSocketAddress(SocketAddresses.literal(hostPort.host()), hostPort.port())
                : new InetSocketAddress(hostPort.host(), hostPort.port());
    }

    /** {@code [host:]port}: a listener that serves only this machine unless told otherwise (host 127.0.0.1). */
    public static final class LocalByDefault extends HostPortConverter {
        @Override
        public InetSocketAddress convert(String text) {
            try {
                return parse(text.contains(":") ? text : "127.0.0.1:" + text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("expected [host:]port, got '" + text + "'");
            }
        }
    }
}
