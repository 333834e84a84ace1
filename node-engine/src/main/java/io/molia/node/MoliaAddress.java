package io.molia.node;

import java.util.Base64;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;

/**
 * A node's shareable address: {@code molia://<public key>@<host>:<port>}, the public key in unpadded base64url
 * (43 characters). Everything a peer needs to open a session: the key (from which the ID and the X25519 static
 * key follow) and where to send. Host is an IPv4 literal or a bracketed IPv6 literal; names are not resolved here.
 */
public record MoliaAddress(byte[] publicKey, String host, int port) {
    public static final String SCHEME = "molia://";

    public MoliaAddress {
        if (publicKey.length != Contact.PUBLIC_KEY_BYTES) {
            throw new IllegalArgumentException("a public key is 32 bytes");
        }
    }

    /** Parses the text form; the exception message says what is wrong, in one line. */
    public static MoliaAddress parse(String text) {
        if (!text.startsWith(SCHEME)) {
            throw new IllegalArgumentException("bad address '" + text + "': expected molia://<public-key>@host:port");
        }
        String rest = text.substring(SCHEME.length());
        int at = rest.indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("bad address '" + text + "': missing '@' between key and host");
        }
        byte[] key;
        try {
            key = Base64.getUrlDecoder().decode(rest.substring(0, at));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad address '" + text + "': the key is not base64url");
        }
        if (key.length != Contact.PUBLIC_KEY_BYTES) {
            throw new IllegalArgumentException("bad address '" + text + "': the key must be 32 bytes, got "
                    + key.length);
        }
        SocketAddresses.HostPort hostPort;
        NodeAddress host;
        try {
            hostPort = SocketAddresses.split(rest.substring(at + 1));
            host = SocketAddresses.toNodeAddress(SocketAddresses.literal(hostPort.host()), 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad address '" + text + "': " + e.getMessage());
        }
        if (hostPort.port() < 1 || hostPort.port() > 65_535) {
            throw new IllegalArgumentException("bad address '" + text + "': port must be in 1..65535");
        }
        return new MoliaAddress(key, host.hostText(), hostPort.port()); // one text per address: [::1], not [0:0::1]
    }

    public NodeId nodeId() {
        return NodeId.ofPublicKey(publicKey);
    }

    /** The contact this address names; the host must be an IP literal (IPv4, or IPv6 without brackets). */
    public Contact toContact() {
        return new Contact(nodeId(), publicKey.clone(), 0,
                SocketAddresses.toNodeAddress(SocketAddresses.literal(host), port));
    }

    public static String encodeKey(byte[] publicKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(publicKey);
    }

    @Override
    public String toString() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return SCHEME + encodeKey(publicKey) + "@" + h + ":" + port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MoliaAddress a && java.util.Arrays.equals(a.publicKey, publicKey) && a.host.equals(host)
                && a.port == port;
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(publicKey) * 31 + host.hashCode() * 7 + port;
    }
}
