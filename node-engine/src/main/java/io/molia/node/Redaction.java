package io.molia.node;

import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.molia.contact.NodeAddress;

/**
 * What output read by others hides unless asked: a key shows its first 8 hex digits, an IPv4 address loses its last
 * byte ({@code 203.0.113.x}), an IPv6 address its last 64 bits ({@code [2001:db8:1:2::x]}), a {@code molia://}
 * address its public key. One set of rules for the admin shell's tables ({@code --show-keys} shows all) and the
 * node's logs ({@code --log-unsafe} shows all). A 16-digit node ID prefix, as logs and tables name nodes, stays.
 */
public final class Redaction {
    /** Shown of a key: as many hex digits as a human compares at a glance. */
    public static final int KEY_DIGITS = 8;

    private static final Pattern MOLIA_KEY = Pattern.compile("molia://[A-Za-z0-9_-]+@");
    private static final Pattern BRACKETED_IPV6 = Pattern.compile("\\[([0-9A-Fa-f:.]+)(%[\\w.-]+)?]");
    private static final Pattern BARE_IPV6 =
            Pattern.compile("(?<![\\w:.])(?=[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:)[0-9A-Fa-f:.]+(%[\\w.-]+)?(?![\\w:])");
    private static final Pattern IPV4 = Pattern.compile("(?<![\\w.])(\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})\\.\\d{1,3}"
            + "(?!\\w|\\.\\d)");
    // 17+ hex digits with a letter among them: a key or a whole ID (a 16-digit ID prefix and plain numbers stay).
    private static final Pattern HEX_KEY = Pattern.compile("(?<![0-9A-Za-z])(?=[0-9]*[a-fA-F])[0-9a-fA-F]{17,}"
            + "(?![0-9A-Za-z])");
    // A public key in base64url (43 characters), as molia:// addresses and keygen write it.
    private static final Pattern BASE64_KEY = Pattern.compile("(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])");

    private Redaction() {
    }

    /** A hex key (record key, public key): its first {@value #KEY_DIGITS} digits and an ellipsis. */
    public static String key(String hex) {
        return hex.length() <= KEY_DIGITS ? hex : hex.substring(0, KEY_DIGITS) + "…";
    }

    /**
     * {@code host:port} (or a bare host) with the IPv4 host's last byte or the IPv6 host's last 64 bits hidden; text
     * that is no address this build writes is returned as it is.
     */
    public static String hostPort(String hostPort) {
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            String masked = close < 0 ? null : ipv6(hostPort.substring(1, close));
            return masked == null ? hostPort : "[" + masked + "]" + hostPort.substring(close + 1);
        }
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        int dot = host.lastIndexOf('.');
        if (dot < 0) {
            return hostPort;
        }
        return host.substring(0, dot) + ".x" + (colon < 0 ? "" : hostPort.substring(colon));
    }

    /** Free text (a log message, a value logged): every address and key found in it, hidden by the rules above. */
    public static String text(String text) {
        String out = MOLIA_KEY.matcher(text).replaceAll("molia://(key hidden)@");
        out = replace(BRACKETED_IPV6, out, m -> {
            String masked = ipv6(m.group(1));
            return masked == null ? m.group() : "[" + masked + "]";
        });
        out = replace(BARE_IPV6, out, m -> {
            String masked = ipv6(m.group().replaceFirst("%.*", ""));
            return masked == null ? m.group() : masked;
        });
        out = IPV4.matcher(out).replaceAll("$1.x");
        out = replace(HEX_KEY, out, m -> key(m.group()));
        return replace(BASE64_KEY, out, m -> m.group().substring(0, KEY_DIGITS) + "…");
    }

    /** The first 64 bits of an IPv6 literal then {@code x} (an IPv4-mapped one as IPv4), or null when not one. */
    private static String ipv6(String literal) {
        NodeAddress a;
        try {
            a = SocketAddresses.toNodeAddress(SocketAddresses.literal(literal), 0);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (a.isIpv4()) {
            return hostPort(a.hostText());
        }
        // Only the first 64 bits stay: the rest ends in "::", and "x" marks what was hidden.
        return NodeAddress.ipv6(a.hi(), 0, 0).hostText() + "x";
    }

    private static String replace(Pattern pattern, String text, Function<MatchResult, String> replacement) {
        return pattern.matcher(text).replaceAll(m -> Matcher.quoteReplacement(replacement.apply(m)));
    }
}
